#include "harness/capacity_trial.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/distribution.hpp"
#include "harness/json_path.hpp"

namespace pbxbench::harness {

namespace {

using nlohmann::json;

constexpr auto at = &json_at;

double num(const json& v) {
    return v.is_number() ? v.get<double>() : 0.0;
}

std::string fmt(double v, int decimals = 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

void generator_checks(const LevelMeasurement& m, const json& row, const TrialSetup& s,
                      TrialAssessment& a) {
    const double cpu_limit = generator_cpu_share_limit * 100 * std::max(s.generator_cpus, 1);
    const double gen_cpu = num(at(row, {"generator", "cpu_percent", "avg"}));
    if (gen_cpu > cpu_limit)
        a.generator_reasons.push_back("the generator (uac + uas) used " + fmt(gen_cpu) +
                                      "% CPU on average, over 85% of its " +
                                      std::to_string(s.generator_cpus) + " CPU(s)");
    // One process on one thread saturates one core long before the generator's CPUs do.
    const json& trees = at(m.monitor_summary, {"trees"});
    if (trees.is_object()) {
        for (auto it = trees.begin(); it != trees.end(); ++it) {
            if (at(it.value(), {"role"}) != "generator") continue;
            const double p95 = num(at(it.value(), {"peak_process_cpu_percent", "p95"}));
            if (p95 >= generator_cpu_share_limit * 100)
                a.generator_reasons.push_back("the busiest " + it.key() + " process used " +
                                              fmt(p95) + "% of a core (p95 over samples)");
        }
    }
    for (const char* side : {"uac", "uas"}) {
        const json& media =
            std::string(side) == "uac" ? at(row, {"media"}) : at(row, {"media", "uas"});
        const double lag = num(at(media, {"generator", "pacing_lag", "p99_ms"}));
        if (lag > generator_lag_limit_ms)
            a.generator_reasons.push_back(std::string(side) + " RTP pacing lag p99 " + fmt(lag, 1) +
                                          " ms (over 5 ms)");
        const double drops = num(at(media, {"generator", "kernel_drops"}));
        if (drops > 0)
            a.generator_reasons.push_back(std::string(side) + " RTP sockets: the kernel dropped " +
                                          fmt(drops) + " datagrams on a full receive buffer");
    }
    const double sip_drops = num(at(m.uac_summary, {"socket_kernel_drops"}));
    if (sip_drops > 0)
        a.generator_reasons.push_back("uac SIP socket: the kernel dropped " + fmt(sip_drops) +
                                      " datagrams on a full receive buffer");
    std::vector<double> lag = schedule_lag_ms(m.progress, s.offered_cps, s.calls, s.tick_ms);
    if (!lag.empty()) {
        // The median, not a tail: a progress line is a sparse sample (two a second), and on a
        // shared machine one late wake-up is caught up at once; a generator that cannot keep
        // the rate falls further behind at every line.
        std::sort(lag.begin(), lag.end());
        a.schedule_lag_p50_ms = nearest_rank(lag, 50);
        a.schedule_lag_max_ms = lag.back();
        if (*a.schedule_lag_p50_ms > generator_lag_limit_ms)
            a.generator_reasons.push_back("calls started " + fmt(*a.schedule_lag_p50_ms, 1) +
                                          " ms behind schedule beyond one tick (median over "
                                          "progress lines; over 5 ms)");
    }
}

// Failures by class, most frequent first: status codes, timeouts, transport errors, BYEs.
void failure_classes(const json& row, TrialAssessment& a) {
    const json& calls = at(row, {"calls"});
    std::vector<std::pair<double, std::string>> parts;
    const json& codes = at(calls, {"status_codes"});
    if (codes.is_object())
        for (auto it = codes.begin(); it != codes.end(); ++it)
            if (it.key() >= "300" && num(it.value()) > 0)
                parts.push_back({num(it.value()), it.key() + " ×" + fmt(num(it.value()))});
    const json& timeouts = at(calls, {"timeouts"});
    if (timeouts.is_object())
        for (auto it = timeouts.begin(); it != timeouts.end(); ++it)
            if (num(it.value()) > 0)
                parts.push_back(
                    {num(it.value()), "timeout " + it.key() + " ×" + fmt(num(it.value()))});
    const json& outcomes = at(calls, {"outcomes"});
    for (const char* o : {"transport_error", "failed_bye", "ring_timeout"})
        if (num(at(outcomes, {o})) > 0)
            parts.push_back(
                {num(at(outcomes, {o})), std::string(o) + " ×" + fmt(num(at(outcomes, {o})))});
    std::stable_sort(parts.begin(), parts.end(),
                     [](const auto& x, const auto& y) { return x.first > y.first; });
    if (!parts.empty()) {
        std::string text = "failed calls: " + fmt(num(at(calls, {"failed"}))) + " of " +
                           fmt(num(at(calls, {"attempted"}))) + " (";
        for (std::size_t i = 0; i < parts.size(); ++i) text += (i ? ", " : "") + parts[i].second;
        a.why.push_back(text + ")");
    } else if (num(at(calls, {"failed"})) > 0) {
        a.why.push_back("failed calls: " + fmt(num(at(calls, {"failed"}))) + " of " +
                        fmt(num(at(calls, {"attempted"}))));
    }
}

}  // namespace

std::optional<MemoryGrowth> memory_growth(const std::vector<LoadPoint>& load) {
    std::vector<const LoadPoint*> with_memory;
    for (const LoadPoint& p : load)
        if (p.rss_bytes || p.pss_bytes) with_memory.push_back(&p);
    if (with_memory.size() < 2) return std::nullopt;
    const double mid = (with_memory.front()->t_s + with_memory.back()->t_s) / 2;
    std::vector<const LoadPoint*> half;
    for (const LoadPoint* p : with_memory)
        if (p->t_s >= mid) half.push_back(p);
    if (half.size() < memory_growth_min_samples) return std::nullopt;
    const bool pss = std::all_of(half.begin(), half.end(),
                                 [](const LoadPoint* p) { return p->pss_bytes.has_value(); });
    if (!pss && !std::all_of(half.begin(), half.end(),
                             [](const LoadPoint* p) { return p->rss_bytes.has_value(); }))
        return std::nullopt;
    double mean_t = 0, mean_y = 0;
    for (const LoadPoint* p : half) {
        mean_t += p->t_s;
        mean_y += (pss ? *p->pss_bytes : *p->rss_bytes) / 1e6;
    }
    const auto n = static_cast<double>(half.size());
    mean_t /= n;
    mean_y /= n;
    double stt = 0, sty = 0;
    for (const LoadPoint* p : half) {
        const double dt = p->t_s - mean_t;
        stt += dt * dt;
        sty += dt * ((pss ? *p->pss_bytes : *p->rss_bytes) / 1e6 - mean_y);
    }
    if (stt <= 0) return std::nullopt;
    MemoryGrowth g;
    g.source = pss ? "pss" : "rss";
    g.samples = half.size();
    g.window_s = half.back()->t_s - half.front()->t_s;
    g.slope_mb_per_s = sty / stt;
    g.growth_mb = g.slope_mb_per_s * g.window_s;
    g.growing =
        g.slope_mb_per_s >= memory_growth_min_mb_per_s && g.growth_mb >= memory_growth_min_mb;
    return g;
}

json MemoryGrowth::to_json() const {
    return {{"source", source},       {"samples", samples},
            {"window_s", window_s},   {"slope_mb_per_s", slope_mb_per_s},
            {"growth_mb", growth_mb}, {"growing", growing}};
}

std::optional<SipMessageRate> sip_message_rate(const json& uac_summary, const json& uas_summary) {
    const json& sent = at(uac_summary, {"sip_datagrams", "sent"});
    const json& received = at(uac_summary, {"sip_datagrams", "received"});
    const json& wall = at(uac_summary, {"generator", "wall_s"});
    if (!sent.is_number() || !received.is_number() || !wall.is_number() || wall.get<double>() <= 0)
        return std::nullopt;
    SipMessageRate r;
    r.uac_sent = sent.get<double>();
    r.uac_received = received.get<double>();
    r.messages = r.uac_sent + r.uac_received;
    const json& uas_sent = at(uas_summary, {"sip_datagrams_sent"});
    const json& uas_received = at(uas_summary, {"sip_datagrams_received"});
    if (uas_sent.is_number() && uas_received.is_number()) {
        r.uas_sent = uas_sent.get<double>();
        r.uas_received = uas_received.get<double>();
        r.messages += *r.uas_sent + *r.uas_received;
    }
    r.seconds = wall.get<double>();
    r.per_s = r.messages / r.seconds;
    return r;
}

json SipMessageRate::to_json() const {
    auto opt = [](std::optional<double> v) { return v ? json(*v) : json(nullptr); };
    return {{"per_s", per_s},
            {"messages", messages},
            {"seconds", seconds},
            {"uac_sent", uac_sent},
            {"uac_received", uac_received},
            {"uas_sent", opt(uas_sent)},
            {"uas_received", opt(uas_received)}};
}

std::vector<double> schedule_lag_ms(const std::vector<ProgressPoint>& progress, double cps,
                                    std::uint64_t calls, double tick_ms) {
    std::vector<double> raw_s;
    if (cps <= 0) return {};
    for (const ProgressPoint& p : progress) {
        if (p.attempted >= static_cast<double>(calls)) break;
        raw_s.push_back(p.elapsed_s - p.attempted / cps);
    }
    if (raw_s.empty()) return {};
    // The progress clock starts a little before the schedule's t0, a constant the smallest
    // value measures; a call is counted only once started, so one interval of 1/cps and one
    // tick are allowed too. What is left grows only when the UAC falls behind.
    const double offset_s = *std::min_element(raw_s.begin(), raw_s.end());
    std::vector<double> out;
    for (double r : raw_s)
        out.push_back(std::max(0.0, (r - offset_s) * 1000 - tick_ms - 1000 / cps));
    return out;
}

TrialAssessment assess_trial(const LevelMeasurement& m, const json& row,
                             const std::vector<Slo>& slos, const TrialSetup& setup) {
    TrialAssessment a;
    if (m.interrupted) {
        a.verdict = TrialVerdict::interrupted;
        a.why.push_back("interrupted (SIGINT/SIGTERM)");
        return a;
    }
    if (m.uac_summary.is_null()) {
        a.verdict = TrialVerdict::error;
        a.why.push_back(m.error.empty() ? "nothing measured" : m.error);
        return a;
    }
    a.slos = evaluate_slos(slos, row);
    generator_checks(m, row, setup, a);
    if (!m.error.empty()) a.why.push_back(m.error);  // e.g. the SUT exited mid-run
    failure_classes(row, a);
    // A broken latency or media objective comes next: with no failed calls it is the reason.
    for (const SloCheck& c : a.slos)
        if (!c.ok && c.slo.name != "failures")
            a.why.push_back("SLO " + c.slo.text() + " broken (measured " +
                            (c.measured ? fmt(*c.measured, 2) : std::string("nothing")) + ")");
    if (m.aborted_early)
        a.why.push_back("stopped early: more than " +
                        std::to_string(setup.failure_budget.value_or(0)) +
                        " calls failed (the failures objective's budget)");
    const double retrans = num(at(m.uac_summary, {"transactions", "retransmissions_sent"}));
    if (retrans > 0) a.why.push_back(fmt(retrans) + " SIP retransmissions by the UAC");
    const double loss = num(at(row, {"media", "loss_percent"}));
    if (loss > 0) a.why.push_back("RTP loss " + fmt(loss, 3) + "%");
    const double sut_peak = num(at(row, {"sut", "cpu_percent", "peak"}));
    if (sut_peak >= sut_cpu_saturated_share * 100 * std::max(setup.sut_cpus, 1))
        a.why.push_back("SUT CPU saturated: peak " + fmt(sut_peak) + "% of its " +
                        std::to_string(setup.sut_cpus) + " CPU(s)");
    a.memory = memory_growth(m.load);
    if (a.memory && a.memory->growing)
        a.why.push_back("SUT memory still growing: " + fmt(a.memory->slope_mb_per_s, 2) +
                        " MB/s (" + a.memory->source + ", least squares over the last " +
                        fmt(a.memory->window_s, 1) + " s, +" + fmt(a.memory->growth_mb, 1) +
                        " MB)");
    const json& log = at(row, {"sut_log"});
    if (num(at(log, {"error_lines"})) > 0) {
        std::string text = "SUT log: " + fmt(num(at(log, {"error_lines"}))) + " error lines";
        const json& first = at(log, {"first_distinct"});
        if (first.is_array() && !first.empty()) text += ", first: " + first[0].get<std::string>();
        a.why.push_back(text);
    }
    for (const SloCheck& c : a.slos)
        if (!c.ok && c.slo.name == "failures")
            a.why.push_back("SLO " + c.slo.text() + " broken (measured " +
                            (c.measured ? fmt(*c.measured, 2) : std::string("nothing")) + ")");
    bool all_ok = m.error.empty() && !m.aborted_early;
    for (const SloCheck& c : a.slos) all_ok = all_ok && c.ok;
    if (!a.generator_reasons.empty())
        a.verdict = TrialVerdict::generator_bound;
    else
        a.verdict = all_ok ? TrialVerdict::pass : TrialVerdict::fail;
    return a;
}

json TrialAssessment::to_json() const {
    json checks = json::array();
    for (const SloCheck& c : slos) checks.push_back(harness::to_json(c));
    return {{"verdict", std::string(harness::to_string(verdict))},
            {"slos", checks},
            {"generator_bound", !generator_reasons.empty()},
            {"generator_reasons", generator_reasons},
            {"schedule_lag_ms",
             {{"p50", schedule_lag_p50_ms ? json(*schedule_lag_p50_ms) : json(nullptr)},
              {"max", schedule_lag_max_ms ? json(*schedule_lag_max_ms) : json(nullptr)}}},
            {"memory_growth", memory ? memory->to_json() : json(nullptr)},
            {"why", why}};
}

}  // namespace pbxbench::harness
