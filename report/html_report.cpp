#include "report/html_report.hpp"

#include <nlohmann/json.hpp>

#include "base/files.hpp"
#include "base/utc_time.hpp"
#include "report/http_load_html.hpp"
#include "report/report_sections.hpp"
#include "report/run_fields.hpp"
#include "report/svg_chart.hpp"

namespace pbxbench::report {

namespace {

using nlohmann::json;

// Inline only: the page must render offline, with no fetches.
constexpr const char* style = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;max-width:1320px}
h1{font-size:1.5em}h2{border-bottom:2px solid #0072B2;padding-bottom:4px;margin-top:2em}
h3{margin-top:1.6em}h4{margin:1.2em 0 .3em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}
.grid{display:flex;flex-wrap:wrap;gap:12px}
svg.chart{background:#fff;border:1px solid #ddd}
svg .title{font-size:13px;font-weight:600}svg .tick,svg .legend{font-size:11px;fill:#444}
svg .label{font-size:11px;fill:#222}svg .grid{stroke:#eee}svg .axis{stroke:#888}
svg .fitlabel{font-size:11px}svg .nodata{font-size:14px;fill:#999}
.figures span{margin-right:1.2em}.note{color:#555;font-size:.9em}
.bad{color:#b00;font-weight:600}pre.error{background:#fff4f4;padding:6px;white-space:pre-wrap}
summary{cursor:pointer;font-size:1.2em;font-weight:600;margin:.6em 0}
)";

std::string metadata_table(const std::vector<RunData>& runs) {
    std::string out = "<table><tr><th>Run</th>";
    for (const RunData& r : runs) out += "<th>" + escape_html(r.label) + "</th>";
    out += "</tr><tr><td>Directory</td>";
    for (const RunData& r : runs) out += "<td>" + escape_html(r.dir.string()) + "</td>";
    out += "</tr>";
    for (const RunField& field : run_fields()) {
        const std::string f(field.id);
        out += "<tr><td>" + escape_html(std::string(field.label)) + "</td>";
        for (const RunData& r : runs) {
            std::string v = "n/a";
            if (r.run.is_object() && r.run.contains(f) && !r.run[f].is_null())
                v = r.run[f].is_string() ? r.run[f].get<std::string>() : r.run[f].dump();
            if (f == "sut_version" && v != "n/a") v = sut_version_text(v);
            out += "<td>" + escape_html(v) + "</td>";
        }
        out += "</tr>";
    }
    return out + "</table>";
}

std::string run_section(const RunData& run, bool open, bool include_partial) {
    std::string out = "<section class=\"run\" data-dir=\"" + escape_html(run.dir.string()) +
                      "\"><details" + (open ? " open" : "") + "><summary>" +
                      escape_html(run.label) + "</summary>";
    out += "<h3>Levels</h3>" + levels_overview(run);
    out += "<h3>Scenarios side by side</h3>" + scenario_comparison_section(run, include_partial);
    out += http_load_html_section(run);
    for (const std::string& scenario : scenarios_of(run)) {
        out += "<h2 id=\"" + escape_html(run.label + "-" + scenario) + "\">" +
               escape_html(scenario) + "</h2>";
        const auto rows = levels_of(run, scenario);
        if (!rows.empty()) {
            const std::string description = string_at(*rows.front(), "config.scenario_description");
            if (!description.empty()) out += "<p>" + escape_html(description) + "</p>";
        }
        out += "<h3>Scaling</h3>" + scaling_section({&run}, scenario);
        out += "<h3>Media</h3>" + media_section(run, scenario, include_partial);
        out += "<h3>Levels</h3>";
        for (const json* row : rows) out += level_section(run, *row);
    }
    return out + "</details></section>";
}

}  // namespace

std::string render_report(const std::vector<RunData>& runs, const ReportOptions& options) {
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<title>pbxbench report</title><style>" +
        std::string(style) + "</style></head><body>\n<h1>pbxbench report</h1>";
    out += "<p class=\"note\">Generated " + utc_timestamp_now() + " from " +
           std::to_string(runs.size()) +
           " run(s). CPU: 100% = one core. Memory: PSS (shared pages counted once) and RSS, MB = "
           "10<sup>6</sup> bytes. Schema: docs/results.md.</p>";
    out += metadata_table(runs);
    if (runs.size() > 1)
        out += "<h2>Across runs</h2>" + across_runs_section(runs, options.include_partial);
    for (std::size_t i = 0; i < runs.size(); ++i)
        out += run_section(runs[i], runs.size() == 1, options.include_partial);
    return out + "\n</body></html>\n";
}

Result<void> write_report(const std::vector<std::filesystem::path>& paths,
                          const std::filesystem::path& out) {
    // `pbxbench run` calls this at its end: nothing here may throw into the run.
    try {
        std::vector<RunData> runs;
        for (const auto& p : paths) {
            auto run = load_run(p);
            if (!run) return fail(run.error().message);
            runs.push_back(std::move(*run));
        }
        return write_report(runs, out);
    } catch (const std::exception& e) {
        return fail(std::string("report: ") + e.what());
    }
}

Result<void> write_report(const std::vector<RunData>& runs, const std::filesystem::path& out,
                          const ReportOptions& options) {
    if (runs.empty()) return fail("no run to report on");
    // Through a temporary file and a rename, which is removed if anything fails.
    return write_file_atomically(out, render_report(runs, options));
}

}  // namespace pbxbench::report
