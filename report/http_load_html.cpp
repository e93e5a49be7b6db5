#include "report/http_load_html.hpp"

#include <algorithm>
#include <set>

#include "report/svg_chart.hpp"

namespace pbxbench::report {

std::string http_load_html_section(const RunData& run) {
    BarChart chart;
    chart.title = "Management API latency (answered requests)";
    chart.y_label = "ms";
    chart.series_names = {"p50", "p95", "p99"};
    std::set<std::string> scenarios;
    for (const nlohmann::json& row : run.levels)
        if (row.contains("http_load") && row["http_load"].is_object())
            scenarios.insert(row.value("scenario", "?"));
    for (const nlohmann::json& row : run.levels) {
        auto load = row.find("http_load");
        if (load == row.end() || !load->is_object() || !load->contains("streams")) continue;
        const nlohmann::json& streams = (*load)["streams"];
        // Bar labels stay short: the scenario only when several carried API load.
        const std::string prefix = scenarios.size() > 1 ? row.value("scenario", "?") + ":" : "";
        for (auto it = streams.begin(); it != streams.end(); ++it) {
            BarGroup group;
            group.label = prefix + it.key() + " @" + row["level"].dump();
            // A stream with no answer has no latency: a gap, never a zero bar.
            for (const char* p : {"p50", "p95", "p99"})
                group.values.push_back(number_at(it.value(), std::string("latency_ms.") + p));
            chart.groups.push_back(std::move(group));
        }
    }
    if (chart.groups.empty()) return {};
    chart.width_px = std::max(620, 150 * static_cast<int>(chart.groups.size()));
    return "<h3>Management API load</h3><p>Requests sent to the PBX's management API beside the "
           "calls (open loop); rates, statuses and timeouts are in summary.md.</p>" +
           render_bar_chart(chart);
}

}  // namespace pbxbench::report
