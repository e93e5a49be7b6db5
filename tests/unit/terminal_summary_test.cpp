// What `pbxbench run` prints for people: a headline per finished level and a short final table
// that fits 100 columns, with the path of summary.md.
#include "harness/terminal_summary.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

namespace pbxbench::harness {
namespace {

using nlohmann::json;

json level_row(const std::string& scenario, int level, const std::string& state, int completed) {
    return {
        {"kind", "level"},
        {"scenario", scenario},
        {"level", level},
        {"state", state},
        {"error", state == "ok" || state == "calls_failed"
                      ? json(nullptr)
                      : json("the SUT kamailio exited mid-run (exit code 3)\nlog tail")},
        {"calls", {{"attempted", level}, {"completed", completed}, {"failed", level - completed}}},
        {"latency", {{"setup_ms", {{"p95", 12.345}}}}},
        {"sut",
         {{"cpu_percent", {{"avg", 10.0}, {"full_load_avg", 12.0}}},
          {"pss_bytes", {{"peak", 16.97e6}}}}},
        {"media", {{"loss_percent", 0.25}}}};
}

TEST(LevelHeadline, SaysStateCompletionAndTheHeadlineFigures) {
    EXPECT_EQ(level_headline(level_row("mediaproxy_none", 20, "ok", 20)),
              "mediaproxy_none@20 ok: 20/20 calls, setup p95 12.35 ms, CPU/call 0.6000%, loss "
              "0.25%");
    EXPECT_EQ(level_headline(level_row("a", 20, "calls_failed", 17)).substr(0, 40),
              "a@20 CALLS FAILED: 17/20 calls, setup p9");
}

TEST(LevelHeadline, ALevelCutShortShowsWhyAndNoFigures) {
    const std::string h = level_headline(level_row("a", 20, "sut_died", 3));
    EXPECT_EQ(h, "a@20 SUT DIED: the SUT kamailio exited mid-run (exit code 3)");
}

TEST(TerminalSummary, FitsOneHundredColumnsAndNamesSummaryMd) {
    std::vector<json> rows = {
        level_row("mediaproxy_none", 20, "ok", 20),
        level_row("a_scenario_name_much_longer_than_any_column", 100000, "calls_failed", 99999),
        level_row("sipflow", 50, "interrupted", 10),
        {{"kind", "scaling"}, {"scenario", "mediaproxy_none"}}};
    const std::string text = render_terminal_summary(rows, "/r/summary.md", "/r/report.html");
    std::istringstream lines(text);
    int table_rows = 0;
    for (std::string line; std::getline(lines, line);) {
        EXPECT_LE(line.size(), terminal_summary_columns) << line;
        // A name too long for its column is cut and marked, never allowed to push the rest.
        table_rows += line.find('@') != std::string::npos || line.find("a_scenario_name_") == 0;
    }
    EXPECT_EQ(table_rows, 3);
    EXPECT_NE(text.find("a_scenario_name_much_lo~"), std::string::npos);
    EXPECT_NE(text.find("INTERRUPTED"), std::string::npos);
    EXPECT_NE(text.find("CALLS FAILED"), std::string::npos);
    EXPECT_NE(text.find("  /r/summary.md\n"), std::string::npos);
    EXPECT_NE(text.find("  /r/report.html\n"), std::string::npos);
    EXPECT_NE(text.find("16.97 MB"), std::string::npos);
}

TEST(TerminalSummary, NoReportNoChartsLine) {
    const std::string text = render_terminal_summary({}, "/r/summary.md", {});
    EXPECT_EQ(text.find("Charts"), std::string::npos);
    EXPECT_NE(text.find("no level was measured"), std::string::npos);
}

}  // namespace
}  // namespace pbxbench::harness
