// Results rows from one level's measurements: the UAC summary, the monitor summary and the
// per-sample load, reduced to the documented schema (docs/results.md).
#include "harness/run_report.hpp"

#include <cmath>

#include "harness/run_messages.hpp"
#include "harness/scaling.hpp"
#include "report/metrics.hpp"

namespace pbxbench::harness {

namespace {

using nlohmann::json;

// `j[key]` if present, else null: the summaries come from other processes and versions.
json at(const json& j, const char* key) {
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    return it == j.end() ? json(nullptr) : *it;
}

json pick(const json& stats, std::initializer_list<const char*> keys) {
    json out = json::object();
    for (const char* k : keys) out[k] = at(stats, k);
    return out;
}

json cpu_stats(const json& series) {
    return pick(at(series, "cpu_percent"), {"avg", "p95", "peak"});
}
json mem_stats(const json& series, const char* key) {
    return pick(at(series, key), {"avg", "peak"});
}

json calls_block(const json& uac) {
    if (uac.is_null()) return nullptr;
    return {{"attempted", at(uac, "attempted")},
            {"completed", at(uac, "completed")},
            {"failed", at(uac, "failed")},
            {"outcomes", at(uac, "outcomes")},
            {"status_codes", at(uac, "status_codes")},
            {"timeouts", at(uac, "timeouts")}};
}

json sut_block(const LevelMeasurement& m) {
    const json& mon = m.monitor_summary;
    if (mon.is_null()) return nullptr;
    json total = at(mon, "total");
    json cpu = cpu_stats(total);
    std::optional<double> full = full_load_cpu_percent(m.load, m.level);
    cpu["full_load_avg"] = full ? json(*full) : json(nullptr);
    json trees = json::object();
    json all_trees = at(mon, "trees");
    if (all_trees.is_object()) {
        for (auto it = all_trees.begin(); it != all_trees.end(); ++it) {
            std::string role =
                at(it.value(), "role").is_string() ? it.value()["role"].get<std::string>() : "";
            if (role == "generator") continue;
            trees[it.key()] = {{"role", role},
                               {"cpu_percent", cpu_stats(it.value())},
                               {"rss_bytes", mem_stats(it.value(), "rss_bytes")},
                               {"pss_bytes", mem_stats(it.value(), "pss_bytes")}};
        }
    }
    return {{"cpu_percent", cpu},
            {"rss_bytes", mem_stats(total, "rss_bytes")},
            {"pss_bytes", mem_stats(total, "pss_bytes")},
            {"trees", trees},
            {"samples", at(mon, "samples_taken")}};
}

json concurrency_block(const LevelMeasurement& m) {
    json calls = at(at(m.monitor_summary, "health"), "calls");
    // No count ever read (no endpoint, or one that never answered with one): no figures,
    // rather than "0 s at full load" that looks measured.
    if (!at(calls, "peak").is_number()) return nullptr;
    std::optional<double> max_s;
    const json cps = at(m.config, "cps"), hold = at(m.config, "hold_s");
    if (cps.is_number() && hold.is_number())
        max_s = full_load_max_seconds(m.level, cps.get<double>(), hold.get<double>());
    return {{"peak", at(calls, "peak")},
            {"avg", at(calls, "avg")},
            {"full_load_calls", full_load_share * m.level},
            {"sustained_s_at_full_load", sustained_seconds(m.load, m.level, m.interval_s, max_s)}};
}

json generator_block(const LevelMeasurement& m) {
    const json& mon = m.monitor_summary;
    json trees = json::object();
    json all_trees = at(mon, "trees");
    double peak_process = 0;
    std::string busiest;
    if (all_trees.is_object()) {
        for (auto it = all_trees.begin(); it != all_trees.end(); ++it) {
            if (at(it.value(), "role") != "generator") continue;
            json pp = at(at(it.value(), "peak_process_cpu_percent"), "peak");
            trees[it.key()] = {{"cpu_percent", cpu_stats(it.value())},
                               {"peak_process_cpu_percent", pp}};
            if (pp.is_number() && pp.get<double>() > peak_process) {
                peak_process = pp.get<double>();
                busiest = it.key();
            }
        }
    }
    const bool bound = peak_process >= generator_bound_percent;
    json warnings = json::array();
    if (bound) {
        warnings.push_back(
            "generator process " + busiest + " used " +
            std::to_string(static_cast<int>(peak_process)) +
            "% of a core: results are generator-bound; lower --cps, or give the generator CPUs "
            "of its own with --pin (e.g. --pin sut=0,gen=1)");
    }
    return {{"uac", at(m.uac_summary, "generator")},
            {"cpu_percent", cpu_stats(at(mon, "generator"))},
            {"trees", trees},
            {"generator_bound", bound},
            {"warnings", warnings}};
}

// The caller's view (round trip through the echo) with the echo side's view of the forward
// direction nested under "uas"; null when media was off.
json media_block(const LevelMeasurement& m) {
    json uac = at(m.uac_summary, "media");
    if (!uac.is_object()) return nullptr;
    json media = uac;
    media["uas"] = at(m.uas_summary, "media");
    return media;
}

// Who called whom and what it took, from both sides: the UAC's population, spread, digest
// and registration figures (each absent while the UAC does not report it) and the UAS's
// answered calls per user and in-dialog counters. Null when neither summary came.
json subscribers_block(const LevelMeasurement& m) {
    const json& uac = m.uac_summary;
    const json& uas = m.uas_summary;
    if (!uac.is_object() && !uas.is_object()) return nullptr;
    json uas_dialog = nullptr;
    if (uas.is_object()) {
        uas_dialog = {{"received", at(uas, "reinvites")},
                      {"answered", at(uas, "reinvites_answered")},
                      {"refused", at(uas, "reinvites_refused")},
                      {"glare", at(uas, "reinvite_glare")},
                      {"updates", at(uas, "updates")},
                      {"updates_answered", at(uas, "updates_answered")},
                      {"updates_refused", at(uas, "updates_refused")}};
    }
    return {{"population", at(uac, "population")},
            {"calls_per_callee", at(uac, "calls_per_callee")},
            {"uas_calls_per_user", at(uas, "calls_per_user")},
            {"auth", at(uac, "auth")},
            {"registrations", at(uac, "registrations")},
            {"reinvites", {{"uac", at(uac, "reinvites")}, {"uas", uas_dialog}}}};
}

// The registrar's memory per binding: the rise of the SUT's PSS (else RSS) from the level's
// first sample to its peak, over the most bindings we held at once; null without both.
json bytes_per_contact(const LevelMeasurement& m, const json& reg) {
    const json peak = at(at(reg, "counters"), "peak_bindings");
    if (!peak.is_number() || peak.get<double>() <= 0 || m.load.empty()) return nullptr;
    // One series, never mixed: PSS is read less often than RSS (not every sample has it).
    bool pss = false;
    for (const LoadPoint& p : m.load) pss = pss || p.pss_bytes.has_value();
    std::optional<double> first, top;
    for (const LoadPoint& p : m.load) {
        const std::optional<double> v = pss ? p.pss_bytes : p.rss_bytes;
        if (!v) continue;
        if (!first) first = v;
        if (!top || *v > *top) top = v;
    }
    if (!first || !top) return nullptr;
    return (*top - *first) / peak.get<double>();
}

// Per-method figures (docs/results.md "methods"): the UAC's `methods` object, the REGISTER
// load's SUT bytes per contact, and the registrar's own count after the level when a
// [[collect]] step named "registrar" reported it ({"contacts": N}).
json methods_block(const LevelMeasurement& m) {
    json methods = at(m.uac_summary, "methods");
    if (!methods.is_object()) return nullptr;
    if (methods.contains("register")) {
        json& reg = methods["register"];
        reg["sut_bytes_per_contact"] = bytes_per_contact(m, reg);
        reg["registrar_contacts_after"] = at(at(m.collected, "registrar"), "contacts");
    }
    return methods;
}

// Every request of the level, calls (an INVITE each) and method loads together.
json methods_total_block(const json& methods, const json& uac) {
    if (!methods.is_object()) return nullptr;
    auto n = [](const json& j, const char* key) {
        const json v = at(j, key);
        return v.is_number() ? v.get<double>() : 0.0;
    };
    double sent = n(uac, "attempted"), ok = n(uac, "completed"), failed = n(uac, "failed");
    for (auto it = methods.begin(); it != methods.end(); ++it) {
        sent += n(it.value(), "sent");
        ok += n(it.value(), "ok");
        failed += n(it.value(), "failed");
    }
    return {{"sent", sent}, {"ok", ok}, {"failed", failed}};
}

// Method-load requests that failed: a level with any is not `ok`.
double method_failures(const json& uac) {
    const json methods = at(uac, "methods");
    double failed = 0;
    if (!methods.is_object()) return 0;
    for (auto it = methods.begin(); it != methods.end(); ++it)
        if (at(it.value(), "failed").is_number()) failed += it.value()["failed"].get<double>();
    return failed;
}

}  // namespace

double sustained_seconds(std::span<const LoadPoint> load, int level, double interval_s,
                         std::optional<double> max_s) {
    if (level <= 0) return 0;
    std::size_t n = 0;
    for (const LoadPoint& p : load)
        if (p.calls && *p.calls >= full_load_share * level) ++n;
    // Counting samples can read up to one interval long (a 2.6 s window holds six 0.5 s
    // samples), so a short level could show more time at full load than its plan allows.
    const double counted = static_cast<double>(n) * interval_s;
    return max_s ? std::min(counted, *max_s) : counted;
}

double full_load_max_seconds(int level, double cps, double hold_s) {
    if (level <= 0 || cps <= 0) return 0;
    const double k = std::ceil(full_load_share * level);
    return std::max(0.0, hold_s - (2 * k - level - 1) / cps);
}

report::LevelState level_state(const LevelMeasurement& m) {
    using report::LevelState;
    if (m.interrupted) return LevelState::interrupted;
    if (m.sut_died) return LevelState::sut_died;
    if (!m.error.empty()) return LevelState::error;
    const json failed = at(m.uac_summary, "failed"), completed = at(m.uac_summary, "completed");
    if (failed.is_number() && failed.get<double>() > 0) return LevelState::calls_failed;
    if (completed.is_number() && completed.get<double>() < m.level) return LevelState::calls_failed;
    if (method_failures(m.uac_summary) > 0) return LevelState::calls_failed;
    return LevelState::ok;
}

std::optional<double> full_load_cpu_percent(std::span<const LoadPoint> load, int level) {
    double sum = 0;
    std::size_t n = 0;
    for (const LoadPoint& p : load) {
        if (!p.calls || !p.cpu_percent || level <= 0 || *p.calls < full_load_share * level)
            continue;
        sum += *p.cpu_percent;
        ++n;
    }
    if (n == 0) return std::nullopt;
    return sum / static_cast<double>(n);
}

json build_level_row(const LevelMeasurement& m, const json& run) {
    json errors = json::array();
    if (!m.error.empty()) errors.push_back(m.error);
    for (const auto& e : m.errors) errors.push_back(e);
    json gen =
        m.monitor_summary.is_null() && m.uac_summary.is_null() ? json(nullptr) : generator_block(m);
    if (gen.is_object())
        for (const auto& w : gen["warnings"]) errors.push_back(w);
    if (const double f = method_failures(m.uac_summary); f > 0)
        errors.push_back(std::to_string(static_cast<long>(f)) +
                         " method-load requests failed (REGISTER/OPTIONS...): see the row's "
                         "methods.*.failures");
    const report::LevelState state = level_state(m);
    json row = {{"kind", "level"},
                {"schema_version", results_schema_version},
                {"run", run},
                {"scenario", m.scenario},
                {"level", m.level},
                {"repeat", m.repeat},
                {"config", m.config},
                {"state", report::to_string(state)},
                {"status", state == report::LevelState::ok ? "ok" : "failed"},
                {"error", m.error.empty() ? json(nullptr) : json(m.error)},
                {"interrupted", m.interrupted},
                {"started_at", m.started_at},
                {"ended_at", m.ended_at},
                {"calls", calls_block(m.uac_summary)},
                {"latency", at(m.uac_summary, "latency")},
                {"sut", sut_block(m)},
                {"concurrency", concurrency_block(m)},
                {"generator", gen},
                {"media", media_block(m)},
                {"subscribers", subscribers_block(m)},
                {"media_path", at(m.uac_summary, "media_path")},
                {"methods", methods_block(m)},
                {"methods_total", methods_total_block(at(m.uac_summary, "methods"), m.uac_summary)},
                {"midcall", at(m.uac_summary, "midcall")},
                {"processes", m.processes},
                {"collected", m.collected},
                {"sut_log", m.sut_log},
                {"errors", errors}};
    row["http_load"] = m.http_load;
    row["messages"] = messages_block(m.uac_summary, m.uas_summary);
    if (std::string p = messages_problem(row["messages"]); !p.empty()) row["errors"].push_back(p);
    row["metrics"] = report::metrics_object(row, report::RowKind::level);
    return row;
}

json build_scaling_row(const std::string& scenario, const std::vector<json>& rows,
                       const json& run) {
    ScalingInput in;
    in.cores = at(run, "cores").is_number() ? run["cores"].get<int>() : 1;
    json levels = json::array();
    // The same figures compare and summary.md use: CPU at full load (else the level's
    // average), memory peak (PSS, else RSS).
    const report::Metric& cpu_metric = *report::find_metric("cpu_full_load_percent");
    const report::Metric& mem_metric = *report::find_metric("mem_peak_bytes");
    for (const json& r : rows) {
        if (at(r, "kind") != "level" || at(r, "scenario") != scenario ||
            !report::measured_in_full(r) || !at(r, "sut").is_object())
            continue;
        const double x = r["level"].get<double>();
        if (auto cpu = cpu_metric.extract(r)) in.cpu_percent.push_back({x, *cpu});
        if (auto mem = mem_metric.extract(r)) in.memory_mb.push_back({x, *mem / 1e6});
        levels.push_back(r["level"]);
    }
    if (levels.empty()) return nullptr;
    ScalingEstimate e = estimate_scaling(in);
    json s = to_json(e, in);
    s["cpu_source"] = "SUT+sidecars " + std::string(cpu_metric.description);
    s["memory_source"] =
        "SUT+sidecars PSS peak in MB of 10^6 bytes (RSS peak when PSS was unreadable)";
    json row = {{"kind", "scaling"}, {"schema_version", results_schema_version},
                {"run", run},        {"scenario", scenario},
                {"levels", levels},  {"scaling", s}};
    row["metrics"] = report::metrics_object(row, report::RowKind::scaling);
    return row;
}

bool row_failed(const json& row) {
    if (at(row, "kind") != "level") return false;
    return !report::measured_in_full(row);
}

}  // namespace pbxbench::harness
