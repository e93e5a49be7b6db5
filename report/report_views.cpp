// Views of report.html that put things side by side: every scenario of a run, and every
// run (release) of the report.
#include <set>

#include <nlohmann/json.hpp>

#include "report/level_state.hpp"
#include "report/metrics.hpp"
#include "report/report_sections.hpp"
#include "report/svg_chart.hpp"

namespace pbxbench::report {

namespace {

using nlohmann::json;

// The mean of a metric over the rows (repeats) that have it.
std::optional<double> mean_of(const Metric& m, const std::vector<const json*>& rows) {
    double sum = 0;
    int n = 0;
    for (const json* r : rows)
        if (auto v = m.extract(*r)) sum += *v, ++n;
    if (n == 0) return std::nullopt;
    return sum / n;
}

// The repeats of scenario@level measured in full: overview charts and tables leave the others
// (interrupted, failed calls, SUT died, error) out; each level's own section marks them.
std::vector<const json*> rows_at(const RunData& run, const std::string& scenario, int level,
                                 bool include_partial) {
    std::vector<const json*> out;
    for (const json* r : levels_of(run, scenario))
        if (number_at(*r, "level") == static_cast<double>(level) &&
            (include_partial || measured_in_full(*r)))
            out.push_back(r);
    return out;
}

// "Left out of the overview (not measured in full): a@20 (interrupted), ..." or "".
std::string left_out_note(const std::vector<const RunData*>& runs, bool include_partial) {
    std::string list;
    for (const RunData* run : runs)
        for (const json& r : run->levels) {
            const LevelState state = level_state(r);
            if (measured_in_full(state)) continue;
            list += (list.empty() ? "" : ", ") +
                    (runs.size() > 1 ? run->label + ": " : std::string()) +
                    string_at(r, "scenario") + "@" +
                    std::to_string(static_cast<int>(number_at(r, "level").value_or(0))) + " (" +
                    std::string(state_words(state)) + ")";
        }
    if (list.empty()) return {};
    if (include_partial)
        return "<p class=\"note bad\">Included in these charts and tables although not measured "
               "in full (--include-partial): " +
               escape_html(list) + "</p>";
    return "<p class=\"note bad\">Left out of these charts and tables (not measured in full): " +
           escape_html(list) + "</p>";
}

std::vector<int> levels_in(const RunData& run) {
    std::set<int> levels;
    for (const json& r : run.levels) levels.insert(static_cast<int>(*number_at(r, "level")));
    return {levels.begin(), levels.end()};
}

// Bytes are charted in MB.
double chart_scale(const Metric& m) {
    return m.unit == Unit::bytes ? 1e-6 : 1.0;
}

std::string chart_unit(const Metric& m) {
    switch (m.unit) {
        case Unit::bytes:
            return "MB";
        case Unit::ms:
            return "ms";
        case Unit::cpu_percent:
        case Unit::cpu_percent_per_call:
            return "% of one core";
        case Unit::percent:
            return "%";
        case Unit::score:
            return "";
        case Unit::mb_per_call:
            return "MB per call";
        case Unit::bytes_each:
            return "bytes";
    }
    return "";
}

constexpr const char* charted[] = {"cpu_avg_percent", "cpu_per_call_percent", "mem_peak_bytes",
                                   "setup_p95_ms", "completion_percent"};

}  // namespace

std::string scenario_comparison_section(const RunData& run, bool include_partial) {
    const auto scenarios = scenarios_of(run);
    const auto levels = levels_in(run);
    std::string out = left_out_note({&run}, include_partial) + "<div class=\"grid\">";
    for (const char* id : charted) {
        const Metric& m = *find_metric(id);
        BarChart c;
        c.title = std::string(m.description);
        c.y_label = chart_unit(m);
        c.series_names = scenarios;
        for (int level : levels) {
            BarGroup g{std::to_string(level) + " calls", {}};
            for (const auto& s : scenarios) {
                auto v = mean_of(m, rows_at(run, s, level, include_partial));
                g.values.push_back(v ? std::optional<double>(*v * chart_scale(m)) : std::nullopt);
            }
            c.groups.push_back(std::move(g));
        }
        out += render_bar_chart(c);
    }
    out +=
        "</div><table><tr><th>scenario</th><th>CPU % per call (slope)</th><th>R\u00b2</th>"
        "<th>MB per call (slope)</th><th>calls per core at 70%</th></tr>";
    for (const auto& s : scenarios) {
        const json* row = scaling_of(run, s);
        auto cell = [&](const char* path) {
            auto v = row ? number_at(*row, path) : std::nullopt;
            return "<td>" + (v ? short_number(*v) : std::string("n/a")) + "</td>";
        };
        out += "<tr><td>" + escape_html(s) + "</td>" + cell("scaling.cpu_percent_per_call") +
               cell("scaling.cpu_percent_fit.r_squared") + cell("scaling.memory_mb_per_call") +
               cell("scaling.calls_per_core_at_target") + "</tr>";
    }
    return out + "</table>";
}

std::string across_runs_section(const std::vector<RunData>& runs, bool include_partial) {
    std::vector<std::pair<std::string, int>> keys;  // scenario, level: union, first seen
    std::set<std::pair<std::string, int>> seen;
    for (const RunData& run : runs)
        for (const json& r : run.levels) {
            std::pair<std::string, int> k{string_at(r, "scenario"),
                                          static_cast<int>(*number_at(r, "level"))};
            if (seen.insert(k).second) keys.push_back(k);
        }
    std::vector<std::string> labels;
    std::vector<const RunData*> all_runs;
    for (const RunData& run : runs) labels.push_back(run.label), all_runs.push_back(&run);
    std::string out = left_out_note(all_runs, include_partial) + "<div class=\"grid\">";
    for (const char* id : charted) {
        const Metric& m = *find_metric(id);
        BarChart c;
        c.title = std::string(m.description) + " across runs";
        c.y_label = chart_unit(m);
        c.series_names = labels;
        c.width_px = 1240;
        for (const auto& [scenario, level] : keys) {
            BarGroup g{scenario + "@" + std::to_string(level), {}};
            for (const RunData& run : runs) {
                auto v = mean_of(m, rows_at(run, scenario, level, include_partial));
                g.values.push_back(v ? std::optional<double>(*v * chart_scale(m)) : std::nullopt);
            }
            c.groups.push_back(std::move(g));
        }
        out += render_bar_chart(c);
    }
    out += "</div><table><tr><th>scenario@level</th><th>metric</th>";
    for (const auto& l : labels) out += "<th>" + escape_html(l) + "</th>";
    out += "</tr>";
    for (const auto& [scenario, level] : keys)
        for (const Metric& m : metrics()) {
            if (m.kind != RowKind::level) continue;
            out += "<tr><td>" + escape_html(scenario + "@" + std::to_string(level)) + "</td><td>" +
                   std::string(m.id) + "</td>";
            for (const RunData& run : runs)
                out += "<td>" +
                       format_value(m.unit,
                                    mean_of(m, rows_at(run, scenario, level, include_partial))) +
                       "</td>";
            out += "</tr>";
        }
    out += "</table><h3>Over time, run against run</h3><div class=\"grid\">";
    for (const auto& [scenario, level] : keys) {
        Chart cpu{"SUT CPU: " + scenario + "@" + std::to_string(level),
                  "seconds",
                  "% of one core",
                  {},
                  {},
                  620,
                  220};
        Chart rss{"SUT RSS: " + scenario + "@" + std::to_string(level),
                  "seconds",
                  "MB",
                  {},
                  {},
                  620,
                  220};
        for (const RunData& run : runs) {
            auto samples = load_samples(run, scenario, level);
            Series c{run.label, {}, std::nullopt, {}, SeriesStyle::line}, r = c;
            if (samples) {
                c.source = r.source = (run.dir / samples->file).string();
                c.samples = r.samples = samples->points.size();
                for (const SamplePoint& p : samples->points) {
                    if (p.cpu_percent) c.points.push_back({p.t_s, *p.cpu_percent});
                    if (p.rss_bytes) r.points.push_back({p.t_s, *p.rss_bytes / 1e6});
                }
            }
            cpu.series.push_back(std::move(c));
            rss.series.push_back(std::move(r));
        }
        out += render_chart(cpu) + render_chart(rss);
    }
    out += "</div>";
    std::vector<std::string> scenarios;
    std::set<std::string> seen_s;
    for (const auto& [scenario, level] : keys)
        if (seen_s.insert(scenario).second) scenarios.push_back(scenario);
    std::vector<const RunData*> all;
    for (const RunData& run : runs) all.push_back(&run);
    for (const auto& s : scenarios)
        out += "<h3>" + escape_html(s) + ": scaling across runs</h3>" + scaling_section(all, s);
    return out;
}

}  // namespace pbxbench::report
