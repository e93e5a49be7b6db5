// `pbxbench compare` on capacity results: a drop beyond the threshold, or a capacity no longer
// confirmed, is a regression; a rise is an improvement.
#include <gtest/gtest.h>

#include "report/capacity_compare.hpp"
#include "report/capacity_html.hpp"

namespace pbxbench::report {
namespace {

using nlohmann::json;

json capacity(const std::string& scenario, std::optional<double> value,
              const std::string& reason = "confirmed") {
    return {{"kind", "capacity"},
            {"scenario", scenario},
            {"find", "cps"},
            {"unit", "calls/s"},
            {"result",
             {{"value", value ? json(*value) : json(nullptr)},
              {"confirmed", value.has_value()},
              {"stop_reason", reason}}}};
}

TEST(CapacityCompare, DropsBeyondTheThresholdAreRegressions) {
    auto changes =
        compare_capacity({capacity("a", 1000), capacity("b", 1000), capacity("c", 1000)},
                         {capacity("a", 950), capacity("b", 850), capacity("c", 1200)}, 10);
    ASSERT_EQ(changes.size(), 3u);
    EXPECT_EQ(changes[0].verdict, "pass");
    EXPECT_FALSE(changes[0].regression);
    EXPECT_NEAR(*changes[0].change_percent, -5, 1e-9);
    EXPECT_EQ(changes[1].verdict, "regression");
    EXPECT_TRUE(changes[1].regression);
    EXPECT_EQ(changes[2].verdict, "improved");
    EXPECT_EQ(render_capacity_json(changes, 10)["regressions"], 1);
    EXPECT_NE(render_capacity_table(changes, 10, true)
                  .find("| b | cps | 1000 calls/s | 850 calls/s | -15.0% | regression |"),
              std::string::npos);
}

TEST(CapacityCompare, ACapacityNoLongerConfirmedIsARegression) {
    auto changes = compare_capacity({capacity("a", 1000)},
                                    {capacity("a", std::nullopt, "generator_bound")}, 10);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_TRUE(changes[0].regression);
    EXPECT_NE(render_capacity_table(changes, 10, false).find("NEW not confirmed: generator_bound"),
              std::string::npos);
}

TEST(CapacityCompare, ScenariosOnOneSideOnlyAreListed) {
    auto changes = compare_capacity({capacity("a", 10)}, {capacity("b", 10)}, 10);
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].verdict, "only in BASE");
    EXPECT_EQ(changes[1].verdict, "only in NEW");
    EXPECT_FALSE(changes[0].regression || changes[1].regression);
}

TEST(CapacityHtml, ChartsEveryTrialAgainstItsOfferedValue) {
    std::vector<json> rows;
    for (double v : {400.0, 100.0, 200.0})
        rows.push_back({{"kind", "trial"},
                        {"scenario", "a"},
                        {"trial", {{"value", v}, {"unit", "calls/s"}}},
                        {"level",
                         {{"latency", {{"setup_ms", {{"p50", v / 100}, {"p99", v / 10}}}}},
                          {"sut", {{"cpu_percent", {{"avg", v / 10}, {"peak", v / 5}}}}},
                          {"calls", {{"attempted", 100}, {"completed", v > 300 ? 50 : 100}}}}}});
    rows.push_back(capacity("a", 200));
    const std::string html = render_capacity_html(rows);
    EXPECT_NE(html.find("<b>Result: 200 calls/s</b>"), std::string::npos);
    // Three charts of two, two and one series, each with the three trials.
    std::size_t n = 0;
    for (auto at = html.find("data-points=\"3\""); at != std::string::npos;
         at = html.find("data-points=\"3\"", at + 1))
        ++n;
    EXPECT_EQ(n, 5u);
}

}  // namespace
}  // namespace pbxbench::report
