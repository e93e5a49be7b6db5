#include "monitor/summary.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>

#include <nlohmann/json.hpp>

#include "base/distribution.hpp"

namespace pbxbench::monitor {

namespace {

constexpr int schema_version = 1;

nlohmann::json stats_json(const Stats& s) {
    if (s.count == 0)
        return {
            {"count", 0}, {"avg", nullptr}, {"p50", nullptr}, {"p95", nullptr}, {"peak", nullptr}};
    return {{"count", s.count}, {"avg", s.avg}, {"p50", s.p50}, {"p95", s.p95}, {"peak", s.peak}};
}

template <class T>
std::optional<double> as_double(const std::optional<T>& v) {
    return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
}

// Stats of one series over the samples, skipping ticks where it was absent.
template <class Get>
nlohmann::json series(const std::vector<Sample>& samples, Get get) {
    std::vector<double> values;
    for (const Sample& s : samples)
        if (std::optional<double> v = get(s)) values.push_back(*v);
    return stats_json(summarize(std::move(values)));
}

nlohmann::json total_series(const std::vector<Sample>& samples, const TotalSample Sample::*which) {
    return {
        {"cpu_percent", series(samples, [&](const Sample& s) { return (s.*which).cpu_percent; })},
        {"machine_share_percent",
         series(samples, [&](const Sample& s) { return (s.*which).machine_share_percent; })},
        {"rss_bytes", series(samples,
                             [&](const Sample& s) {
                                 return std::optional<double>(
                                     static_cast<double>((s.*which).rss_bytes));
                             })},
        {"pss_bytes",
         series(samples, [&](const Sample& s) { return as_double((s.*which).pss_bytes); })},
        {"threads", series(samples,
                           [&](const Sample& s) {
                               return std::optional<double>(
                                   static_cast<double>((s.*which).threads));
                           })},
        {"fds", series(samples, [&](const Sample& s) { return as_double((s.*which).fds); })}};
}

// The tree's entry in one sample, if it was alive then.
const TreeSample* find_tree(const Sample& s, const std::string& name) {
    for (const TreeSample& t : s.trees)
        if (t.name == name && t.alive) return &t;
    return nullptr;
}

nlohmann::json tree_series(const std::vector<Sample>& samples, const std::string& name) {
    auto field = [&](auto get) {
        return series(samples, [&](const Sample& s) -> std::optional<double> {
            const TreeSample* t = find_tree(s, name);
            return t ? get(*t) : std::nullopt;
        });
    };
    return {{"cpu_percent", field([](const TreeSample& t) { return t.cpu_percent; })},
            {"peak_process_cpu_percent",
             field([](const TreeSample& t) { return t.peak_process_cpu_percent; })},
            {"rss_bytes", field([](const TreeSample& t) {
                 return std::optional<double>(static_cast<double>(t.rss_bytes));
             })},
            {"pss_bytes", field([](const TreeSample& t) { return as_double(t.pss_bytes); })},
            {"threads", field([](const TreeSample& t) {
                 return std::optional<double>(static_cast<double>(t.threads));
             })},
            {"fds", field([](const TreeSample& t) { return as_double(t.fds); })},
            {"processes", field([](const TreeSample& t) {
                 return std::optional<double>(static_cast<double>(t.processes));
             })}};
}

nlohmann::json health_json(const std::vector<HealthResult>& polls) {
    std::map<std::string, std::int64_t> outcomes;
    for (HealthOutcome o :
         {HealthOutcome::ok, HealthOutcome::http_error, HealthOutcome::unhealthy,
          HealthOutcome::unparsable, HealthOutcome::timeout, HealthOutcome::transport_error})
        outcomes[outcome_name(o)] = 0;
    std::int64_t healthy = 0;
    std::vector<double> latency_ms, calls;
    for (const HealthResult& h : polls) {
        ++outcomes[outcome_name(h.outcome)];
        healthy += h.healthy ? 1 : 0;
        // A timeout's latency is the timeout itself; it would only blur the distribution.
        if (h.http_status && h.latency_ms) latency_ms.push_back(*h.latency_ms);
        if (h.calls) calls.push_back(*h.calls);
    }
    return {{"polls", polls.size()},
            {"healthy", healthy},
            {"outcomes", outcomes},
            {"errors", static_cast<std::int64_t>(polls.size()) - outcomes["ok"]},
            {"health_latency_ms", stats_json(summarize(std::move(latency_ms)))},
            {"calls", stats_json(summarize(std::move(calls)))}};
}

}  // namespace

Stats summarize(std::vector<double> values) {
    DistributionSummary d = pbxbench::summarize(values);
    return {d.count, d.mean, d.p50, d.p95, d.max};
}

nlohmann::json summary_json(const Recording& rec) {
    const auto& samples = rec.samples;
    std::vector<double> late_ms;
    std::int64_t failed = 0;
    for (const Sample& s : samples) {
        late_ms.push_back(s.late_ms);
        failed += s.any_tree_alive() ? 0 : 1;
    }
    nlohmann::json trees = nlohmann::json::object();
    nlohmann::json warnings = nlohmann::json::array();
    bool generator_bound = false;
    bool has_generator = false;
    if (!samples.empty()) {
        for (const TreeSample& t : samples.front().trees) {
            nlohmann::json j = tree_series(samples, t.name);
            j["role"] = role_name(t.role);
            j["pid"] = t.root_pid;
            trees[t.name] = std::move(j);
            has_generator = has_generator || t.role == Role::generator;
        }
    }
    for (const Sample& s : samples) {
        for (const TreeSample& t : s.trees) {
            if (t.role != Role::generator || !t.peak_process_cpu_percent ||
                *t.peak_process_cpu_percent < generator_bound_percent || generator_bound)
                continue;
            generator_bound = true;
            warnings.push_back("generator process " + std::to_string(t.peak_pid) + " (tree " +
                               t.name + ") used " +
                               std::to_string(static_cast<int>(*t.peak_process_cpu_percent)) +
                               "% of a core at t=" + std::to_string(s.t_s) +
                               "s: results may be generator-bound; lower the call rate or give "
                               "the generator more cores");
        }
    }
    nlohmann::json events = nlohmann::json::array();
    for (const ExitEvent& e : rec.events) events.push_back(to_json(e));
    nlohmann::json j = {{"type", "summary"},
                        {"schema_version", schema_version},
                        {"cores", rec.cores},
                        {"clock_ticks_per_second", rec.ticks_per_second},
                        {"interval_ms", rec.interval_ms},
                        {"samples_taken", samples.size()},
                        {"samples_missed", rec.samples_missed},
                        {"samples_failed", failed},
                        {"late_ms", stats_json(summarize(std::move(late_ms)))},
                        {"total", total_series(samples, &Sample::total)},
                        {"trees", trees},
                        {"generator_bound", generator_bound},
                        {"events", events},
                        {"warnings", warnings}};
    if (has_generator) j["generator"] = total_series(samples, &Sample::generator);
    if (!rec.health_polls.empty()) j["health"] = health_json(rec.health_polls);
    return j;
}

}  // namespace pbxbench::monitor
