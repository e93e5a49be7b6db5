#include "monitor/sample.hpp"

#include <nlohmann/json.hpp>

namespace pbxbench::monitor {

namespace {

// Absent values are written as null so every line has the same keys.
template <class T>
nlohmann::json opt(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

const char* role_name(Role role) {
    switch (role) {
        case Role::sut:
            return "sut";
        case Role::sidecar:
            return "sidecar";
        case Role::generator:
            return "generator";
    }
    return "?";
}

const char* outcome_name(HealthOutcome outcome) {
    switch (outcome) {
        case HealthOutcome::ok:
            return "ok";
        case HealthOutcome::http_error:
            return "http_error";
        case HealthOutcome::unhealthy:
            return "unhealthy";
        case HealthOutcome::unparsable:
            return "unparsable";
        case HealthOutcome::timeout:
            return "timeout";
        case HealthOutcome::transport_error:
            return "transport_error";
    }
    return "?";
}

bool Sample::any_tree_alive() const {
    for (const TreeSample& t : trees)
        if (t.alive) return true;
    return false;
}

nlohmann::json to_json(const TreeSample& t) {
    return {{"role", role_name(t.role)},
            {"pid", t.root_pid},
            {"alive", t.alive},
            {"processes", t.processes},
            {"cpu_percent", opt(t.cpu_percent)},
            {"peak_process_cpu_percent", opt(t.peak_process_cpu_percent)},
            {"peak_pid", t.peak_pid},
            {"rss_bytes", t.rss_bytes},
            {"pss_bytes", opt(t.pss_bytes)},
            {"threads", t.threads},
            {"fds", opt(t.fds)}};
}

nlohmann::json to_json(const TotalSample& t) {
    return {{"cpu_percent", opt(t.cpu_percent)},
            {"machine_share_percent", opt(t.machine_share_percent)},
            {"rss_bytes", t.rss_bytes},
            {"pss_bytes", opt(t.pss_bytes)},
            {"threads", t.threads},
            {"fds", opt(t.fds)}};
}

nlohmann::json to_json(const HealthResult& h) {
    return {{"health_ok", h.healthy},
            {"health_outcome", outcome_name(h.outcome)},
            {"health_status", opt(h.http_status)},
            {"health_latency_ms", opt(h.latency_ms)},
            {"calls", opt(h.calls)},
            {"health_error", h.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(h.error)},
            {"health_t_s", h.t_s}};
}

nlohmann::json to_json(const ExitEvent& e) {
    return {{"type", "event"},
            {"event", "exited"},
            {"tree", e.tree},
            {"pid", e.pid},
            {"t_s", e.t_s},
            {"last_seen_t_s", e.last_seen_t_s},
            {"timestamp_ms", e.timestamp_ms}};
}

nlohmann::json to_json(const Sample& s) {
    nlohmann::json trees = nlohmann::json::object();
    nlohmann::json cpu = nlohmann::json::object();
    bool has_generator = false;
    for (const TreeSample& t : s.trees) {
        trees[t.name] = to_json(t);
        cpu[t.name] = opt(t.cpu_percent);
        has_generator = has_generator || t.role == Role::generator;
    }
    cpu["total"] = opt(s.total.cpu_percent);
    nlohmann::json j = {{"type", "sample"},
                        {"tick", s.tick},
                        {"t_s", s.t_s},
                        {"timestamp_ms", s.timestamp_ms},
                        {"late_ms", s.late_ms},
                        {"cpu_percent", cpu},
                        {"machine_share_percent", opt(s.total.machine_share_percent)},
                        {"rss_bytes", s.total.rss_bytes},
                        {"pss_bytes", opt(s.total.pss_bytes)},
                        {"threads", s.total.threads},
                        {"fds", opt(s.total.fds)},
                        {"trees", trees}};
    if (has_generator) j["generator"] = to_json(s.generator);
    // Health keys are always present; null means no poll finished since the previous sample.
    HealthResult none;
    nlohmann::json h = to_json(s.health.value_or(none));
    if (!s.health) {
        for (auto& [k, v] : h.items()) v = nullptr;
    }
    j.update(h);
    return j;
}

}  // namespace pbxbench::monitor
