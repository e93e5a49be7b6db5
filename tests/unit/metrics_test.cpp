// The metric table (report/metrics.cpp) is the one place a metric is defined: compare's
// defaults come from it, rows carry it, and docs/results.md holds its generated Markdown.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "report/metrics.hpp"
#include "report/thresholds.hpp"
#include "tests/unit/support/results_fixture.hpp"

namespace pbxbench::report {
namespace {

TEST(MetricTable, IdsAndAliasesAreUniqueAndDefaultsComeFromTheTable) {
    std::set<std::string_view> names;
    const Thresholds t = default_thresholds();
    for (const Metric& m : metrics()) {
        EXPECT_TRUE(names.insert(m.id).second) << m.id;
        EXPECT_TRUE(names.insert(m.alias).second) << m.alias;
        EXPECT_FALSE(m.label.empty()) << m.id;
        const Threshold& th = t.at(std::string(m.id));
        EXPECT_EQ(th.relative_percent, m.default_relative_percent) << m.id;
        EXPECT_EQ(th.absolute, m.default_absolute) << m.id;
    }
    EXPECT_EQ(t.size(), metrics().size());
}

// One rule, one place: "full-load CPU, else average; PSS, else RSS".
TEST(MetricTable, FullLoadCpuElseAverageAndPssElseRss) {
    nlohmann::json row = test::level_row("a", 20, 40);
    const Metric& cpu = *find_metric("cpu_full_load_percent");
    EXPECT_DOUBLE_EQ(*cpu.extract(row), 44.0);  // full_load_avg = 1.1 x avg
    EXPECT_DOUBLE_EQ(*find_metric("cpu_per_call")->extract(row), 44.0 / 20);
    row["sut"]["cpu_percent"]["full_load_avg"] = nullptr;
    EXPECT_DOUBLE_EQ(*cpu.extract(row), 40.0);
    EXPECT_DOUBLE_EQ(*find_metric("mem_peak")->extract(row), 50e6);
    row["sut"]["pss_bytes"]["peak"] = nullptr;
    EXPECT_DOUBLE_EQ(*find_metric("mem_peak")->extract(row), 100e6);
    const nlohmann::json all = metrics_object(row, RowKind::level);
    EXPECT_DOUBLE_EQ(all["cpu_full_load_percent"].get<double>(), 40.0);
    EXPECT_FALSE(all.contains("cpu_slope_percent_per_call"));
}

// docs/results.md's metric table is generated from the table; this fails when they differ
// and prints what the docs should hold.
TEST(MetricTable, DocsResultsMdHoldsTheGeneratedTable) {
    std::ifstream in(std::string(PBXBENCH_SOURCE_DIR) + "/docs/results.md");
    ASSERT_TRUE(in);
    const std::string docs((std::istreambuf_iterator<char>(in)), {});
    const std::string table = metrics_markdown();
    EXPECT_NE(docs.find(table), std::string::npos)
        << "docs/results.md must contain, under '## Metrics', exactly:\n"
        << table;
}

}  // namespace
}  // namespace pbxbench::report
