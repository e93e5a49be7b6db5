// summary.md: the results rows as the Markdown tables users of the RustPBX benchmark expect.
// Rendered from the rows alone (never from live state), so it can be rebuilt after each level.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "harness/http_load_report.hpp"
#include "harness/json_path.hpp"
#include "harness/run_markdown_methods.hpp"
#include "harness/run_markdown_midcall.hpp"
#include "harness/run_messages.hpp"
#include "harness/run_report.hpp"
#include "harness/scaling.hpp"
#include "report/level_state.hpp"
#include "report/metrics.hpp"
#include "report/run_fields.hpp"

namespace pbxbench::harness {

namespace {

using nlohmann::json;

constexpr auto get = &json_at;

std::string num(const json& v, int decimals = 1, double scale = 1) {
    if (!v.is_number()) return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v.get<double>() * scale);
    return buf;
}

std::string num(double v, int decimals = 1) {
    return num(json(v), decimals);
}

// Compact JSON; a string with bytes that are not UTF-8 (a SUT's log, a collect step's output)
// has them replaced instead of throwing.
std::string dump(const json& v) {
    return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string str(const json& v) {
    return v.is_string() ? v.get<std::string>() : (v.is_null() ? "n/a" : dump(v));
}

// run.pinning in words: "SUT on CPU 0, generator (uas, uac, monitor) on CPU 1".
std::string pinning_text(const json& pinning) {
    if (!pinning.is_object()) return str(pinning);
    auto cpus = [](const json& list) {
        if (!list.is_array()) return std::string("any CPU");
        std::string out;
        for (const auto& c : list) out += (out.empty() ? "" : ",") + dump(c);
        return (list.size() == 1 ? "CPU " : "CPUs ") + out;
    };
    return "SUT and sidecars on " + cpus(get(pinning, {"sut"})) +
           ", generator (uas, uac, monitor) on " + cpus(get(pinning, {"generator"})) +
           " (sched_setaffinity)";
}

std::string status_codes(const json& codes) {
    if (!codes.is_object() || codes.empty()) return "none";
    std::string out;
    for (auto it = codes.begin(); it != codes.end(); ++it)
        out += (out.empty() ? "" : ", ") + it.key() + ":" + dump(it.value());
    return out;
}

report::LevelState state_of(const json& row) {
    return report::level_state(row);
}

bool full(const json& row) {
    return report::measured_in_full(state_of(row));
}

// "18/20 (90.0%)"; for a level cut short (interrupted, SUT died, error) the share would read
// as if the plan had been carried out, so it says why there is none.
std::string completion(const json& row) {
    const report::LevelState state = state_of(row);
    if (state != report::LevelState::ok && state != report::LevelState::calls_failed)
        return "n/a (" + std::string(report::state_words(state)) + ")";
    const json& c = get(row, {"calls", "completed"});
    if (!c.is_number()) return "n/a";
    const double level = row["level"].get<double>();
    return dump(c) + "/" + dump(row["level"]) + " (" +
           num(level > 0 ? c.get<double>() * 100 / level : 0, 1) + "%)";
}

// The first line of the row's error, safe in a table cell.
std::string error_line(const json& row, const char* otherwise) {
    std::string e = get(row, {"error"}).is_string() ? row["error"].get<std::string>() : otherwise;
    e = e.substr(0, std::min(e.find('\n'), e.find("; its log ends with")));
    for (char& ch : e)
        if (ch == '|') ch = '/';
    return e;
}

// "ok", "**calls failed**: 3 of 20", "**interrupted**", "**SUT died**: ...", "**FAILED**: ...".
std::string status_text(const json& row) {
    switch (state_of(row)) {
        case report::LevelState::ok:
            return "ok";
        case report::LevelState::calls_failed: {
            const json& failed = get(row, {"calls", "failed"});
            const json& attempted = get(row, {"calls", "attempted"});
            return "**calls failed**: " + num(failed, 0) + " of " + num(attempted, 0);
        }
        case report::LevelState::interrupted:
            return "**interrupted** (cut short by a signal)";
        case report::LevelState::sut_died:
            return "**SUT died**: " + error_line(row, "exited mid-level");
        case report::LevelState::error:
            break;
    }
    return "**FAILED**: " + error_line(row, "failed");
}

// CPU % per concurrent call: the metric compare judges (report/metrics.cpp).
std::optional<double> cpu_per_call(const json& row) {
    return report::find_metric("cpu_per_call_percent")->extract(row);
}

bool any_media(const std::vector<const json*>& rows) {
    for (const json* r : rows)
        if (get(*r, {"media"}).is_object()) return true;
    return false;
}

void environment(std::ostream& out, const json& run, const std::vector<const json*>& rows) {
    out << "## Test environment\n\n| Item | Value |\n| --- | --- |\n";
    out << "| Date | " << str(get(run, {"started_at"})) << " |\n";
    out << "| pbxbench | " << str(get(run, {"pbxbench_version"})) << " |\n";
    out << "| Profile | " << str(get(run, {"profile"})) << " (sha256 "
        << (get(run, {"profile_sha256"}).is_string()
                ? run["profile_sha256"].get<std::string>().substr(0, 16)
                : "n/a")
        << "…) |\n";
    if (get(run, {"sut_version"}).is_string())
        out << "| " << report::run_field_label("sut_version") << " | "
            << report::sut_version_text(run["sut_version"].get<std::string>()) << " |\n";
    out << "| Host | " << str(get(run, {"hostname"})) << " |\n";
    out << "| CPU | " << str(get(run, {"cpu_model"})) << ", " << dump(get(run, {"cores"}))
        << " cores |\n";
    out << "| Kernel | " << str(get(run, {"kernel"})) << " |\n";
    out << "| Pinning | " << pinning_text(get(run, {"pinning"})) << " |\n";
    if (const json& attach = get(run, {"attach"}); attach.is_object())
        out << "| SUT | already running, attached (`--attach`): SIP " << str(attach["sip"])
            << ", health "
            << (attach["health_url"].is_string() ? str(attach["health_url"]) : "none")
            << ", monitored PIDs " << (attach["pids"].empty() ? "none" : dump(attach["pids"]))
            << " |\n";
    out << "| Network | loopback (127.0.0.1), UDP |\n";
    out << "| Media | "
        << (any_media(rows)
                ? "G.711 PCMU, 20 ms packets (50/s each way) from the answer to the BYE, echoed "
                  "by the UAS (see Media quality) |\n\n"
                : "none: signaling only (`--no-media`, or no level measured it) |\n\n");
}

void results_table(std::ostream& out, const std::vector<const json*>& rows) {
    out << "## Results per scenario and level\n\n";
    out << "CPU in % of one core (SUT plus sidecars); memory in MB (10^6 bytes) summed over the "
           "SUT's and "
           "sidecars' processes: RSS counts shared pages once per process, PSS divides them among "
           "sharers. "
           "Concurrent calls from the SUT's health endpoint.\n\n";
    out << "| Level | Scenario | Status | Completion | Status codes | Setup p50 / p95 / p99 (ms) | "
           "CPU avg / peak | "
           "RSS avg / peak (MB) | PSS avg / peak (MB) | Concurrent peak / avg | Sustained at full "
           "load (s) |\n";
    out << "| ---: | --- | --- | :---: | --- | :---: | :---: | :---: | :---: | :---: | :---: |\n";
    for (const json* r : rows) {
        const json& row = *r;
        const json& setup = get(row, {"latency", "setup_ms"});
        out << "| " << dump(row["level"]) << " | " << row["scenario"].get<std::string>() << " | "
            << status_text(row) << " | " << completion(row) << " | "
            << status_codes(get(row, {"calls", "status_codes"})) << " | "
            << num(get(setup, {"p50"}), 2) << " / " << num(get(setup, {"p95"}), 2) << " / "
            << num(get(setup, {"p99"}), 2) << " | " << num(get(row, {"sut", "cpu_percent", "avg"}))
            << "% / " << num(get(row, {"sut", "cpu_percent", "peak"})) << "% | "
            << num(get(row, {"sut", "rss_bytes", "avg"}), 1, 1e-6) << " / "
            << num(get(row, {"sut", "rss_bytes", "peak"}), 1, 1e-6) << " | "
            << num(get(row, {"sut", "pss_bytes", "avg"}), 1, 1e-6) << " / "
            << num(get(row, {"sut", "pss_bytes", "peak"}), 1, 1e-6) << " | "
            << num(get(row, {"concurrency", "peak"}), 0) << " / "
            << num(get(row, {"concurrency", "avg"})) << " | "
            << num(get(row, {"concurrency", "sustained_s_at_full_load"})) << " |\n";
    }
    out << '\n';
}

void media_table(std::ostream& out, const std::vector<const json*>& rows) {
    bool any = false;
    for (const json* r : rows) any = any || get(*r, {"media"}).is_object();
    if (!any) return;
    out << "## Media quality\n\nThe UAC sends PCMU (50 packets/s) from the answer to its BYE and "
           "the UAS echoes it back: TX/RX and loss are the UAC's (round trip, against what it "
           "sent); forward loss is what the UAS received against the UAC's RTCP count. Jitter is "
           "RFC 3550's estimate per call, MOS the G.107 E-model (docs/media.md).\n\n";
    out << "| Level | Scenario | TX / RX packets | Loss % | Forward loss % | Jitter p50 / p95 "
           "(ms) | RTT p50 (ms) | MOS mean / p5 | Silent / one-way calls | Pacing lag p99 (ms) "
           "|\n| ---: | --- | :---: | :---: | :---: | :---: | :---: | :---: | :---: | :---: |\n";
    for (const json* r : rows) {
        const json& m = get(*r, {"media"});
        if (!m.is_object()) continue;
        out << "| " << dump((*r)["level"]) << " | " << str(get(*r, {"scenario"}))
            << (full(*r) ? "" : " (" + std::string(report::state_words(state_of(*r))) + ")")
            << " | " << num(get(m, {"packets_sent"}), 0) << " / "
            << num(get(m, {"packets_received"}), 0) << " | " << num(get(m, {"loss_percent"}), 3)
            << " | " << num(get(m, {"uas", "loss_percent"}), 3) << " | "
            << num(get(m, {"jitter_ms", "p50"}), 3) << " / " << num(get(m, {"jitter_ms", "p95"}), 3)
            << " | " << num(get(m, {"rtt_ms", "p50"}), 3) << " | "
            << num(get(m, {"mos", "mean"}), 2) << " / " << num(get(m, {"mos", "p5"}), 2) << " | "
            << num(get(m, {"silent_calls"}), 0) << " / " << num(get(m, {"one_way_calls"}), 0)
            << " | " << num(get(m, {"generator", "pacing_lag", "p99_ms"}), 2) << " |\n";
    }
    out << '\n';
}

void overhead_table(std::ostream& out, const std::vector<const json*>& rows) {
    bool any_ok = false;
    for (const json* r : rows) any_ok = any_ok || full(*r);
    if (!any_ok) return;
    out << "## Per-channel overhead\n\n";
    out << "Levels measured in full only. CPU per call: SUT CPU averaged over the samples at "
           "full load (else over the level) divided by the level; memory per call: peak divided "
           "by the level (fixed costs included, so these overstate the marginal cost; the "
           "scaling fit below separates them). The peak column shows the ramp, when every call "
           "is being set up"
        << (any_media(rows) ? "; at full load each held call carries RTP both ways"
                            : "; without media (--no-media) a held call costs the SUT almost "
                              "nothing, so the full-load figure is near zero")
        << ".\n\n";
    out << "| Level | Scenario | CPU % per call | CPU peak % per call | RSS peak MB per call | PSS "
           "peak MB per call |\n";
    out << "| ---: | --- | :---: | :---: | :---: | :---: |\n";
    for (const json* r : rows) {
        const json& row = *r;
        if (!full(row)) continue;
        const double level = row["level"].get<double>();
        auto per = [&](const json& v, double scale) {
            return level > 0 ? num(v, 4, scale / level) : "n/a";
        };
        std::optional<double> cpu = cpu_per_call(row);
        out << "| " << dump(row["level"]) << " | " << row["scenario"].get<std::string>() << " | "
            << (cpu ? num(*cpu, 4) : "n/a") << " | "
            << per(get(row, {"sut", "cpu_percent", "peak"}), 1) << " | "
            << per(get(row, {"sut", "rss_bytes", "peak"}), 1e-6) << " | "
            << per(get(row, {"sut", "pss_bytes", "peak"}), 1e-6) << " |\n";
    }
    out << '\n';
}

// Every level metric of the table (report/metrics.cpp), the ids compare judges, per level.
void key_figures_table(std::ostream& out, const std::vector<const json*>& rows) {
    if (rows.empty()) return;
    out << "## Key figures\n\nThe metrics `pbxbench compare` judges (their ids, units and "
           "thresholds: docs/results.md, Metrics). Levels not measured in full are not compared; "
           "those cut short (interrupted, SUT died, error) show no figures here, since they "
           "would read as if the plan had been carried out.\n\n| Level | Scenario | State |";
    // The metrics of the loads beside the calls (API, MESSAGE, REGISTER, OPTIONS, hold/resume)
    // get a column only when some level ran that load: without it they are n/a by design, and
    // a dozen empty columns would bury the figures that were measured. The call metrics always
    // show, so a figure that should exist and is missing reads n/a.
    auto shown = [&](const report::Metric& m) {
        if (m.kind != report::RowKind::level) return false;
        static constexpr std::string_view load_prefixes[] = {"api_",     "message_", "register_",
                                                             "options_", "hold_",    "resume_"};
        bool of_a_load = false;
        for (std::string_view p : load_prefixes) of_a_load = of_a_load || m.id.starts_with(p);
        if (!of_a_load) return true;
        for (const json* r : rows)
            if (m.extract(*r)) return true;
        return false;
    };
    std::string align = "| ---: | --- | --- |";
    for (const report::Metric& m : report::metrics()) {
        if (!shown(m)) continue;
        out << " " << m.label << " |";
        align += " :---: |";
    }
    out << "\n" << align << "\n";
    for (const json* r : rows) {
        const report::LevelState state = state_of(*r);
        const bool cut_short =
            state != report::LevelState::ok && state != report::LevelState::calls_failed;
        out << "| " << dump((*r)["level"]) << " | " << str(get(*r, {"scenario"})) << " | "
            << (cut_short ? "**" + std::string(report::state_words(state)) + "**"
                          : std::string(report::state_words(state)))
            << " |";
        for (const report::Metric& m : report::metrics())
            if (shown(m))
                out << " " << (cut_short ? "—" : report::format_value(m.unit, m.extract(*r)))
                    << " |";
        out << "\n";
    }
    out << '\n';
}

void scaling_section(std::ostream& out, const std::vector<const json*>& scaling) {
    if (scaling.empty()) return;
    out << "## Resource scaling estimate\n\nFitted over the levels measured in full: SUT CPU at "
           "full load (\"CPU at full load\" in Key figures; else the level's average) and "
           "memory peak (PSS, else RSS) against concurrent calls.\n\n```\n";
    for (const json* r : scaling) {
        const json& s = (*r)["scaling"];
        out << (*r)["scenario"].get<std::string>() << " (" << str(get(s, {"method"})) << "):\n";
        const json& cpu = s["cpu_percent_fit"];
        double max_cpu = 0;
        std::string points;
        for (const json& pt : get(cpu, {"points"})) {
            max_cpu = std::max(max_cpu, pt[1].get<double>());
            points +=
                (points.empty() ? "" : ", ") + num(pt[0], 0) + " calls " + num(pt[1], 1) + "%";
        }
        out << "  CPU fitted: " << points << "\n";
        // /proc counts CPU in 10 ms ticks: at a 500 ms interval one tick is 2% of a core.
        if (max_cpu < min_cpu_percent_for_capacity)
            out << "  (the CPU fitted stayed below " << num(min_cpu_percent_for_capacity, 0)
                << "% of a core at every level, a few /proc clock ticks per sample: these "
                   "figures are noise; measure larger levels, e.g. --levels 200,500,1000)\n";
        if (cpu.contains("slope") && cpu["points"].size() == 2)
            out << "  (two levels: the line passes through both, so R² is 1 by construction; add "
                   "levels to test it)\n";
        const json& mem = s["memory_mb_fit"];
        if (cpu.contains("slope")) {
            out << "  CPU%    ≈ " << num(cpu["intercept"], 2) << " + calls × "
                << num(cpu["slope"], 4) << "   (R² " << num(cpu["r_squared"], 3) << ")\n";
        } else {
            out << "  CPU%    ≈ calls × " << num(s["cpu_percent_per_call"], 4)
                << "   (per-call average, one level)\n";
        }
        if (mem.contains("slope")) {
            out << "  Mem(MB) ≈ " << num(mem["intercept"], 1) << " + calls × "
                << num(mem["slope"], 4) << "   (R² " << num(mem["r_squared"], 3) << ")\n";
        } else {
            out << "  Mem(MB) ≈ calls × " << num(s["memory_mb_per_call"], 4)
                << "   (per-call average, one level)\n";
        }
        out << "  capacity at " << num(json(s["target_utilisation"].get<double>() * 100), 0)
            << "% CPU: ";
        if (get(s, {"calls_per_core_at_target"}).is_number())
            out << num(s["calls_per_core_at_target"], 0) << " calls per core, "
                << num(s["calls_machine_at_target"], 0) << " calls on this machine ("
                << dump(s["cores"]) << " cores)\n\n";
        else
            out << "not estimated: "
                << (get(s, {"no_capacity_reason"}).is_string()
                        ? s["no_capacity_reason"].get<std::string>()
                        : std::string("no rising fit"))
                << "\n\n";
    }
    out << "```\n\n";
}

// CPU per call of mediaproxy_all over mediaproxy_none at each level both measured.
void media_proxy_section(std::ostream& out, const std::vector<const json*>& rows) {
    std::map<int, std::map<std::string, double>> per_level;
    bool media = false;  // whether the rows compared carried RTP
    for (const json* r : rows) {
        const std::string sc = (*r)["scenario"].get<std::string>();
        if ((sc != "mediaproxy_none" && sc != "mediaproxy_all") || !full(*r)) continue;
        if (auto c = cpu_per_call(*r)) per_level[(*r)["level"].get<int>()][sc] = *c;
        media = media || get(*r, {"media"}).is_object();
    }
    bool header = false;
    for (const auto& [level, by] : per_level) {
        if (by.size() != 2) continue;
        if (!header) {
            out << "## Media proxy overhead\n\nCPU per call of mediaproxy_all over "
                   "mediaproxy_none (SUT plus sidecars, so rtpengine's CPU is in it). "
                << (media ? "Every call carried RTP both ways, so this is the cost of rtpengine "
                            "relaying every packet plus its signaling (offer/answer/delete)."
                          : "The calls carried no media (--no-media), so this is the cost of "
                            "rtpengine's signaling (offer/answer/delete) alone, not of relaying "
                            "RTP.")
                << "\n\n| Level | none CPU % per call | all CPU % per call | Ratio |\n| ---: | "
                   ":---: | :---: | :---: |\n";
            header = true;
        }
        const double none = by.at("mediaproxy_none"), all = by.at("mediaproxy_all");
        out << "| " << level << " | " << num(none, 4) << " | " << num(all, 4) << " | "
            << (none > 0 ? num(all / none, 2) + "×" : std::string("n/a")) << " |\n";
    }
    if (header) out << '\n';
}

// "min / max / k without": the UAC's count of calls per callee, else the UAS's answers.
std::string spread(const json& row) {
    const json* c = &get(row, {"subscribers", "calls_per_callee"});
    if (!c->is_object()) c = &get(row, {"subscribers", "uas_calls_per_user"});
    if (!c->is_object()) return "n/a";
    return num(get(*c, {"min"}), 0) + " / " + num(get(*c, {"max"}), 0) + " / " +
           num(get(*c, {"without_calls"}), 0);
}

std::string challenges(const json& auth) {
    if (!auth.is_object()) return "n/a";
    const json& by = get(auth, {"challenges"});
    std::string out;
    for (const char* kind : {"401", "407"})
        if (get(by, {kind}).is_number())
            out += (out.empty() ? "" : ", ") + std::string(kind) + ": " + num(by[kind], 0);
    if (out.empty()) out = "0";
    if (get(auth, {"nonce_reused"}).is_number())
        out += "; nonce reused " + num(auth["nonce_reused"], 0) + ", fresh " +
               num(get(auth, {"fresh_challenges"}), 0);
    if (get(auth, {"stale"}).is_number() && auth["stale"].get<double>() > 0)
        out += ", stale " + num(auth["stale"], 0);
    if (get(auth, {"unsupported"}).is_number() && auth["unsupported"].get<double>() > 0)
        out += ", **unsupported " + num(auth["unsupported"], 0) + "**";
    return out;
}

std::string registrations(const json& r) {
    if (!r.is_object()) return "n/a";
    std::string out = num(get(r, {"registered"}), 0) + "/" + num(get(r, {"callers"}), 0) + ", " +
                      num(get(r, {"refreshes"}), 0) + " refreshes";
    if (get(r, {"failed"}).is_number() && r["failed"].get<double>() > 0)
        out += ", **" + num(r["failed"], 0) + " failed**";
    return out;
}

// Users whose calls failed authentication, by name (never a password).
std::string auth_failures(const json& auth) {
    const json& by = get(auth, {"failures_by_user"});
    if (!by.is_object() || by.empty()) return auth.is_object() ? "none" : "n/a";
    std::string out;
    for (auto it = by.begin(); it != by.end(); ++it)
        out += (out.empty() ? "" : ", ") + it.key() + " (" + num(it.value(), 0) + " calls)";
    return "**" + out + ": wrong password?**";
}

std::string media_path(const json& p) {
    if (!p.is_object()) return "n/a";
    std::string out =
        "direct " + num(get(p, {"direct"}), 0) + ", relayed " + num(get(p, {"relayed"}), 0);
    const json& relays = get(p, {"relays"});
    if (relays.is_object() && !relays.empty()) {
        std::string list;
        for (auto it = relays.begin(); it != relays.end(); ++it)
            list += (list.empty() ? "" : ", ") + it.key() + ": " + num(it.value(), 0);
        out += " (" + list + ")";
    }
    if (get(p, {"moved"}).is_number() && p["moved"].get<double>() > 0)
        out += ", moved " + num(p["moved"], 0);
    if (get(p, {"unknown"}).is_number() && p["unknown"].get<double>() > 0)
        out += ", unknown " + num(p["unknown"], 0);
    return out;
}

// Every scenario against the run's first one at each level both measured fully: what each
// configuration costs the PBX per call, where its media went, and what the calls heard. For
// any profile (Kamailio's proxies, Asterisk's direct/relay/echo), not only named scenarios.
void scenarios_compared_section(std::ostream& out, const std::vector<const json*>& rows) {
    std::vector<std::string> order;
    std::map<int, std::vector<const json*>> per_level;
    for (const json* r : rows) {
        if (!full(*r)) continue;
        const std::string sc = (*r)["scenario"].get<std::string>();
        if (std::find(order.begin(), order.end(), sc) == order.end()) order.push_back(sc);
        per_level[(*r)["level"].get<int>()].push_back(r);
    }
    if (order.size() < 2) return;
    const std::string& baseline = order.front();
    bool header = false;
    for (const auto& [level, level_rows] : per_level) {
        if (level_rows.size() < 2) continue;
        std::optional<double> base;
        for (const json* r : level_rows)
            if ((*r)["scenario"] == baseline) base = cpu_per_call(*r);
        if (!header) {
            out << "## Scenarios compared\n\nEach scenario against " << baseline
                << " (the run's first) at the same level: SUT CPU % of a core per call (SUT plus "
                   "sidecars), where the UAC's media came from, round-trip loss and MOS.\n\n"
                   "| Level | Scenario | CPU % per call | vs "
                << baseline
                << " | Media path | Loss % | MOS mean |\n| ---: | --- | :---: | :---: | --- | "
                   ":---: | :---: |\n";
            header = true;
        }
        for (const json* r : level_rows) {
            const auto cpu = cpu_per_call(*r);
            std::string ratio = "n/a";
            if (cpu && base && *base > 0) ratio = num(*cpu / *base, 2) + "×";
            out << "| " << level << " | " << (*r)["scenario"].get<std::string>() << " | "
                << (cpu ? num(*cpu, 4) : std::string("n/a")) << " | " << ratio << " | "
                << media_path(get(*r, {"media_path"})) << " | "
                << num(get(*r, {"media", "loss_percent"}), 3) << " | "
                << num(get(*r, {"media", "mos", "mean"}), 2) << " |\n";
        }
    }
    if (header) out << '\n';
}

// received / answered / refused, UAC then UAS; "-" for a side that did not report.
std::string reinvites(const json& row) {
    auto side = [](const json& r) {
        if (!r.is_object()) return std::string("-");
        std::string out = num(get(r, {"received"}), 0) + "/" + num(get(r, {"answered"}), 0) + "/" +
                          num(get(r, {"refused"}), 0);
        if (get(r, {"refused"}).is_number() && r["refused"].get<double>() > 0)
            out = "**" + out + "**";
        return out;
    };
    return side(get(row, {"subscribers", "reinvites", "uac"})) + " ; " +
           side(get(row, {"subscribers", "reinvites", "uas"}));
}

void subscribers_table(std::ostream& out, const std::vector<const json*>& rows) {
    bool any = false;
    for (const json* r : rows) any = any || get(*r, {"subscribers"}).is_object();
    if (!any) return;
    out << "## Subscribers\n\nWho called whom: callers place the calls as themselves (From, "
           "credentials), callees are registered by the UAS, one endpoint each. Calls per "
           "callee proves the spread (min / max / callees that got none). Challenges are those "
           "the callers answered; an auth failure names the user whose calls ended in 401/407 "
           "after our credentials. Media path: where the UAC's RTP came from, per call. "
           "re-INVITEs: received/answered/refused by the UAC ; by the UAS.\n\n";
    out << "| Level | Scenario | Callers | Callees | Calls per callee min / max / without | "
           "Challenges answered | Registrations | Auth failures | Media path | re-INVITEs |\n"
           "| ---: | --- | :---: | :---: | :---: | --- | --- | --- | --- | :---: |\n";
    for (const json* r : rows) {
        const json& row = *r;
        const json& sub = get(row, {"subscribers"});
        if (!sub.is_object()) continue;
        const json& c = get(row, {"config"});
        const json& callers = get(sub, {"population", "callers"}).is_number()
                                  ? get(sub, {"population", "callers"})
                                  : get(c, {"callers"});
        const json& callees = get(sub, {"population", "callees"}).is_number()
                                  ? get(sub, {"population", "callees"})
                                  : get(c, {"callees"});
        std::string mapping = str(get(c, {"mapping"}));
        if (mapping == "random") mapping += " (seed " + get(c, {"seed"}).dump() + ")";
        out << "| " << row["level"].dump() << " | " << str(row["scenario"]) << " | "
            << num(callers, 0) << " | " << num(callees, 0) << " (" << mapping << ") | "
            << spread(row) << " | " << challenges(get(sub, {"auth"})) << " | "
            << (get(c, {"callers_register"}) == true ? registrations(get(sub, {"registrations"}))
                                                     : std::string("not registered"))
            << " | " << auth_failures(get(sub, {"auth"})) << " | "
            << media_path(get(row, {"media_path"})) << " | " << reinvites(row) << " |\n";
    }
    out << '\n';
}

// What INVITE authentication costs the PBX: callauth against mediaproxy_none, per level.
void callauth_section(std::ostream& out, const std::vector<const json*>& rows) {
    struct Figures {
        std::optional<double> cpu;       // % of a core per call, averaged at full load
        std::optional<double> cpu_peak;  // peak % per call: the ramp, where signaling costs
        double cpu_peak_total = 0;
        const json* setup_p50 = nullptr;
    };
    std::map<int, std::map<std::string, Figures>> per_level;
    for (const json* r : rows) {
        const std::string sc = str(get(*r, {"scenario"}));
        if ((sc != "mediaproxy_none" && sc != "callauth") || !full(*r)) continue;
        Figures& f = per_level[(*r)["level"].get<int>()][sc];
        f.cpu = cpu_per_call(*r);
        const json& peak = get(*r, {"sut", "cpu_percent", "peak"});
        const double level = (*r)["level"].get<double>();
        if (peak.is_number() && level > 0) {
            f.cpu_peak = peak.get<double>() / level;
            f.cpu_peak_total = peak.get<double>();
        }
        f.setup_p50 = &get(*r, {"latency", "setup_ms", "p50"});
    }
    // "X vs Y (ratio)" of two per-call CPU figures; no ratio over a zero.
    auto compare = [](std::optional<double> auth, std::optional<double> none) {
        std::string text = (auth ? num(*auth, 4) : "n/a") + " vs " + (none ? num(*none, 4) : "n/a");
        if (auth && none && *none > 0) text += " (" + num(*auth / *none, 2) + "×)";
        return text;
    };
    bool header = false;
    for (const auto& [level, by] : per_level) {
        if (by.size() != 2) continue;
        if (!header) {
            out << "## Cost of INVITE authentication\n\ncallauth (every INVITE challenged with "
                   "407 and digest-checked, callers registered) against mediaproxy_none at the "
                   "same level: SUT CPU % of a core per call, averaged at full load and at the "
                   "peak (the ramp, where the signaling cost shows), callauth vs "
                   "mediaproxy_none, and the setup latency p50 difference.\n\n";
            header = true;
        }
        const Figures& none = by.at("mediaproxy_none");
        const Figures& auth = by.at("callauth");
        std::string setup = "setup p50 n/a";
        if (none.setup_p50->is_number() && auth.setup_p50->is_number()) {
            const double d = auth.setup_p50->get<double>() - none.setup_p50->get<double>();
            setup = "setup p50 " + std::string(d >= 0 ? "+" : "") + num(d, 2) + " ms (" +
                    num(*auth.setup_p50, 2) + " vs " + num(*none.setup_p50, 2) + ")";
        }
        out << "- Level " << level << ": CPU per call " << compare(auth.cpu, none.cpu)
            << ", peak per call " << compare(auth.cpu_peak, none.cpu_peak) << "; " << setup << ".";
        // /proc counts CPU in 10 ms ticks: below a few % of a core the ratio is noise.
        if (std::max(auth.cpu_peak_total, none.cpu_peak_total) < 5)
            out << " (CPU stayed below 5% of a core: noise at this level; measure larger "
                   "levels, e.g. --levels 500,1000)";
        out << '\n';
    }
    if (header) out << '\n';
}

void problems(std::ostream& out, const std::vector<const json*>& rows) {
    std::vector<std::string> lines;
    for (const json* r : rows)
        for (const json& e : get(*r, {"errors"}))
            if (e.is_string())
                lines.push_back((*r)["scenario"].get<std::string>() + " at " + dump((*r)["level"]) +
                                ": " + e.get<std::string>());
    if (lines.empty()) return;
    out << "## Errors and warnings\n\n";
    for (const auto& l : lines) {
        std::string indented;
        for (char ch : l) indented += ch == '\n' ? std::string("\n    ") : std::string(1, ch);
        out << "- " << indented << '\n';
    }
    out << '\n';
}

}  // namespace

// What the profile's [[collect]] steps printed after each level's calls (e.g. trace rows
// against SIP messages), as compact JSON.
void collected_section(std::ostream& out, const std::vector<const json*>& rows) {
    bool any = false;
    for (const json* r : rows) any = any || !get(*r, {"collected"}).empty();
    if (!any) return;
    out << "## Collected after the calls\n\n| Level | Scenario | Name | Value |\n"
           "| ---: | --- | --- | --- |\n";
    for (const json* r : rows) {
        const json& c = get(*r, {"collected"});
        if (!c.is_object()) continue;
        for (auto it = c.begin(); it != c.end(); ++it)
            out << "| " << dump((*r)["level"]) << " | " << str((*r)["scenario"]) << " | "
                << it.key() << " | `" << dump(it.value()) << "` |\n";
    }
    out << "\n";
}

// The SUT log's error lines per level (profile `[sut] error_pattern`): the count and the first
// distinct lines, so failed calls come with the SUT's own words.
void sut_log_section(std::ostream& out, const std::vector<const json*>& rows) {
    bool any = false;
    for (const json* r : rows) any = any || get(*r, {"sut_log"}).is_object();
    if (!any) return;
    out << "## SUT log\n\n";
    for (const json* r : rows) {
        const json& log = get(*r, {"sut_log"});
        if (!log.is_object()) continue;
        out << "- " << str(get(*r, {"scenario"})) << " at " << (*r)["level"].dump() << ": "
            << num(get(log, {"error_lines"}), 0) << " error lines (lines containing `"
            << str(get(log, {"pattern"})) << "`)";
        const json& first = get(log, {"first_distinct"});
        if (first.is_array() && !first.empty()) {
            out << ", " << num(get(log, {"distinct"}), 0) << " distinct; first:";
            for (const json& line : first) out << "\n    `" << str(line) << "`";
        }
        out << '\n';
    }
    out << '\n';
}

std::string render_summary_md(const std::vector<json>& all_rows, const json& run) {
    std::vector<const json*> rows, scaling;
    for (const json& r : all_rows) (get(r, {"kind"}) == "scaling" ? scaling : rows).push_back(&r);
    std::ostringstream out;
    out << "# pbxbench results: " << str(get(run, {"profile"})) << "\n\n";
    std::set<std::string> configs;
    for (const json* r : rows) {
        const json& c = (*r)["config"];
        std::string who = get(c, {"callers"}).is_number()
                              ? ", " + c["callers"].dump() + " callers, " + c["callees"].dump() +
                                    " callees (" + str(get(c, {"mapping"})) + ")"
                              : "";
        configs.insert("CPS=" + num(get(c, {"cps"}), 0) + ", hold=" + num(get(c, {"hold_s"}), 0) +
                       " s, " + dump(get(c, {"uas_count"})) + " UAS endpoints" + who);
    }
    for (const auto& c : configs)
        out << "**Config:** " << c
            << "; each level places `level` calls (fast ramp, long hold), so concurrency = "
               "level.\n\n";
    environment(out, run, rows);
    results_table(out, rows);
    key_figures_table(out, rows);
    media_table(out, rows);
    subscribers_table(out, rows);
    methods_section(out, rows);
    midcall_section(out, rows);
    overhead_table(out, rows);
    scaling_section(out, scaling);
    media_proxy_section(out, rows);
    scenarios_compared_section(out, rows);
    callauth_section(out, rows);
    http_load_section(out, rows);
    messages_section(out, rows);
    collected_section(out, rows);
    sut_log_section(out, rows);
    problems(out, rows);
    return out.str();
}

}  // namespace pbxbench::harness
