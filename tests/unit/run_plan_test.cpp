// What `pbxbench run` says before it starts: scenarios x levels and an expected duration that
// grows with what the options ask for.
#include "harness/run_plan.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pbxbench::harness {
namespace {

using ::testing::HasSubstr;

struct Kamailio {
    Profile profile;
    std::vector<const ScenarioSpec*> all;
    Kamailio() {
        auto p =
            load_profile(std::filesystem::path(PBXBENCH_SOURCE_DIR) / "profiles/kamailio.toml");
        EXPECT_TRUE(p) << p.error().message;
        profile = std::move(*p);
        all = *select_scenarios(profile, "all");
    }
};

RunOptions quick() {
    RunOptions o;
    apply_quick(o);
    return o;
}

TEST(RunPlan, CountsScenariosTimesLevelsTimesRepeats) {
    Kamailio k;
    RunOptions o = quick();
    o.repeat = 3;
    const RunPlan plan = plan_run(k.profile, k.all, o, {});
    EXPECT_EQ(plan.level_runs, 4 * 2 * 3);
    ASSERT_EQ(plan.scenarios.size(), 4u);
    EXPECT_EQ(plan.scenarios[0].name, "mediaproxy_none");
}

// --quick took 47 s and 49 s on this project's 2-core VM (4 scenarios x 2 levels).
TEST(RunPlan, QuickIsAboutAMinuteAndTheDefaultRunSeveral) {
    Kamailio k;
    const double quick_s = plan_run(k.profile, k.all, quick(), {}).total_s;
    EXPECT_GT(quick_s, 40);
    EXPECT_LT(quick_s, 80);
    // The defaults: 500 calls at 100 calls/s held 60 s, cooldown 10 s, one level a scenario.
    const double default_s = plan_run(k.profile, k.all, RunOptions{}, {}).total_s;
    EXPECT_GT(default_s, 4 * (5 + 60));
    EXPECT_LT(default_s, 4 * (5 + 60 + 20) + 3 * 10);
}

TEST(RunPlan, EverySecondAskedForIsCounted) {
    Kamailio k;
    RunOptions o = quick();
    const RunPlan base = plan_run(k.profile, k.all, o, {});
    o.hold_s += 10;  // 8 level runs, each held 10 s longer
    EXPECT_NEAR(plan_run(k.profile, k.all, o, {}).total_s - base.total_s, 80, 1e-6);
    o = quick();
    o.cooldown_s += 2;  // 7 gaps between 8 level runs
    EXPECT_NEAR(plan_run(k.profile, k.all, o, {}).total_s - base.total_s, 14, 1e-6);
    o = quick();
    o.cps = 10;  // 20 and 50 calls ramp in 2 s and 5 s instead of 0.4 s and 1 s, 4 scenarios
    EXPECT_NEAR(plan_run(k.profile, k.all, o, {}).total_s - base.total_s, 4 * 5.6, 1e-6);
    // Sidecars and setup steps cost start-up time: sipflow starts slowest.
    EXPECT_GT(base.scenarios[3].start_s, base.scenarios[0].start_s);
    // More registrations take longer.
    EXPECT_GT(plan_run(k.profile, k.all, quick(), {2000, 0, 0, 0}).scenarios[0].register_s,
              base.scenarios[0].register_s);
}

TEST(RunPlan, SaysWhatAndHowLongInWords) {
    Kamailio k;
    const RunOptions o = quick();
    const std::string text = describe_plan(plan_run(k.profile, k.all, o, {}), o, "kamailio");
    EXPECT_THAT(text, HasSubstr("plan: profile kamailio, 4 scenario(s) x 2 level(s) (20, 50 "
                                "calls) = 8 level run(s)"));
    EXPECT_THAT(text, HasSubstr("at 50 calls/s, each held 3 s"));
    EXPECT_THAT(text, HasSubstr("  sipflow: about "));
    EXPECT_THAT(text, HasSubstr("expected duration: about "));
}

TEST(RunPlan, HumanDurations) {
    EXPECT_EQ(human_duration(45), "45 s");
    EXPECT_EQ(human_duration(190), "3 min 10 s");
    EXPECT_EQ(human_duration(120), "2 min");
    EXPECT_EQ(human_duration(7500), "2 h 5 min");
}

}  // namespace
}  // namespace pbxbench::harness
