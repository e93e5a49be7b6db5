#include "harness/http_load_report.hpp"

#include <cstdio>
#include <string>

#include "harness/json_path.hpp"
#include "report/level_state.hpp"

namespace pbxbench::harness {

namespace {

using nlohmann::json;

std::string num(const json& v, int decimals) {
    if (!v.is_number()) return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v.get<double>());
    return buf;
}

std::string counts(const json& object) {
    if (!object.is_object() || object.empty()) return "none";
    std::string out;
    for (auto it = object.begin(); it != object.end(); ++it)
        out += (out.empty() ? "" : ", ") + it.key() + ":" + it.value().dump();
    return out;
}

// "connect_refused:2, other:1" for the kinds that happened; timeouts have their own column.
std::string other_errors(const json& errors) {
    std::string out;
    if (!errors.is_object()) return "n/a";
    for (auto it = errors.begin(); it != errors.end(); ++it)
        if (it.key() != "timeout" && it.value().is_number() && it.value().get<double>() > 0)
            out += (out.empty() ? "" : ", ") + it.key() + ":" + it.value().dump();
    return out.empty() ? "0" : out;
}

std::string text(const json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

bool has_load(const json& row) {
    return json_at(row, {"http_load", "streams"}).is_object();
}

// The row the API-loaded `row` is compared with: its baseline scenario at the same level and
// repeat, else the same scenario at that level without API load (e.g. an appended run).
const json* baseline_for(const json& row, const std::vector<const json*>& rows) {
    const json& named = json_at(row, {"http_load", "baseline_scenario"});
    for (const json* r : rows) {
        if (has_load(*r) || !report::measured_in_full(*r) || (*r)["level"] != row["level"])
            continue;
        if (named.is_string() ? (*r)["scenario"] == named : (*r)["scenario"] == row["scenario"])
            return r;
    }
    return nullptr;
}

void streams_table(std::ostream& out, const std::vector<const json*>& rows) {
    out << "## Management API load\n\nRequests sent to the PBX's management API while the "
           "calls ran (open loop: each at its due time, whether or not earlier ones were "
           "answered). Latency over answered requests only; a request past its timeout is "
           "aborted and counted as a timeout; `behind` means late starts (more than 10 ms after "
           "the due time) or requests dropped at the in-flight cap.\n\n"
           "| Scenario | Level | Stream | Rate asked /s | Sent /s | Answered /s | Sent | Answered "
           "| p50 ms | p95 ms | p99 ms | Statuses | Timeouts | Other errors | Behind |\n"
           "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | "
           "---: | --- | --- |\n";
    for (const json* r : rows) {
        if (!has_load(*r)) continue;
        const json& streams = (*r)["http_load"]["streams"];
        for (auto it = streams.begin(); it != streams.end(); ++it) {
            const json& s = it.value();
            const json& lat = json_at(s, {"latency_ms"});
            std::string behind = json_at(s, {"behind_schedule"}) == true ? "**yes**" : "no";
            if (json_at(s, {"behind_schedule"}) == true)
                behind += " (" + text(json_at(s, {"late_starts"})) + " late, " +
                          text(json_at(s, {"dropped_in_flight_limit"})) + " dropped)";
            out << "| " << text((*r)["scenario"]) << " | " << text((*r)["level"]) << " | "
                << it.key() << " | " << num(json_at(s, {"rate_per_s"}), 1) << " | "
                << num(json_at(s, {"sent_per_s"}), 1) << " | "
                << num(json_at(s, {"answered_per_s"}), 1) << " | " << text(json_at(s, {"sent"}))
                << " | " << text(json_at(s, {"answered"})) << " | " << num(json_at(lat, {"p50"}), 2)
                << " | " << num(json_at(lat, {"p95"}), 2) << " | " << num(json_at(lat, {"p99"}), 2)
                << " | " << counts(json_at(s, {"status_codes"})) << " | "
                << text(json_at(s, {"errors", "timeout"})) << " | "
                << other_errors(json_at(s, {"errors"})) << " | " << behind << " |\n";
        }
    }
    out << '\n';
}

void setup_compared(std::ostream& out, const std::vector<const json*>& rows) {
    bool header = false;
    for (const json* r : rows) {
        if (!has_load(*r)) continue;
        const json* base = baseline_for(*r, rows);
        if (!base) continue;
        if (!header) {
            out << "Call setup latency with the API load beside the same level without it "
                   "(the scenario's `http_load_baseline`, else the same scenario without API "
                   "load):\n\n| Level | With API load | p50 ms | p95 ms | Without | p50 ms | "
                   "p95 ms | p95 change ms |\n| ---: | --- | ---: | ---: | --- | ---: | ---: | "
                   "---: |\n";
            header = true;
        }
        const json& with = json_at(*r, {"latency", "setup_ms"});
        const json& without = json_at(*base, {"latency", "setup_ms"});
        json change = nullptr;
        if (json_at(with, {"p95"}).is_number() && json_at(without, {"p95"}).is_number())
            change = with["p95"].get<double>() - without["p95"].get<double>();
        std::string delta = num(change, 2);
        if (change.is_number() && change.get<double>() >= 0) delta = "+" + delta;
        out << "| " << text((*r)["level"]) << " | " << text((*r)["scenario"]) << " | "
            << num(json_at(with, {"p50"}), 2) << " | " << num(json_at(with, {"p95"}), 2) << " | "
            << text((*base)["scenario"]) << " | " << num(json_at(without, {"p50"}), 2) << " | "
            << num(json_at(without, {"p95"}), 2) << " | " << delta << " |\n";
    }
    if (header) out << '\n';
}

}  // namespace

void http_load_section(std::ostream& out, const std::vector<const json*>& rows) {
    bool any = false;
    for (const json* r : rows) any = any || has_load(*r);
    if (!any) return;
    streams_table(out, rows);
    setup_compared(out, rows);
}

}  // namespace pbxbench::harness
