// Per-run sections of report.html: each level's time series and latency, scaling fits, media.
#include "report/report_sections.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "report/level_state.hpp"
#include "report/metrics.hpp"
#include "report/svg_chart.hpp"

namespace pbxbench::report {

namespace {

using nlohmann::json;

std::string fixed(double v, int digits) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

Series time_series(const SampleSeries& s, std::string name,
                   std::optional<double> (*pick)(const SamplePoint&), double scale = 1.0) {
    Series out;
    out.name = std::move(name);
    out.source = s.file.string();
    out.samples = s.points.size();
    for (const SamplePoint& p : s.points)
        if (auto v = pick(p)) out.points.push_back({p.t_s, *v * scale});
    return out;
}

// Setup, post-dial delay and BYE latency as percentile curves (the rows keep percentiles,
// not every call's value).
Chart latency_chart(const json& row, const std::string& title) {
    Chart c;
    c.title = title;
    c.x_label = "percentile of calls";
    c.y_label = "ms";
    const std::pair<const char*, const char*> kinds[] = {{"setup_ms", "setup (INVITE to 200)"},
                                                         {"post_dial_delay_ms", "post-dial delay"},
                                                         {"bye_ms", "BYE to 200"}};
    const std::pair<double, const char*> ranks[] = {{0, "min"},  {50, "p50"}, {90, "p90"},
                                                    {95, "p95"}, {99, "p99"}, {100, "max"}};
    for (const auto& [key, name] : kinds) {
        Series s;
        s.name = name;
        s.style = SeriesStyle::line;
        // No value was measured (no 180/183 before the answer: no post-dial delay), and the
        // row's percentiles then read 0: drawn, that would be a flat 0 ms line. The legend
        // says "no samples" instead.
        const auto count = number_at(row, std::string("latency.") + key + ".count");
        if (!count || *count > 0)
            for (const auto& [x, field] : ranks)
                if (auto v = number_at(row, std::string("latency.") + key + "." + field))
                    s.points.push_back({x, *v});
        if (!s.points.empty() || count) c.series.push_back(std::move(s));
    }
    return c;
}

// The error's first line, or "not measured in full" when the row has none (interrupted).
std::string first_line(const std::string& error) {
    if (error.empty()) return "not measured in full";
    return error.substr(0, std::min(error.find('\n'), error.find("; its log ends with")));
}

std::string figures_line(const json& row) {
    std::string out;
    for (const char* id : {"completion_percent", "cpu_avg_percent", "cpu_peak_percent",
                           "mem_peak_bytes", "setup_p95_ms"}) {
        const Metric* m = find_metric(id);
        out += "<span><b>" + escape_html(std::string(m->label)) + "</b> " +
               format_value(m->unit, m->extract(row)) + "</span> ";
    }
    return out;
}

}  // namespace

std::vector<std::string> scenarios_of(const RunData& run) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto* rows : {&run.levels, &run.scalings})
        for (const json& r : *rows)
            if (seen.insert(string_at(r, "scenario")).second)
                out.push_back(string_at(r, "scenario"));
    return out;
}

std::vector<const json*> levels_of(const RunData& run, const std::string& scenario) {
    std::vector<const json*> out;
    for (const json& r : run.levels)
        if (string_at(r, "scenario") == scenario) out.push_back(&r);
    return out;
}

const json* scaling_of(const RunData& run, const std::string& scenario) {
    const json* found = nullptr;
    for (const json& r : run.scalings)
        if (string_at(r, "scenario") == scenario) found = &r;
    return found;
}

std::string level_section(const RunData& run, const json& row) {
    const std::string scenario = string_at(row, "scenario");
    const int level = static_cast<int>(number_at(row, "level").value_or(0));
    const std::string name = scenario + " @ " + std::to_string(level) + " calls";
    std::string out = "<section class=\"level\" data-scenario=\"" + escape_html(scenario) +
                      "\" data-level=\"" + std::to_string(level) + "\"><h4>" + escape_html(name);
    const LevelState state = level_state(row);
    if (!measured_in_full(state))
        out += " <span class=\"bad state\" data-state=\"" + std::string(to_string(state)) + "\">" +
               escape_html(std::string(state_words(state))) +
               ": not measured in full, left out of the fits and overview charts</span>";
    out += "</h4><p class=\"figures\">" + figures_line(row) + "</p>";
    if (!string_at(row, "error").empty())
        out += "<pre class=\"error\">" + escape_html(string_at(row, "error")) + "</pre>";
    out += "<div class=\"grid\">";
    auto samples = load_samples(run, scenario, level);
    if (!samples) {
        out += "<p class=\"note\">" + escape_html(samples.error().message) + "</p>";
    } else {
        Chart cpu{"SUT CPU over time", "seconds", "% of one core", {}, {}, 620, 240};
        cpu.series.push_back(time_series(*samples, "SUT + sidecars CPU %",
                                         [](const SamplePoint& p) { return p.cpu_percent; }));
        Chart mem{"SUT memory over time", "seconds", "MB", {}, {}, 620, 240};
        mem.series.push_back(time_series(
            *samples, "RSS", [](const SamplePoint& p) { return p.rss_bytes; }, 1e-6));
        mem.series.push_back(time_series(
            *samples, "PSS", [](const SamplePoint& p) { return p.pss_bytes; }, 1e-6));
        Chart calls{
            "Concurrent calls (health endpoint)", "seconds", "active calls", {}, {}, 620, 240};
        calls.series.push_back(
            time_series(*samples, "active calls", [](const SamplePoint& p) { return p.calls; }));
        out += render_chart(cpu) + render_chart(mem) + render_chart(calls);
    }
    out += render_chart(latency_chart(row, "Latency distribution")) + "</div></section>";
    return out;
}

std::string levels_overview(const RunData& run) {
    const char* shown[] = {"setup_p95_ms", "cpu_avg_percent", "cpu_per_call_percent",
                           "mem_peak_bytes", "loss_percent"};
    std::string out =
        "<table class=\"levels\"><tr><th>Scenario</th><th>Level</th><th>State</th>"
        "<th>Completed</th>";
    for (const char* id : shown)
        out += "<th>" + escape_html(std::string(find_metric(id)->label)) + "</th>";
    out += "</tr>";
    for (const json& row : run.levels) {
        const LevelState state = level_state(row);
        const bool full = measured_in_full(state);
        auto completed = number_at(row, "calls.completed");
        auto level = number_at(row, "level");
        out += std::string("<tr") + (full ? "" : " class=\"bad\"") + " data-state=\"" +
               std::string(to_string(state)) + "\"><td>" + escape_html(string_at(row, "scenario")) +
               "</td><td>" + (level ? fixed(*level, 0) : std::string("n/a")) + "</td><td>" +
               escape_html(std::string(state_words(state))) +
               (full ? std::string() : escape_html(": " + first_line(string_at(row, "error")))) +
               "</td><td>" +
               (completed && level ? fixed(*completed, 0) + "/" + fixed(*level, 0)
                                   : std::string("n/a")) +
               "</td>";
        for (const char* id : shown) {
            const Metric* m = find_metric(id);
            out += "<td>" + format_value(m->unit, m->extract(row)) + "</td>";
        }
        out += "</tr>";
    }
    return out + "</table>";
}

std::string scaling_section(const std::vector<const RunData*>& runs, const std::string& scenario) {
    const std::pair<const char*, const char*> fits[] = {{"cpu_percent_fit", "CPU %"},
                                                        {"memory_mb_fit", "memory MB"}};
    std::string out = "<div class=\"grid\">";
    bool any = false;
    for (const auto& [key, what] : fits) {
        Chart c;
        c.title = std::string("Scaling: ") + what + " against concurrent calls";
        c.x_label = "concurrent calls";
        c.y_label = what;
        for (const RunData* run : runs) {
            const json* row = scaling_of(*run, scenario);
            if (row == nullptr) continue;
            const json& fit = (*row)["scaling"][key];
            Series s;
            s.name = runs.size() > 1 ? run->label : std::string(what);
            s.source = "results.jsonl";
            s.style = SeriesStyle::markers;
            if (fit.is_object() && fit.contains("points") && fit["points"].is_array())
                for (const json& p : fit["points"])
                    if (p.is_array() && p.size() == 2 && p[0].is_number() && p[1].is_number())
                        s.points.push_back({p[0].get<double>(), p[1].get<double>()});
            auto a = number_at(fit, "intercept"), b = number_at(fit, "slope");
            auto r2 = number_at(fit, "r_squared");
            if (a && b)
                c.fits.push_back({(runs.size() > 1 ? run->label + ": " : std::string()) + what +
                                      " = " + fixed(*a, 3) + " + " + fixed(*b, 5) + " x calls" +
                                      (r2 ? " (R\u00b2 " + fixed(*r2, 3) + ")" : ""),
                                  *a, *b, c.series.size()});
            c.series.push_back(std::move(s));
            any = true;
        }
        out += render_chart(c);
    }
    out += "</div>";
    if (!any) return "<p class=\"note\">no scaling row for " + escape_html(scenario) + "</p>";
    for (const RunData* run : runs)
        if (const json* row = scaling_of(*run, scenario)) {
            const std::string who = runs.size() > 1 ? escape_html(run->label) + ": " : "";
            out += "<p class=\"note\">" + who + escape_html(string_at(*row, "scaling.method")) +
                   " over the levels measured in full.";
            const json* points = nullptr;
            if (row->contains("scaling") && (*row)["scaling"].is_object() &&
                (*row)["scaling"].contains("cpu_percent_fit"))
                points = &(*row)["scaling"]["cpu_percent_fit"];
            if (points && points->contains("slope") && points->contains("points") &&
                (*points)["points"].size() == 2)
                out +=
                    " Two levels: the line passes through both, so R\u00b2 is 1 by "
                    "construction.";
            out += "</p>";
            if (auto calls = number_at(*row, "scaling.calls_per_core_at_target"))
                out += "<p class=\"capacity\">" + who + "capacity at 70% CPU: " + fixed(*calls, 0) +
                       " calls per core</p>";
            else
                out += "<p class=\"capacity none\">" + who + "no capacity estimate: " +
                       escape_html(string_at(*row, "scaling.no_capacity_reason").empty()
                                       ? std::string("the fit does not rise")
                                       : string_at(*row, "scaling.no_capacity_reason")) +
                       "</p>";
        }
    return out;
}

std::string media_section(const RunData& run, const std::string& scenario, bool include_partial) {
    const auto rows = levels_of(run, scenario);
    std::string table;
    Chart loss{"Media loss by level", "concurrent calls", "loss %", {}, {}, 620, 220};
    Chart mos{"MOS by level", "concurrent calls", "MOS", {}, {}, 620, 220};
    Series loss_s{"loss %", "results.jsonl", std::nullopt, {}, SeriesStyle::line};
    Series mos_s{"MOS mean", "results.jsonl", std::nullopt, {}, SeriesStyle::line};
    Series mos_p5{"MOS p5", "results.jsonl", std::nullopt, {}, SeriesStyle::line};
    for (const json* r : rows) {
        if (!(*r).contains("media") || !(*r)["media"].is_object()) continue;
        const double level = number_at(*r, "level").value_or(0);
        auto cell = [&](const char* path, int digits) {
            auto v = number_at(*r, path);
            return "<td>" + (v ? fixed(*v, digits) : std::string("n/a")) + "</td>";
        };
        const LevelState state = level_state(*r);
        table += "<tr><td>" + fixed(level, 0) + "</td><td" +
                 (measured_in_full(state) ? std::string(">") : std::string(" class=\"bad\">")) +
                 std::string(state_words(state)) + "</td>" + cell("media.calls", 0) +
                 cell("media.loss_percent", 3) + cell("media.jitter_ms.p50", 2) +
                 cell("media.jitter_ms.p95", 2) + cell("media.jitter_ms.max", 2) +
                 cell("media.mos.mean", 2) + cell("media.mos.p5", 2) +
                 cell("media.silent_calls", 0) + cell("media.one_way_calls", 0) + "</tr>";
        if (!measured_in_full(state) && !include_partial) continue;  // charted: full ones only
        if (auto v = number_at(*r, "media.loss_percent")) loss_s.points.push_back({level, *v});
        if (number_at(*r, "media.mos.count").value_or(0) > 0) {
            if (auto v = number_at(*r, "media.mos.mean")) mos_s.points.push_back({level, *v});
            if (auto v = number_at(*r, "media.mos.p5")) mos_p5.points.push_back({level, *v});
        }
    }
    if (table.empty())
        return "<p class=\"note\">Media: not measured in this run (<code>\"media\": null</code> "
               "in every level row).</p>";
    loss.series.push_back(std::move(loss_s));
    mos.series.push_back(std::move(mos_s));
    mos.series.push_back(std::move(mos_p5));
    return "<table><tr><th>level</th><th>state</th><th>calls</th><th>loss %</th><th>jitter p50 "
           "ms</th>"
           "<th>jitter p95 ms</th><th>jitter max ms</th><th>MOS mean</th><th>MOS p5</th>"
           "<th>silent calls</th><th>one-way calls</th></tr>" +
           table + "</table><div class=\"grid\">" + render_chart(loss) + render_chart(mos) +
           "</div>";
}

}  // namespace pbxbench::report
