// Scaling fits on synthetic points: an exact line, a noisy line, one point, degenerate input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/scaling.hpp"

namespace pbxbench::harness {
namespace {

TEST(ScalingFit, RecoversAnExactLine) {
    std::vector<Point> pts{{200, 12.0}, {500, 27.0}, {1000, 52.0}};  // y = 2 + 0.05x
    auto fit = fit_line(pts);
    ASSERT_TRUE(fit) << fit.error().message;
    EXPECT_NEAR(fit->intercept, 2.0, 1e-9);
    EXPECT_NEAR(fit->slope, 0.05, 1e-12);
    EXPECT_NEAR(fit->r_squared, 1.0, 1e-12);
    EXPECT_EQ(fit->points, 3u);
}

TEST(ScalingFit, NoisyLineHasTheLeastSquaresSolution) {
    // Hand-computed: x = 1,2,3,4; y = 2.1, 3.9, 6.2, 7.8 -> slope 1.94, intercept 0.15,
    // SSres = 0.082, SStot = 18.90, R^2 = 0.995661...
    std::vector<Point> pts{{1, 2.1}, {2, 3.9}, {3, 6.2}, {4, 7.8}};
    auto fit = fit_line(pts);
    ASSERT_TRUE(fit);
    EXPECT_NEAR(fit->slope, 1.94, 1e-9);
    EXPECT_NEAR(fit->intercept, 0.15, 1e-9);
    EXPECT_NEAR(fit->r_squared, 1.0 - 0.082 / 18.90, 1e-9);
    EXPECT_LT(fit->r_squared, 1.0);
}

TEST(ScalingFit, RejectsTooFewOrIdenticalLevels) {
    std::vector<Point> one{{100, 5}};
    auto a = fit_line(one);
    ASSERT_FALSE(a);
    EXPECT_THAT(a.error().message, ::testing::HasSubstr("at least two"));
    std::vector<Point> same{{100, 5}, {100, 6}};
    auto b = fit_line(same);
    ASSERT_FALSE(b);
    EXPECT_THAT(b.error().message, ::testing::HasSubstr("distinct"));
}

TEST(ScalingEstimate, ProjectsCapacityAtTheTarget) {
    ScalingInput in;
    in.cpu_percent = {{200, 12.0}, {500, 27.0}, {1000, 52.0}};  // 2% idle + 0.05% per call
    in.memory_mb = {{200, 60}, {500, 90}, {1000, 140}};         // 40 MB + 0.1 MB per call
    in.cores = 2;
    in.target_utilisation = 0.7;
    ScalingEstimate e = estimate_scaling(in);
    ASSERT_TRUE(e.cpu && e.memory);
    EXPECT_NEAR(e.cpu_percent_per_call, 0.05, 1e-12);
    EXPECT_NEAR(e.memory_mb_per_call, 0.1, 1e-12);
    EXPECT_NEAR(*e.calls_per_core_at_target, (70.0 - 2.0) / 0.05, 1e-6);  // 1360
    EXPECT_NEAR(*e.calls_machine_at_target, (140.0 - 2.0) / 0.05, 1e-6);  // 2760
    EXPECT_THAT(e.method, ::testing::HasSubstr("least-squares"));
    nlohmann::json j = to_json(e, in);
    EXPECT_EQ(j["cpu_percent_fit"]["points"].size(), 3u);
    EXPECT_NEAR(j["cpu_percent_fit"]["r_squared"].get<double>(), 1.0, 1e-12);
}

TEST(ScalingEstimate, OneLevelGivesPerCallOnlyAndSaysWhy) {
    ScalingInput in;
    in.cpu_percent = {{500, 25.0}};
    in.memory_mb = {{500, 100.0}};
    in.cores = 2;
    ScalingEstimate e = estimate_scaling(in);
    EXPECT_FALSE(e.cpu);
    EXPECT_NEAR(e.cpu_percent_per_call, 0.05, 1e-12);
    EXPECT_NEAR(e.memory_mb_per_call, 0.2, 1e-12);
    // One level cannot tell the idle cost from the per-call cost: no capacity from it.
    EXPECT_FALSE(e.calls_per_core_at_target);
    EXPECT_THAT(e.no_capacity_reason, ::testing::HasSubstr("1 level(s) measured"));
    EXPECT_THAT(e.method, ::testing::HasSubstr("one level"));
}

// The fit of the issue: (20 calls, 0.0%) and (50 calls, 1.6%) gave an intercept of -1.07 and
// "1332 calls per core". Too little signal in every way: no capacity, and the reason says why.
TEST(ScalingEstimate, NoCapacityFromNoise) {
    ScalingInput in;
    in.cpu_percent = {{20, 0.0}, {50, 1.6}};
    in.cores = 2;
    ScalingEstimate e = estimate_scaling(in);
    ASSERT_TRUE(e.cpu);
    EXPECT_LT(e.cpu->intercept, 0);
    EXPECT_FALSE(e.calls_per_core_at_target);
    EXPECT_FALSE(e.calls_machine_at_target);
    EXPECT_THAT(e.no_capacity_reason, ::testing::HasSubstr("2 level(s) measured"));
    EXPECT_THAT(e.no_capacity_reason, ::testing::HasSubstr("below 5.0% of a core"));
    EXPECT_THAT(e.no_capacity_reason, ::testing::HasSubstr("at most 1.6%"));
    EXPECT_THAT(e.no_capacity_reason, ::testing::HasSubstr("intercept is negative"));
    nlohmann::json j = to_json(e, in);
    EXPECT_TRUE(j["calls_per_core_at_target"].is_null());
    EXPECT_TRUE(j["no_capacity_reason"].is_string());
}

TEST(ScalingEstimate, EachLackOfSignalAloneWithholdsTheCapacity) {
    ScalingInput low;  // three levels, a clean line, but all under 5% of a core
    low.cpu_percent = {{100, 1.0}, {200, 2.0}, {400, 4.0}};
    EXPECT_FALSE(estimate_scaling(low).calls_per_core_at_target);
    ScalingInput negative;  // plenty of CPU, but the line starts below zero (convex data)
    negative.cpu_percent = {{200, 5.0}, {500, 30.0}, {1000, 80.0}};
    ScalingEstimate n = estimate_scaling(negative);
    EXPECT_FALSE(n.calls_per_core_at_target);
    EXPECT_THAT(n.no_capacity_reason, ::testing::HasSubstr("intercept is negative"));
    ScalingInput good;  // the same with a positive idle cost: estimated
    good.cpu_percent = {{200, 12.0}, {500, 27.0}, {1000, 52.0}};
    ScalingEstimate g = estimate_scaling(good);
    EXPECT_TRUE(g.calls_per_core_at_target);
    EXPECT_EQ(g.no_capacity_reason, "");
}

TEST(ScalingEstimate, FlatOrFallingCpuProjectsNoCapacity) {
    ScalingInput in;
    in.cpu_percent = {{100, 10}, {200, 10}};
    ScalingEstimate e = estimate_scaling(in);
    ASSERT_TRUE(e.cpu);
    EXPECT_EQ(e.cpu->r_squared, 1.0);
    EXPECT_FALSE(e.calls_per_core_at_target);
}

}  // namespace
}  // namespace pbxbench::harness
