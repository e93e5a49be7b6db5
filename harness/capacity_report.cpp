// capacity.jsonl rows and summary.md of `pbxbench capacity`, from the search and its trials.
#include "harness/capacity_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "harness/json_path.hpp"
#include "harness/run_report.hpp"

namespace pbxbench::harness {

namespace {

using nlohmann::json;

constexpr auto get = &json_at;

std::string num(const json& v, int decimals = 0, double scale = 1) {
    if (!v.is_number()) return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v.get<double>() * scale);
    return buf;
}

std::string g(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string str(const json& v) {
    return v.is_string() ? v.get<std::string>() : (v.is_null() ? "n/a" : v.dump());
}

std::string cell(std::string s) {
    for (char& c : s)
        if (c == '|' || c == '\n') c = c == '|' ? '/' : ' ';
    return s;
}

// The failing trial closest above `value` (any trial when value is null): why the SUT broke.
const json* breaking_trial(const std::vector<json>& trials, std::optional<double> value) {
    const json* best = nullptr;
    for (const json& t : trials) {
        if (get(t, {"verdict"}) != "fail") continue;
        const double v = get(t, {"trial", "value"}).get<double>();
        if (value && v <= *value) continue;
        if (!best || v < get(*best, {"trial", "value"}).get<double>()) best = &t;
    }
    return best;
}

std::string generator_fix() {
    return "give the generator CPUs of its own (--pin sut=0,gen=1), spread the UAC over threads "
           "(--threads 2), or lower --max; a generator on another host comes later";
}

// The stop reason in words, naming what to do about it.
std::string explain(const SearchInfo& info, const SearchOutcome& o,
                    const std::vector<json>& trials) {
    const std::string unit = " " + info.unit;
    auto last_why = [&]() -> std::string {
        for (auto it = trials.rbegin(); it != trials.rend(); ++it) {
            const json& why = get(*it, {"why"});
            if (why.is_array() && !why.empty()) return why[0].get<std::string>();
        }
        return "no reason recorded";
    };
    switch (o.reason) {
        case StopReason::confirmed:
            return "confirmed at " + g(*o.confirmed) + unit + " by a longer trial";
        case StopReason::generator_bound: {
            std::string reasons;
            for (const json& t : trials)
                if (get(t, {"verdict"}) == "generator_bound")
                    for (const json& r : get(t, {"generator_reasons"}))
                        reasons += (reasons.empty() ? "" : "; ") + r.get<std::string>();
            return "limited by the generator at " + g(o.stopped_at.value_or(0)) + unit + " (" +
                   reasons + ")" +
                   (o.confirmed
                        ? "; the SUT holds at least " + g(*o.confirmed) + unit + " (confirmed)"
                        : std::string()) +
                   ": its own limit is above what we could offer. To measure it, " +
                   generator_fix();
        }
        case StopReason::error:
            return "stopped at " + g(o.stopped_at.value_or(0)) + unit +
                   ": the trial measured nothing (" + last_why() +
                   "); what was measured before stays";
        case StopReason::interrupted:
            return "interrupted (SIGINT/SIGTERM)";
        case StopReason::below_minimum:
            return "the SUT failed even at the lowest value tried (" + last_why() + ")";
        case StopReason::budget:
            return "the budget ran out before a confirmation trial passed: give more --budget, "
                   "shorten --trial/--confirm, or start nearer the answer with --start";
    }
    return "";
}

}  // namespace

json build_trial_row(const SearchInfo& info, const TrialFacts& f, const TrialAssessment& a,
                     const json& level_row, const json& run) {
    json row = a.to_json();
    row["kind"] = "trial";
    row["schema_version"] = results_schema_version;
    row["run"] = run;
    row["scenario"] = info.scenario;
    row["find"] = info.find;
    row["sut_mode"] = info.sut_mode;
    row["trial"] = {
        {"index", f.request.index},
        {"purpose", std::string(to_string(f.request.purpose))},
        {"value", f.request.value},
        {"unit", info.unit},
        {"duration_s", f.request.duration_s},
        {"calls", f.calls},
        {"cps", f.cps},
        {"hold_s", f.hold_s},
        {"media", f.media},
        {"cost_s", f.cost_s},
        {"aborted_early", f.aborted_early},
        {"retransmissions", f.retransmissions ? json(*f.retransmissions) : json(nullptr)},
        {"sip_messages", f.sip_messages ? f.sip_messages->to_json() : json(nullptr)}};
    row["level"] = level_row;
    return row;
}

json build_capacity_row(const SearchInfo& info, const CapacitySearch& search,
                        const std::vector<json>& trial_rows, double elapsed_s, const json& run) {
    const SearchOutcome o = search.outcome();
    std::vector<json> trials;
    for (const json& t : trial_rows)
        if (get(t, {"scenario"}) == info.scenario) trials.push_back(t);
    json path = json::array();
    for (const TrialRecord& r : search.history())
        path.push_back({{"index", r.request.index},
                        {"purpose", std::string(to_string(r.request.purpose))},
                        {"value", r.request.value},
                        {"duration_s", r.request.duration_s},
                        {"verdict", std::string(to_string(r.verdict))},
                        {"cost_s", r.cost_s}});
    json slos = json::array();
    for (const Slo& s : info.slos) slos.push_back(s.text());
    json broke = nullptr;
    if (const json* b = breaking_trial(trials, o.confirmed))
        broke = {{"value", get(*b, {"trial", "value"})}, {"why", get(*b, {"why"})}};
    auto opt = [](std::optional<double> v) { return v ? json(*v) : json(nullptr); };
    double value = o.confirmed.value_or(0);
    json planning = nullptr;
    // 70% of a floor (the generator's limit came first) would plan on a guess.
    if (o.confirmed && o.reason == StopReason::confirmed)
        planning = info.find == "concurrent" ? json(std::floor(value * planning_share))
                                             : json(std::round(value * planning_share * 10) / 10);
    return {{"kind", "capacity"},
            {"schema_version", results_schema_version},
            {"run", run},
            {"scenario", info.scenario},
            {"find", info.find},
            {"unit", info.unit},
            {"sut_mode", info.sut_mode},
            {"result",
             {{"value", opt(o.confirmed)},
              {"confirmed", o.confirmed.has_value()},
              {"planning_value", planning},
              {"planning_share", planning_share},
              {"stop_reason", std::string(to_string(o.reason))},
              {"explanation", explain(info, o, trials)},
              {"highest_pass", opt(o.highest_pass)},
              {"lowest_failure", opt(o.lowest_failure)},
              {"resolution_reached", o.resolution_reached},
              {"stopped_at", opt(o.stopped_at)},
              {"broke_above", broke}}},
            {"slos", slos},
            {"search",
             {{"config", info.config},
              {"trials", search.history().size()},
              {"elapsed_s", elapsed_s},
              {"path", path}}}};
}

std::string render_capacity_md(const std::vector<json>& rows, const json& run) {
    std::ostringstream out;
    out << "# pbxbench capacity: " << str(get(run, {"profile"})) << "\n\n";
    out << "Machine: " << str(get(run, {"cpu_model"})) << ", " << get(run, {"cores"}).dump()
        << " cores, " << str(get(run, {"kernel"})) << "; started " << str(get(run, {"started_at"}))
        << ".\n\n";
    std::vector<std::string> scenarios;
    for (const json& r : rows) {
        const std::string s = str(get(r, {"scenario"}));
        if (std::find(scenarios.begin(), scenarios.end(), s) == scenarios.end())
            scenarios.push_back(s);
    }
    for (const std::string& scenario : scenarios) {
        std::vector<const json*> trials;
        const json* result = nullptr;
        for (const json& r : rows) {
            if (get(r, {"scenario"}) != scenario) continue;
            if (get(r, {"kind"}) == "trial") trials.push_back(&r);
            if (get(r, {"kind"}) == "capacity") result = &r;
        }
        if (trials.empty()) continue;
        const json& first = *trials.front();
        const std::string unit = str(get(first, {"trial", "unit"}));
        const bool cps = get(first, {"find"}) == "cps";
        out << "## " << scenario << ": " << (cps ? "call rate" : "concurrent calls") << "\n\n";
        const std::string mode = str(get(first, {"sut_mode"}));
        out << "SUT: "
            << (mode == "fresh"  ? "a fresh SUT per trial"
                : mode == "warm" ? "**warm**: one SUT kept across every trial (`--warm`)"
                                 : "attached: the running PBX (`--attach`), never restarted")
            << ". ";
        if (cps)
            out << "Each trial offers its rate for a fixed time (calls = rate × time), hold "
                << num(get(first, {"trial", "hold_s"}), 1) << " s, "
                << (get(first, {"trial", "media"}) == true ? "media on" : "no media") << ".\n\n";
        else
            out << "Each trial ramps to its level at " << num(get(first, {"trial", "cps"}))
                << " calls/s and holds every call, "
                << (get(first, {"trial", "media"}) == true ? "media both ways" : "no media")
                << ".\n\n";
        if (result) {
            const json& res = (*result)["result"];
            if (res["confirmed"] == true && res["stop_reason"] == "generator_bound")
                out << "**Result: at least " << num(res["value"], cps ? 1 : 0) << " " << unit
                    << "** (confirmed; the generator, not the SUT, could offer no more: see "
                       "below).\n\n";
            else if (res["confirmed"] == true)
                out << "**Result: " << num(res["value"], cps ? 1 : 0) << " " << unit
                    << "**, confirmed by a " << num(get(*result, {"search", "config", "confirm_s"}))
                    << " s trial. **Capacity planning at 70%: "
                    << num(res["planning_value"], cps ? 1 : 0) << " " << unit << ".**\n\n";
            else
                out << "**Result: none confirmed** (" << str(res["stop_reason"]) << ").\n\n";
            out << "Why the search stopped: " << str(res["explanation"]) << ".\n\n";
            if (res["broke_above"].is_object()) {
                out << "Why it broke at " << num(res["broke_above"]["value"], cps ? 1 : 0) << " "
                    << unit << ":\n";
                for (const json& w : res["broke_above"]["why"]) out << "- " << str(w) << "\n";
                out << "\n";
            }
            out << "Search: " << get(*result, {"search", "trials"}).dump() << " trials in "
                << num(get(*result, {"search", "elapsed_s"})) << " s (budget "
                << num(get(*result, {"search", "config", "budget_s"})) << " s); SLOs:";
            for (const json& s : (*result)["slos"]) out << " `" << str(s) << "`";
            out << ".\n\n";
        }
        std::vector<const json*> ladder = trials;
        std::stable_sort(ladder.begin(), ladder.end(), [](const json* a, const json* b) {
            return get(*a, {"trial", "value"}).get<double>() <
                   get(*b, {"trial", "value"}).get<double>();
        });
        out << "| " << (cps ? "Rate (calls/s)" : "Level (calls)")
            << " | Trial | Calls | Success % | Peak concurrent | SIP msgs/s (PBX in+out, our side) "
               "| "
               "Retransmissions | Timeouts | SUT CPU avg / peak (%) | SUT RSS peak (MB) | "
               "SUT log errors | Verdict | Why |\n"
               "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: | ---: | ---: | --- "
               "| --- |\n";
        for (const json* t : ladder) {
            const json& lv = get(*t, {"level"});
            const json& attempted = get(lv, {"calls", "attempted"});
            const json& completed = get(lv, {"calls", "completed"});
            std::string success = "n/a";
            if (attempted.is_number() && completed.is_number() && attempted.get<double>() > 0)
                success = num(json(completed.get<double>() * 100 / attempted.get<double>()), 2);
            double timeouts = 0;
            const json& tm = get(lv, {"calls", "timeouts"});
            if (tm.is_object())
                for (const json& v : tm) timeouts += v.is_number() ? v.get<double>() : 0;
            const json& why = get(*t, {"why"});
            std::string why_text = why.is_array() && !why.empty() ? why[0].get<std::string>() : "";
            if (why_text.size() > 160) why_text = why_text.substr(0, 160) + "…";
            out << "| " << g(get(*t, {"trial", "value"}).get<double>()) << " | #"
                << get(*t, {"trial", "index"}).dump() << " " << str(get(*t, {"trial", "purpose"}))
                << " (" << num(get(*t, {"trial", "duration_s"})) << " s) | " << num(attempted)
                << " | " << success << " | " << num(get(lv, {"concurrency", "peak"})) << " | "
                << num(get(*t, {"trial", "sip_messages", "per_s"})) << " | "
                << num(get(*t, {"trial", "retransmissions"})) << " | " << g(timeouts) << " | "
                << num(get(lv, {"sut", "cpu_percent", "avg"})) << " / "
                << num(get(lv, {"sut", "cpu_percent", "peak"})) << " | "
                << num(get(lv, {"sut", "rss_bytes", "peak"}), 1, 1e-6) << " | "
                << num(get(lv, {"sut_log", "error_lines"})) << " | **" << str(get(*t, {"verdict"}))
                << "** | " << cell(why_text) << " |\n";
        }
        out << "\n";
    }
    return out.str();
}

}  // namespace pbxbench::harness
