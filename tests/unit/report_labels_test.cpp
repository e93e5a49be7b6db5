// report.html for people: labels from the metric and run-field tables (never a JSON key), the
// SUT version once, latency without samples not drawn, and every level's state at a glance.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "report/html_report.hpp"
#include "report/metrics.hpp"
#include "report/run_fields.hpp"
#include "tests/unit/support/results_fixture.hpp"

namespace pbxbench::report {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The text a reader sees: tags (and so attributes, which tests and tools read) removed.
std::string visible_text(const std::string& html) {
    return std::regex_replace(html, std::regex("<[^>]*>"), " ");
}

std::string report_of(const std::vector<nlohmann::json>& rows) {
    test::TempDir dir;
    std::vector<std::string> lines;
    for (const auto& r : rows) lines.push_back(r.dump());
    dir.write("results.jsonl", lines);
    auto run = load_run(dir.path());
    EXPECT_TRUE(run);
    return run ? render_report({*run}) : std::string();
}

TEST(ReportLabels, NoMetricIdOrRunFieldKeyIsShownAsALabel) {
    nlohmann::json row = test::level_row("a", 20);
    row["run"]["sut_version"] = "version: kamailio 5.6.3 (x86_64/linux)";
    test::TempDir other;
    other.write("results.jsonl", {test::level_row("a", 20, 60).dump()});
    test::TempDir dir;
    dir.write("results.jsonl", {row.dump(), test::scaling_row("a", 0.3).dump()});
    auto one = load_run(dir.path()), two = load_run(other.path());
    ASSERT_TRUE(one && two);
    for (const std::string& html : {render_report({*one}), render_report({*one, *two})}) {
        const std::string text = visible_text(html);
        // snake_case ids: a plain word ("mos") is also English ("almost").
        for (const Metric& m : metrics())
            if (m.id.find('_') != std::string_view::npos) {
                EXPECT_THAT(text, Not(HasSubstr(std::string(m.id)))) << "metric id " << m.id;
            }
        for (const RunField& f : run_fields())
            if (f.id.find('_') != std::string_view::npos) {
                EXPECT_THAT(text, Not(HasSubstr(std::string(f.id)))) << "run field " << f.id;
            }
        EXPECT_THAT(text, HasSubstr("Memory peak"));
        EXPECT_THAT(text, HasSubstr("SUT version"));
    }
}

TEST(ReportLabels, TheSutVersionIsSaidOnce) {
    nlohmann::json row = test::level_row("a", 20);
    row["run"]["sut_version"] = "version: kamailio 5.6.3 (x86_64/linux)";
    const std::string html = report_of({row});
    EXPECT_THAT(html, HasSubstr("<td>kamailio 5.6.3 (x86_64/linux)</td>"));
    EXPECT_THAT(html, Not(HasSubstr("version: kamailio")));
    EXPECT_EQ(sut_version_text("version: kamailio 5.6.3 (x86_64/linux) "),
              "kamailio 5.6.3 (x86_64/linux)");
    EXPECT_EQ(sut_version_text("Version 1.2"), "1.2");
    EXPECT_EQ(sut_version_text("Asterisk 20.5.0"), "Asterisk 20.5.0");
    EXPECT_EQ(sut_version_text("versionless 3"), "versionless 3");
}

TEST(ReportLabels, LatencyWithoutSamplesIsNamedNotDrawnAtZero) {
    nlohmann::json row = test::level_row("a", 20);
    row["latency"]["post_dial_delay_ms"] = {{"count", 0}, {"mean", 0}, {"min", 0}, {"p50", 0},
                                            {"p90", 0},   {"p95", 0},  {"p99", 0}, {"max", 0}};
    const std::string html = report_of({row});
    EXPECT_THAT(html, HasSubstr(R"(data-name="post-dial delay" data-points="0")"));
    EXPECT_THAT(html, HasSubstr("post-dial delay (no samples)"));
    EXPECT_THAT(html, HasSubstr(R"x(data-name="setup (INVITE to 200)" data-points="6")x"));
}

TEST(ReportLabels, EveryLevelsStateIsInTheLevelsTableAndFailedOnesAreMarked) {
    nlohmann::json died = test::level_row("a", 50, 99);
    died["state"] = "sut_died";
    died["error"] = "the SUT kamailio exited mid-run (killed by SIGKILL); its log ends with: x";
    nlohmann::json cut = test::level_row("a", 80, 99);
    cut["state"] = "interrupted";
    const std::string html = report_of({test::level_row("a", 20), died, cut});
    EXPECT_THAT(html, HasSubstr(R"(<tr data-state="ok"><td>a</td><td>20</td><td>ok</td>)"));
    EXPECT_THAT(html, HasSubstr(R"(<tr class="bad" data-state="sut_died"><td>a</td><td>50</td>)"
                                R"(<td>SUT died: the SUT kamailio exited mid-run (killed by )"
                                R"(SIGKILL)</td>)"));
    EXPECT_THAT(html, HasSubstr(R"(<tr class="bad" data-state="interrupted"><td>a</td><td>80</td>)"
                                R"(<td>interrupted: not measured in full</td>)"));
}

TEST(MetricTable, EveryMetricHasALabelAndAUnitHeading) {
    for (const Metric& m : metrics()) {
        EXPECT_FALSE(m.label.empty()) << m.id;
        EXPECT_EQ(m.label.find('_'), std::string_view::npos) << m.id;
        EXPECT_FALSE(unit_short(m.unit).empty()) << m.id;
    }
    EXPECT_EQ(label_with_unit(*find_metric("mem_peak_bytes")), "Memory peak (MB)");
}

}  // namespace
}  // namespace pbxbench::report
