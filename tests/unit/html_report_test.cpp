// SVG charts and report.html on synthetic runs: data-points markers, ticks, escaping, no
// script, and the sections present for one and for several runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "report/html_report.hpp"
#include "report/svg_chart.hpp"
#include "tests/unit/support/results_fixture.hpp"

namespace pbxbench::report {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(SvgChart, NiceTicksAreRoundAndCoverTheRange) {
    EXPECT_THAT(nice_ticks(0, 97), ElementsAre(0, 20, 40, 60, 80, 100));
    const auto unit = nice_ticks(0, 1);
    ASSERT_EQ(unit.size(), 6u);
    EXPECT_NEAR(unit[3], 0.6, 1e-12);
    EXPECT_NEAR(unit.back(), 1.0, 1e-12);
    EXPECT_THAT(nice_ticks(5, 5), ElementsAre(5));
    EXPECT_EQ(short_number(1500000), "1.5M");
    EXPECT_EQ(short_number(12), "12");
}

TEST(SvgChart, MarksEverySeriesWithThePointsDrawn) {
    Chart c;
    c.title = "CPU <&> \"x\"";
    Series s{
        "cpu", "samples/a-20.jsonl", 4, {{0, 1}, {0.5, 2}, {1, NAN}, {1.5, 3}}, SeriesStyle::line};
    c.series.push_back(s);
    c.fits.push_back({"y = 1 + 2x", 1, 2, 0});
    const std::string svg = render_chart(c);
    EXPECT_THAT(
        svg,
        HasSubstr(
            R"(<g class="series" data-name="cpu" data-points="3" data-source="samples/a-20.jsonl" data-samples="4">)"));
    EXPECT_THAT(svg, HasSubstr("CPU &lt;&amp;&gt; &quot;x&quot;"));
    EXPECT_THAT(svg, HasSubstr("<polyline"));
    EXPECT_THAT(svg, HasSubstr(R"(<g class="fit")"));
    EXPECT_EQ(svg.rfind("<svg", 0), 0u);
    EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
}

TEST(SvgChart, EmptyChartsSayNoData) {
    Chart c;
    c.series.push_back(Series{"none", "", std::nullopt, {}, SeriesStyle::line});
    const std::string svg = render_chart(c);
    EXPECT_THAT(svg, HasSubstr("no data"));
    EXPECT_THAT(svg, HasSubstr(R"(data-points="0")"));
}

TEST(SvgChart, BarsCountOnlyPresentValues) {
    BarChart b;
    b.series_names = {"a", "b"};
    b.groups = {{"20 calls", {1.0, std::nullopt}}, {"50 calls", {2.0, 3.0}}};
    const std::string svg = render_bar_chart(b);
    EXPECT_THAT(svg, HasSubstr(R"(data-name="a" data-points="2")"));
    EXPECT_THAT(svg, HasSubstr(R"(data-name="b" data-points="1")"));
}

class HtmlReport : public ::testing::Test {
  protected:
    void SetUp() override {
        nlohmann::json media_row = test::level_row("a", 50);
        media_row["media"] = {{"calls", 50},
                              {"loss_percent", 0.25},
                              {"jitter_ms", {{"p50", 1.0}, {"p95", 2.0}, {"max", 5.0}}},
                              {"mos", {{"count", 50}, {"mean", 4.3}, {"p5", 4.1}}}};
        dir_.write("results.jsonl",
                   {test::level_row("a", 20).dump(), media_row.dump(),
                    test::scaling_row("a", 0.3).dump(), test::level_row("b<x>", 20).dump()});
        dir_.write(
            "samples/a-20.jsonl",
            {R"({"type":"sample","t_s":0,"cpu_percent":null,"rss_bytes":1e8,"calls":0})",
             R"({"type":"sample","t_s":0.5,"cpu_percent":{"total":10},"rss_bytes":1.1e8,"calls":20})",
             R"({"type":"sample","t_s":1.0,"cpu_percent":{"total":12},"rss_bytes":1.1e8,"calls":20})",
             R"({"type":"summary"})"});
    }
    test::TempDir dir_;
};

TEST_F(HtmlReport, OneRunHasEverySectionAndNoScript) {
    const auto out = dir_.path() / "report.html";
    ASSERT_TRUE(write_report(std::vector<std::filesystem::path>{dir_.path()}, out));
    std::ifstream in(out);
    const std::string html((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_THAT(html, Not(HasSubstr("<script")));
    EXPECT_THAT(html, Not(HasSubstr("http://www.w3.org/1999")));  // no external references
    EXPECT_THAT(
        html,
        HasSubstr(
            R"(data-name="SUT + sidecars CPU %" data-points="2" data-source="samples/a-20.jsonl" data-samples="3")"));
    EXPECT_THAT(html, HasSubstr(R"(data-name="RSS" data-points="3")"));
    EXPECT_THAT(html, HasSubstr("Scenarios side by side"));
    EXPECT_THAT(html, HasSubstr("CPU % = 1.000 + 0.30000 x calls (R\u00b2 1.000)"));
    EXPECT_THAT(html, HasSubstr("Latency distribution"));
    EXPECT_THAT(html, HasSubstr("<td>0.250</td>"));                  // media loss at level 50
    EXPECT_THAT(html, HasSubstr("samples/a-50.jsonl: no samples"));  // missing: noted, no crash
    EXPECT_THAT(html, HasSubstr("b&lt;x&gt;"));
    EXPECT_THAT(html, Not(HasSubstr("b<x>")));
    EXPECT_THAT(html, Not(HasSubstr("Across runs")));
    for (const auto& e : std::filesystem::directory_iterator(dir_.path()))
        EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

// Levels not measured in full are marked where they are shown and left out of the overview.
TEST(HtmlReportStates, LevelsNotMeasuredInFullAreMarkedAndLeftOutOfTheOverview) {
    test::TempDir dir;
    nlohmann::json cut = test::level_row("a", 50, 99);
    cut["state"] = "interrupted";
    cut["status"] = "failed";
    nlohmann::json died = test::level_row("a", 80, 99);
    died["state"] = "sut_died";
    died["status"] = "failed";
    died["error"] = "the SUT kamailio exited mid-run (killed by SIGKILL)";
    dir.write("results.jsonl", {test::level_row("a", 20).dump(), cut.dump(), died.dump()});
    auto run = load_run(dir.path());
    ASSERT_TRUE(run);
    const std::string html = render_report({*run});
    EXPECT_THAT(html, HasSubstr(R"(data-state="interrupted">interrupted: not measured in full)"));
    EXPECT_THAT(html, HasSubstr(R"(data-state="sut_died">SUT died: not measured in full)"));
    EXPECT_THAT(html, HasSubstr("Left out of these charts and tables (not measured in full): "
                                "a@50 (interrupted), a@80 (SUT died)"));
    // The overview bars of scenario a: only level 20 is drawn.
    EXPECT_THAT(html, HasSubstr(R"(<g class="series" data-name="a" data-points="1">)"));
    EXPECT_THAT(html, Not(HasSubstr(R"(<g class="series" data-name="a" data-points="3">)")));
    // Unless asked (pbxbench report --include-partial): drawn, and still marked.
    const std::string all = render_report({*run}, ReportOptions{.include_partial = true});
    EXPECT_THAT(all, HasSubstr(R"(<g class="series" data-name="a" data-points="3">)"));
    EXPECT_THAT(all, HasSubstr("Included in these charts and tables although not measured"));
    EXPECT_THAT(all, HasSubstr(R"(data-state="interrupted")"));
}

// The fit of the issue: intercept -1.07, two levels, under 2% CPU. No capacity, the reason,
// and a CPU axis that does not go below zero.
TEST(HtmlReportStates, NoCapacityFromNoiseAndNoNegativeCpuAxis) {
    test::TempDir dir;
    nlohmann::json scaling = test::scaling_row("a", 0.0533);
    scaling["scaling"]["cpu_percent_fit"] = {{"intercept", -1.07},
                                             {"slope", 0.0533},
                                             {"r_squared", 1.0},
                                             {"points", {{20, 0.0}, {50, 1.6}}}};
    scaling["scaling"]["calls_per_core_at_target"] = nullptr;
    scaling["scaling"]["no_capacity_reason"] = "2 level(s) measured; a capacity needs 3";
    dir.write("results.jsonl", {test::level_row("a", 20).dump(), scaling.dump()});
    auto run = load_run(dir.path());
    ASSERT_TRUE(run);
    const std::string html = render_report({*run});
    EXPECT_THAT(html, HasSubstr("no capacity estimate: 2 level(s) measured"));
    EXPECT_THAT(html, HasSubstr("R\u00b2 is 1 by construction"));
    EXPECT_FALSE(std::regex_search(html, std::regex(R"(class="tick"[^>]*>-)")))
        << "an axis tick below zero";
}

TEST_F(HtmlReport, SeveralRunsAreShownSideBySide) {
    test::TempDir other;
    other.write("results.jsonl", {test::level_row("a", 20, 60).dump()});
    auto a = load_run(dir_.path()), b = load_run(other.path());
    ASSERT_TRUE(a && b);
    const std::string html = render_report({*a, *b});
    EXPECT_THAT(html, HasSubstr("<h2>Across runs</h2>"));
    EXPECT_THAT(html, HasSubstr("across runs"));
    EXPECT_THAT(html, HasSubstr("<td>60.00%</td>"));  // the second run's CPU in the table
    EXPECT_EQ(std::regex_search(html, std::regex("<section class=\"run\"")), true);
}

TEST_F(HtmlReport, UnreadableInputFailsWithoutWriting) {
    const auto out = dir_.path() / "r.html";
    auto r = write_report(std::vector<std::filesystem::path>{dir_.path() / "missing"}, out);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("no such run directory or results file"));
    EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace pbxbench::report
