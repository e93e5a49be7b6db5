// Results rows from one level's measurements: the UAC summary, the monitor summary and the
// per-sample load, reduced to the documented schema (docs/results.md).
#include "harness/run_report.hpp"

#include "harness/scaling.hpp"

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
    if (calls.is_null()) return nullptr;
    return {{"peak", at(calls, "peak")},
            {"avg", at(calls, "avg")},
            {"full_load_calls", full_load_share * m.level},
            {"sustained_s_at_full_load", sustained_seconds(m.load, m.level, m.interval_s)}};
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
    const bool bound = peak_process >= 90.0;
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

double mb(const json& v) {
    return v.is_number() ? v.get<double>() / 1e6 : 0;
}

}  // namespace

double sustained_seconds(std::span<const LoadPoint> load, int level, double interval_s) {
    if (level <= 0) return 0;
    std::size_t n = 0;
    for (const LoadPoint& p : load)
        if (p.calls && *p.calls >= full_load_share * level) ++n;
    return static_cast<double>(n) * interval_s;
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
    return {{"kind", "level"},
            {"schema_version", results_schema_version},
            {"run", run},
            {"scenario", m.scenario},
            {"level", m.level},
            {"repeat", m.repeat},
            {"config", m.config},
            {"status", m.error.empty() ? "ok" : "failed"},
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
            {"processes", m.processes},
            {"collected", m.collected},
            {"sut_log", m.sut_log},
            {"errors", errors}};
}

json build_scaling_row(const std::string& scenario, const std::vector<json>& rows,
                       const json& run) {
    ScalingInput in;
    in.cores = at(run, "cores").is_number() ? run["cores"].get<int>() : 1;
    json levels = json::array();
    for (const json& r : rows) {
        if (at(r, "kind") != "level" || at(r, "scenario") != scenario || at(r, "status") != "ok" ||
            at(r, "interrupted") == true || !at(r, "sut").is_object())
            continue;
        const json& sut = r["sut"];
        json cpu = at(sut["cpu_percent"], "full_load_avg");
        if (!cpu.is_number()) cpu = at(sut["cpu_percent"], "avg");
        json mem = at(sut["pss_bytes"], "peak");
        if (!mem.is_number()) mem = at(sut["rss_bytes"], "peak");
        const double x = r["level"].get<double>();
        if (cpu.is_number()) in.cpu_percent.push_back({x, cpu.get<double>()});
        if (mem.is_number()) in.memory_mb.push_back({x, mb(mem)});
        levels.push_back(r["level"]);
    }
    if (levels.empty()) return nullptr;
    ScalingEstimate e = estimate_scaling(in);
    json s = to_json(e, in);
    s["cpu_source"] =
        "SUT+sidecars CPU averaged over the samples at full load (else over the level)";
    s["memory_source"] =
        "SUT+sidecars PSS peak in MB of 10^6 bytes (RSS peak when PSS was unreadable)";
    return {{"kind", "scaling"}, {"schema_version", results_schema_version},
            {"run", run},        {"scenario", scenario},
            {"levels", levels},  {"scaling", s}};
}

bool row_failed(const json& row) {
    if (at(row, "kind") != "level") return false;
    if (at(row, "status") != "ok") return true;
    json failed = at(at(row, "calls"), "failed");
    return failed.is_number() && failed.get<double>() > 0;
}

}  // namespace pbxbench::harness
