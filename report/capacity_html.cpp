#include "report/capacity_html.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "report/run_data.hpp"
#include "report/svg_chart.hpp"

namespace pbxbench::report {

namespace {

using nlohmann::json;

// One series of `path` against the trial's offered value, in offered order.
Series series_of(const std::vector<const json*>& trials, const std::string& name,
                 const std::string& path) {
    Series s;
    s.name = name;
    s.source = "capacity.jsonl";
    s.style = SeriesStyle::markers;
    for (const json* t : trials) {
        auto x = number_at(*t, "trial.value");
        auto y = number_at(*t, path);
        if (x && y) s.points.push_back({*x, *y});
    }
    std::sort(s.points.begin(), s.points.end(), [](const XY& a, const XY& b) { return a.x < b.x; });
    return s;
}

}  // namespace

std::string render_capacity_html(const std::vector<json>& rows) {
    std::map<std::string, std::vector<const json*>> trials;
    std::map<std::string, const json*> results;
    std::vector<std::string> order;
    for (const json& r : rows) {
        const std::string scenario = string_at(r, "scenario");
        if (!trials.count(scenario) && !results.count(scenario)) order.push_back(scenario);
        if (string_at(r, "kind") == "trial") trials[scenario].push_back(&r);
        if (string_at(r, "kind") == "capacity") results[scenario] = &r;
    }
    std::ostringstream out;
    out << "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>pbxbench capacity</title>"
           "<style>body{font-family:sans-serif;margin:2em;max-width:60em}"
           "svg{display:block;margin:1em 0}</style></head><body>\n"
           "<h1>pbxbench capacity</h1>\n";
    for (const std::string& scenario : order) {
        const auto& ts = trials[scenario];
        const json* res = results.count(scenario) ? results[scenario] : nullptr;
        const std::string unit = ts.empty() ? std::string() : string_at(*ts.front(), "trial.unit");
        out << "<h2>" << escape_html(scenario) << "</h2>\n";
        if (res) {
            auto value = number_at(*res, "result.value");
            out << "<p><b>Result: "
                << (value ? short_number(*value) + " " + escape_html(unit) : "none confirmed")
                << "</b> (" << escape_html(string_at(*res, "result.stop_reason")) << "). "
                << escape_html(string_at(*res, "result.explanation")) << ".</p>\n";
        }
        const std::string x_label = unit == "calls" ? "concurrent calls" : "offered calls/s";
        auto chart = [&](const char* title, const char* y_label) {
            Chart c;
            c.title = title;
            c.x_label = x_label;
            c.y_label = y_label;
            return c;
        };
        Chart latency = chart("Setup latency per trial", "ms");
        latency.series = {series_of(ts, "setup p50", "level.latency.setup_ms.p50"),
                          series_of(ts, "setup p99", "level.latency.setup_ms.p99")};
        Chart cpu = chart("SUT CPU per trial", "% of one core");
        cpu.series = {series_of(ts, "CPU avg", "level.sut.cpu_percent.avg"),
                      series_of(ts, "CPU peak", "level.sut.cpu_percent.peak")};
        Chart success = chart("Completed calls per trial", "% of attempted");
        Series s;
        s.name = "completed %";
        s.source = "capacity.jsonl";
        s.style = SeriesStyle::markers;
        for (const json* t : ts) {
            auto x = number_at(*t, "trial.value");
            auto a = number_at(*t, "level.calls.attempted");
            auto c = number_at(*t, "level.calls.completed");
            if (x && a && c && *a > 0) s.points.push_back({*x, *c * 100 / *a});
        }
        std::sort(s.points.begin(), s.points.end(),
                  [](const XY& p, const XY& q) { return p.x < q.x; });
        success.series.push_back(s);
        out << render_chart(latency) << render_chart(cpu) << render_chart(success);
    }
    out << "</body></html>\n";
    return out.str();
}

Result<void> write_capacity_html(const std::vector<json>& rows, const std::filesystem::path& out) {
    std::ofstream f(out, std::ios::trunc);
    f << render_capacity_html(rows);
    if (!f) return fail("cannot write " + out.string());
    return {};
}

}  // namespace pbxbench::report
