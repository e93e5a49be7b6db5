// compare_runs on synthetic rows: thresholds in both directions, repeats and Welch's test,
// unmatched and failed levels, missing figures, metadata warnings, and the three outputs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/compare.hpp"
#include "tests/unit/support/results_fixture.hpp"

namespace pbxbench::report {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

RunData run_of(std::vector<json> levels, std::vector<json> scalings = {}) {
    RunData r;
    r.results = "/runs/x/results.jsonl";
    r.run = levels.empty() ? json() : levels.front()["run"];
    r.levels = std::move(levels);
    r.scalings = std::move(scalings);
    return r;
}

const MetricComparison& metric(const Comparison& c, std::size_t group, std::string_view id) {
    for (const auto& m : c.groups.at(group).metrics)
        if (m.metric->id == id) return m;
    throw std::runtime_error("no metric " + std::string(id));
}

Comparison compare(std::vector<RunData> base, std::vector<RunData> next) {
    return compare_runs(base, next, default_thresholds());
}

TEST(Compare, IdenticalRunsPass) {
    auto r =
        run_of({test::level_row("a", 20), test::level_row("a", 50)}, {test::scaling_row("a", 0.5)});
    Comparison c = compare({r}, {r});
    EXPECT_EQ(c.regressions(), 0);
    ASSERT_EQ(c.groups.size(), 3u);  // two levels and the scaling row
    EXPECT_EQ(metric(c, 0, "cpu_avg_percent").verdict, Verdict::pass);
    EXPECT_EQ(metric(c, 2, "cpu_slope_percent_per_call").verdict, Verdict::pass);
    EXPECT_THAT(render_table(c), HasSubstr("result: no regression"));
    EXPECT_TRUE(c.warnings.empty());
}

TEST(Compare, CpuRaisedTwentyPercentIsARegressionNamingTheMetric) {
    Comparison c =
        compare({run_of({test::level_row("a", 20, 40)})}, {run_of({test::level_row("a", 20, 48)})});
    EXPECT_EQ(metric(c, 0, "cpu_avg_percent").verdict, Verdict::regression);
    EXPECT_EQ(metric(c, 0, "cpu_peak_percent").verdict, Verdict::regression);
    EXPECT_EQ(metric(c, 0, "cpu_per_call_percent").verdict, Verdict::regression);
    EXPECT_NEAR(*metric(c, 0, "cpu_avg_percent").relative_percent, 20.0, 1e-9);
    EXPECT_NEAR(*metric(c, 0, "cpu_avg_percent").delta, 8.0, 1e-9);
    EXPECT_EQ(metric(c, 0, "mem_peak_bytes").verdict, Verdict::pass);
    EXPECT_EQ(c.regressions(), 3);
    EXPECT_THAT(render_table(c), HasSubstr("a@20: cpu_avg_percent 40.00% -> 48.00% (+20.0%"));
}

TEST(Compare, SmallCpuMovesBelowTheAbsoluteFloorPass) {
    // +25% but +0.5 pp: /proc's 10 ms ticks make such moves noise on a quiet box.
    Comparison c = compare({run_of({test::level_row("a", 20, 2.0)})},
                           {run_of({test::level_row("a", 20, 2.5)})});
    EXPECT_EQ(metric(c, 0, "cpu_avg_percent").verdict, Verdict::pass);
}

TEST(Compare, SetupLatencyNeedsBothRelativeAndAbsoluteChange) {
    auto small = compare({run_of({test::level_row("a", 20, 40, 2.0)})},
                         {run_of({test::level_row("a", 20, 40, 2.5)})});  // +25%, +0.5 ms
    EXPECT_EQ(metric(small, 0, "setup_p95_ms").verdict, Verdict::pass);
    auto big = compare({run_of({test::level_row("a", 20, 40, 20.0)})},
                       {run_of({test::level_row("a", 20, 40, 25.0)})});  // +25%, +5 ms
    EXPECT_EQ(metric(big, 0, "setup_p95_ms").verdict, Verdict::regression);
    auto faster = compare({run_of({test::level_row("a", 20, 40, 25.0)})},
                          {run_of({test::level_row("a", 20, 40, 20.0)})});
    EXPECT_EQ(metric(faster, 0, "setup_p95_ms").verdict, Verdict::improved);
    EXPECT_EQ(faster.regressions(), 0);
}

TEST(Compare, LowerIsWorseForMosAndCompletion) {
    json base = test::level_row("a", 20), next = base;
    base["media"] = {{"loss_percent", 0.1}, {"mos", {{"count", 20}, {"mean", 4.3}, {"p5", 4.1}}}};
    next["media"] = {{"loss_percent", 0.2}, {"mos", {{"count", 20}, {"mean", 4.1}, {"p5", 3.9}}}};
    next["calls"]["completed"] = 19;
    Comparison c = compare({run_of({base})}, {run_of({next})});
    EXPECT_EQ(metric(c, 0, "mos").verdict, Verdict::regression);
    EXPECT_EQ(metric(c, 0, "completion_percent").verdict, Verdict::regression);
    EXPECT_EQ(metric(c, 0, "loss_percent").verdict, Verdict::pass);  // +0.1 pp < 0.5 pp
    Comparison back = compare({run_of({next})}, {run_of({base})});
    EXPECT_EQ(metric(back, 0, "mos").verdict, Verdict::improved);
}

TEST(Compare, FiguresMissingOnOneSideAreNotAvailable) {
    json base = test::level_row("a", 20), next = base;
    base["media"] = {{"loss_percent", 0.1}, {"mos", {{"count", 20}, {"mean", 4.3}}}};
    next.erase("sut");
    next["latency"] = nullptr;
    Comparison c = compare({run_of({base})}, {run_of({next})});
    for (const char* id : {"loss_percent", "mos", "cpu_avg_percent", "setup_p95_ms"})
        EXPECT_EQ(metric(c, 0, id).verdict, Verdict::not_available) << id;
    EXPECT_EQ(c.regressions(), 0);
    EXPECT_THAT(render_table(c), HasSubstr("n/a"));
}

TEST(Compare, UnmatchedRowsAreListed) {
    Comparison c = compare({run_of({test::level_row("a", 20), test::level_row("b", 20)})},
                           {run_of({test::level_row("a", 20), test::level_row("c", 50)})});
    EXPECT_EQ(c.groups.size(), 1u);
    EXPECT_THAT(c.only_in_base, ::testing::ElementsAre("b@20"));
    EXPECT_THAT(c.only_in_new, ::testing::ElementsAre("c@50"));
    EXPECT_THAT(render_table(c), HasSubstr("only in BASE (not compared): b@20"));
    EXPECT_THAT(render_markdown(c), HasSubstr("Only in NEW (not compared): c@50"));
}

TEST(Compare, RepeatsAreJudgedWithWelchsTest) {
    auto side = [](std::vector<double> cpus) {
        std::vector<json> rows;
        for (double cpu : cpus) rows.push_back(test::level_row("a", 20, cpu));
        return run_of(rows);  // repeats: the same scenario and level more than once
    };
    Comparison tight = compare({side({40, 41, 39})}, {side({48, 49, 47})});
    EXPECT_THAT(tight.groups[0].method, HasSubstr("Welch"));
    const auto& m = metric(tight, 0, "cpu_avg_percent");
    ASSERT_TRUE(m.p_value);
    EXPECT_LT(*m.p_value, 0.01);
    EXPECT_EQ(m.verdict, Verdict::regression);
    // The same +20% mean within a wide spread: not significant, not a regression.
    Comparison noisy = compare({side({25, 55, 40})}, {side({30, 66, 48})});
    EXPECT_EQ(metric(noisy, 0, "cpu_avg_percent").verdict, Verdict::not_significant);
    EXPECT_EQ(noisy.regressions(), 0);
    // Repeats from several runs per side count the same way.
    Comparison runs = compare({side({40}), side({41})}, {side({48}), side({49})});
    EXPECT_EQ(runs.groups[0].base_repeats, 2);
    EXPECT_TRUE(metric(runs, 0, "cpu_avg_percent").p_value);
}

TEST(Compare, SingleRunsUseThresholdsAloneAndSaySo) {
    Comparison c =
        compare({run_of({test::level_row("a", 20)})}, {run_of({test::level_row("a", 20)})});
    EXPECT_THAT(c.groups[0].method, HasSubstr("thresholds only"));
    EXPECT_FALSE(metric(c, 0, "cpu_avg_percent").p_value);
    EXPECT_THAT(render_table(c), HasSubstr("thresholds only"));
}

TEST(Compare, ThresholdsCanBeTurnedOffOrChanged) {
    Thresholds t = default_thresholds();
    ASSERT_TRUE(apply_threshold(t, "cpu_avg=off"));
    ASSERT_TRUE(apply_threshold(t, "cpu_peak=+30%"));
    Comparison c = compare_runs({run_of({test::level_row("a", 20, 40)})},
                                {run_of({test::level_row("a", 20, 48)})}, t);
    EXPECT_EQ(metric(c, 0, "cpu_avg_percent").verdict, Verdict::not_judged);
    EXPECT_EQ(metric(c, 0, "cpu_peak_percent").verdict, Verdict::pass);
}

TEST(Compare, MetadataMismatchWarnsWithoutChangingTheVerdict) {
    json next = test::level_row("a", 20);
    next["run"]["cores"] = 8;
    next["run"]["profile_sha256"] = std::string(64, 'b');
    Comparison c = compare({run_of({test::level_row("a", 20)})}, {run_of({next})});
    ASSERT_EQ(c.warnings.size(), 2u);
    EXPECT_THAT(c.warnings[0], HasSubstr("cores differs: '2' in BASE"));
    EXPECT_THAT(render_warnings(c), HasSubstr("WARNING"));
    EXPECT_THAT(render_markdown(c), HasSubstr("may not be comparable"));
    EXPECT_EQ(render_json(c)["warnings"].size(), 2u);
    EXPECT_EQ(c.regressions(), 0);
}

TEST(Compare, DifferentLoadSettingsWarn) {
    json next = test::level_row("a", 20);
    next["config"]["cps"] = 100;
    Comparison c = compare({run_of({test::level_row("a", 20)})}, {run_of({next})});
    ASSERT_EQ(c.warnings.size(), 1u);
    EXPECT_THAT(c.warnings[0], HasSubstr("a@20: config.cps differs"));
}

TEST(Compare, ALevelFailingOnlyInNewIsARegression) {
    json next = test::level_row("a", 20);
    next["status"] = "failed";
    next["error"] = "SUT exited with status 1";
    Comparison c = compare({run_of({test::level_row("a", 20)})}, {run_of({next})});
    EXPECT_TRUE(c.groups[0].failed_in_new);
    EXPECT_EQ(c.regressions(), 1);
    EXPECT_THAT(render_table(c), HasSubstr("NEW repeat 1: error: SUT exited with status 1"));
}

// The states of docs/results.md: only levels measured in full are compared.
json with_state(json row, const char* state) {
    row["state"] = state;
    row["status"] = std::string(state) == "ok" ? "ok" : "failed";
    return row;
}

TEST(Compare, AnInterruptedNewLevelIsNotUsedAndNotARegression) {
    json next = with_state(test::level_row("a", 20, 10), "interrupted");  // CPU "improved"
    Comparison c = compare({run_of({test::level_row("a", 20)})}, {run_of({next})});
    ASSERT_EQ(c.groups.size(), 1u);
    EXPECT_FALSE(c.groups[0].compared);
    EXPECT_TRUE(c.groups[0].metrics.empty()) << "an interrupted level's figures are never used";
    EXPECT_FALSE(c.groups[0].failed_in_new);
    EXPECT_EQ(c.regressions(), 0);
    const std::string table = render_table(c);
    EXPECT_THAT(table, HasSubstr("NEW repeat 1: interrupted (not used)"));
    EXPECT_THAT(table, HasSubstr("not compared: a@20: NEW has no repeat measured in full"));
    EXPECT_THAT(table, Not(HasSubstr("cpu_avg_percent")));
}

TEST(Compare, AFailedBaseIsNotComparedAgainst) {
    for (const char* state : {"calls_failed", "sut_died", "error", "interrupted"}) {
        json base = with_state(test::level_row("a", 20, 80), state);
        Comparison c = compare({run_of({base})}, {run_of({test::level_row("a", 20, 40)})});
        ASSERT_EQ(c.groups.size(), 1u);
        EXPECT_FALSE(c.groups[0].compared) << state;
        EXPECT_TRUE(c.groups[0].metrics.empty()) << state;
        EXPECT_EQ(c.regressions(), 0) << state;
        ASSERT_EQ(c.not_compared.size(), 1u);
        EXPECT_THAT(c.not_compared[0], HasSubstr("BASE has no repeat measured in full"));
        const json j = render_json(c);
        EXPECT_EQ(j["groups"][0]["compared"], false);
        EXPECT_THAT(render_markdown(c), HasSubstr("Not compared: a@20"));
    }
}

TEST(Compare, FailedCallsOrADeadSutInNewAreRegressions) {
    for (const char* state : {"calls_failed", "sut_died"}) {
        json next = with_state(test::level_row("a", 20), state);
        Comparison c = compare({run_of({test::level_row("a", 20)})}, {run_of({next})});
        EXPECT_TRUE(c.groups[0].failed_in_new) << state;
        EXPECT_EQ(c.regressions(), 1) << state;
    }
    // Old rows without "state": failed calls read as calls_failed, "interrupted": true as such.
    json old_calls = test::level_row("a", 20);
    old_calls["calls"]["failed"] = 3;
    EXPECT_TRUE(compare({run_of({test::level_row("a", 20)})}, {run_of({old_calls})})
                    .groups[0]
                    .failed_in_new);
    json old_interrupted = test::level_row("a", 20);
    old_interrupted["interrupted"] = true;
    EXPECT_FALSE(compare({run_of({test::level_row("a", 20)})}, {run_of({old_interrupted})})
                     .groups[0]
                     .compared);
}

TEST(Compare, OnlyTheRepeatsMeasuredInFullAreWeighed) {
    std::vector<json> base{test::level_row("a", 20, 40), test::level_row("a", 20, 41),
                           with_state(test::level_row("a", 20, 400), "interrupted")};
    Comparison c = compare({run_of(base)}, {run_of({test::level_row("a", 20, 40)})});
    ASSERT_TRUE(c.groups[0].compared);
    EXPECT_EQ(c.groups[0].base_repeats, 2);
    EXPECT_EQ(metric(c, 0, "cpu_avg_percent").base_values.size(), 2u);
    EXPECT_EQ(metric(c, 0, "cpu_avg_percent").verdict, Verdict::pass);
}

TEST(Compare, ScalingSlopeIsCompared) {
    Comparison c = compare({run_of({}, {test::scaling_row("a", 0.5)})},
                           {run_of({}, {test::scaling_row("a", 0.6)})});
    ASSERT_EQ(c.groups.size(), 1u);
    EXPECT_FALSE(c.groups[0].level);
    EXPECT_EQ(metric(c, 0, "cpu_slope_percent_per_call").verdict, Verdict::regression);
    EXPECT_EQ(metric(c, 0, "mem_slope_mb_per_call").verdict, Verdict::pass);
    EXPECT_THAT(render_table(c), HasSubstr("a (scaling)"));
}

TEST(Compare, JsonAndMarkdownCarryTheVerdicts) {
    Comparison c =
        compare({run_of({test::level_row("a", 20, 40)})}, {run_of({test::level_row("a", 20, 48)})});
    json j = render_json(c);
    EXPECT_EQ(j["result"], "regression");
    EXPECT_EQ(j["regressions"], 3);
    EXPECT_EQ(j["groups"][0]["scenario"], "a");
    EXPECT_EQ(j["groups"][0]["metrics"][0]["id"], "cpu_avg_percent");
    EXPECT_EQ(j["groups"][0]["metrics"][0]["verdict"], "regression");
    EXPECT_TRUE(j["groups"][0]["metrics"][0]["p_value"].is_null());
    const std::string md = render_markdown(c);
    EXPECT_THAT(md, HasSubstr("| metric | base | new |"));
    EXPECT_THAT(md, HasSubstr("**REGRESSION**"));
    EXPECT_THAT(md, Not(HasSubstr("WARNING")));
}

}  // namespace
}  // namespace pbxbench::report
