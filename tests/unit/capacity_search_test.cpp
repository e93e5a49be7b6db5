// The capacity search against simulated SUTs: a sharp limit, noise, non-monotonic answers, a
// SUT that holds short trials but not long ones, a generator ceiling, and the budget.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "harness/capacity_search.hpp"

namespace pbxbench::harness {
namespace {

// A SUT as a verdict per trial; the driver charges each trial its length plus `overhead_s`
// (a failure ends early, after `fail_cost_s`, as the harness's early abort does).
using Sut = std::function<TrialVerdict(const TrialRequest&)>;

struct SearchRun {
    SearchOutcome outcome;
    std::vector<TrialRecord> history;
    double elapsed_s = 0;
};

SearchRun drive(SearchConfig config, const Sut& sut, double fail_cost_s = 3) {
    CapacitySearch search(config);
    SearchRun run;
    for (int guard = 0; guard < 200; ++guard) {
        auto trial = search.next(run.elapsed_s);
        if (!trial) break;
        EXPECT_EQ(trial->index, static_cast<int>(search.history().size()));
        const TrialVerdict v = sut(*trial);
        const double cost = v == TrialVerdict::fail
                                ? std::min(fail_cost_s, trial->duration_s) + config.overhead_s
                                : trial->duration_s + config.overhead_s;
        run.elapsed_s += cost;
        search.record(*trial, v, cost);
    }
    EXPECT_TRUE(search.done());
    run.outcome = search.outcome();
    run.history = search.history();
    return run;
}

Sut sharp_limit(double capacity) {
    return [capacity](const TrialRequest& t) {
        return t.value <= capacity ? TrialVerdict::pass : TrialVerdict::fail;
    };
}

SearchConfig quick_config() {
    SearchConfig c;
    c.start = 50;
    c.resolution = 0.05;
    c.trial_s = 5;
    c.confirm_s = 20;
    c.budget_s = 600;
    c.overhead_s = 2;
    return c;
}

int count(const SearchRun& run, TrialPurpose purpose) {
    int n = 0;
    for (const auto& r : run.history) n += r.request.purpose == purpose;
    return n;
}

TEST(CapacitySearch, FindsASharpLimitWithinTheResolutionAndConfirmsIt) {
    for (double capacity : {37.0, 200.0, 437.0, 1999.0, 5000.0}) {
        SearchRun run = drive(quick_config(), sharp_limit(capacity));
        ASSERT_EQ(run.outcome.reason, StopReason::confirmed) << capacity;
        ASSERT_TRUE(run.outcome.confirmed);
        EXPECT_LE(*run.outcome.confirmed, capacity);
        EXPECT_GE(*run.outcome.confirmed, capacity * 0.95) << capacity;
        EXPECT_TRUE(run.outcome.resolution_reached);
        EXPECT_EQ(run.history.back().request.purpose, TrialPurpose::confirm);
        EXPECT_EQ(run.history.back().request.duration_s, 20);
        EXPECT_LE(run.elapsed_s, 600);
    }
}

TEST(CapacitySearch, ProbesUpThenBisects) {
    SearchRun run = drive(quick_config(), sharp_limit(437));
    // 50, 100, 200, 400 pass; 800 fails and is re-tested; then bisection below 800.
    std::vector<double> values;
    for (const auto& r : run.history) values.push_back(r.request.value);
    ASSERT_GE(values.size(), 7u);
    EXPECT_EQ(values[0], 50);
    EXPECT_EQ(values[1], 100);
    EXPECT_EQ(values[4], 800);
    EXPECT_EQ(run.history[5].request.purpose, TrialPurpose::retest);
    EXPECT_EQ(values[5], 800);
    EXPECT_EQ(run.history[6].request.purpose, TrialPurpose::bisect);
    EXPECT_EQ(values[6], 600);
}

TEST(CapacitySearch, AStartAboveTheLimitProbesDown) {
    SearchConfig c = quick_config();
    c.start = 1000;
    SearchRun run = drive(c, sharp_limit(180));
    ASSERT_TRUE(run.outcome.confirmed);
    EXPECT_LE(*run.outcome.confirmed, 180);
    EXPECT_GE(*run.outcome.confirmed, 171);
    EXPECT_GE(count(run, TrialPurpose::probe), 3);
}

TEST(CapacitySearch, ReTestsASurprisingPassBeforeBelievingIt) {
    // The SUT fails 400 once (a transient), then holds it: the failure is re-tested, the
    // surprising pass is re-tested again, and only then does the probe go on above 400.
    int calls_at_400 = 0;
    Sut sut = [&](const TrialRequest& t) {
        if (t.value == 400 && calls_at_400++ == 0) return TrialVerdict::fail;
        return t.value <= 700 ? TrialVerdict::pass : TrialVerdict::fail;
    };
    SearchRun run = drive(quick_config(), sut);
    EXPECT_EQ(calls_at_400, 3);
    ASSERT_TRUE(run.outcome.confirmed);
    EXPECT_GE(*run.outcome.confirmed, 665);
    EXPECT_LE(*run.outcome.confirmed, 700);
}

TEST(CapacitySearch, ASurprisingPassOutvotedStaysAFailure) {
    // Fails 400, passes its re-test, fails the tie-break: 400 counts as failed.
    int calls_at_400 = 0;
    Sut sut = [&](const TrialRequest& t) {
        if (t.value == 400) return calls_at_400++ == 1 ? TrialVerdict::pass : TrialVerdict::fail;
        return t.value <= 700 ? TrialVerdict::pass : TrialVerdict::fail;
    };
    SearchRun run = drive(quick_config(), sut);
    EXPECT_EQ(calls_at_400, 3);
    ASSERT_TRUE(run.outcome.confirmed);
    EXPECT_LT(*run.outcome.confirmed, 400);
    EXPECT_GE(*run.outcome.confirmed, 190);
}

TEST(CapacitySearch, AFailedConfirmationStepsDownAndConfirmsAgain) {
    // Short trials hold up to 400, the longer confirmation only up to 330 (a leak, say).
    Sut sut = [](const TrialRequest& t) {
        const double limit = t.purpose == TrialPurpose::confirm ? 330 : 400;
        return t.value <= limit ? TrialVerdict::pass : TrialVerdict::fail;
    };
    SearchRun run = drive(quick_config(), sut);
    ASSERT_EQ(run.outcome.reason, StopReason::confirmed);
    EXPECT_LE(*run.outcome.confirmed, 330);
    EXPECT_GE(*run.outcome.confirmed, 250);
    EXPECT_GE(count(run, TrialPurpose::confirm), 2);
    for (const auto& r : run.history) {
        if (r.request.purpose == TrialPurpose::confirm && r.request.value > 330) {
            EXPECT_EQ(r.verdict, TrialVerdict::fail);
        }
    }
}

TEST(CapacitySearch, NeverReportsMoreThanItConfirmedUnderNoiseAndNonMonotonicAnswers) {
    // Short trials lie both ways 20% of the time and the SUT also fails a band below its
    // limit (non-monotonic); confirmation trials are honest about the limit.
    for (unsigned seed = 1; seed <= 300; ++seed) {
        std::mt19937 rng(seed);
        std::uniform_real_distribution<double> u(0, 1);
        const double capacity = 100 + 900 * u(rng);
        Sut sut = [&](const TrialRequest& t) {
            if (t.purpose == TrialPurpose::confirm)
                return t.value <= capacity ? TrialVerdict::pass : TrialVerdict::fail;
            bool pass = t.value <= capacity;
            if (t.value > capacity * 0.6 && t.value < capacity * 0.7) pass = u(rng) < 0.5;
            if (u(rng) < 0.2) pass = !pass;
            return pass ? TrialVerdict::pass : TrialVerdict::fail;
        };
        SearchConfig c = quick_config();
        c.budget_s = 400;
        SearchRun run = drive(c, sut);
        EXPECT_LE(run.elapsed_s, c.budget_s) << "seed " << seed;
        if (run.outcome.confirmed) {
            EXPECT_LE(*run.outcome.confirmed, capacity) << "seed " << seed;
            bool passed_confirm = false;
            for (const auto& r : run.history)
                passed_confirm |= r.request.purpose == TrialPurpose::confirm &&
                                  r.verdict == TrialVerdict::pass &&
                                  r.request.value == *run.outcome.confirmed;
            EXPECT_TRUE(passed_confirm) << "seed " << seed;
        } else {
            EXPECT_NE(run.outcome.reason, StopReason::confirmed);
        }
    }
}

TEST(CapacitySearch, ConvergesUnderNoiseMostOfTheTime) {
    // 5% of short trials answer wrongly: the result lands within 10% of the limit in most runs.
    int close = 0;
    const int runs = 200;
    for (unsigned seed = 1; seed <= runs; ++seed) {
        std::mt19937 rng(seed);
        std::uniform_real_distribution<double> u(0, 1);
        Sut sut = [&](const TrialRequest& t) {
            bool pass = t.value <= 500;
            if (t.purpose != TrialPurpose::confirm && u(rng) < 0.05) pass = !pass;
            return pass ? TrialVerdict::pass : TrialVerdict::fail;
        };
        SearchRun run = drive(quick_config(), sut);
        if (run.outcome.confirmed && *run.outcome.confirmed >= 450) ++close;
    }
    EXPECT_GE(close, runs * 8 / 10);
}

TEST(CapacitySearch, RespectsItsBudgetAndKeepsRoomForTheConfirmation) {
    for (double budget : {30.0, 45.0, 60.0, 90.0, 150.0}) {
        SearchConfig c = quick_config();
        c.budget_s = budget;
        SearchRun run = drive(c, sharp_limit(4000));
        EXPECT_LE(run.elapsed_s, budget);
        // The budget ends the probe early, but a confirmation of the best pass still runs.
        ASSERT_TRUE(run.outcome.confirmed) << budget;
        EXPECT_LE(*run.outcome.confirmed, 4000);
        EXPECT_EQ(run.history.back().request.purpose, TrialPurpose::confirm);
    }
}

TEST(CapacitySearch, LearnsWhatATrialCostsFromPassingTrials) {
    SearchConfig c = quick_config();
    CapacitySearch search(c);
    EXPECT_DOUBLE_EQ(search.estimated_cost_s(5), 7);
    auto t = search.next(0);
    search.record(*t, TrialVerdict::pass, 5 + 6.5);
    EXPECT_DOUBLE_EQ(search.estimated_cost_s(20), 26.5);
}

TEST(CapacitySearch, AskingTwiceGivesTheSameTrial) {
    CapacitySearch search(quick_config());
    auto a = search.next(0), b = search.next(10);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->index, b->index);
    EXPECT_EQ(a->value, b->value);
}

TEST(CapacitySearch, StopsAtTheFirstGeneratorBoundTrialAndConfirmsAFloor) {
    Sut sut = [](const TrialRequest& t) {
        return t.value >= 800 ? TrialVerdict::generator_bound : TrialVerdict::pass;
    };
    SearchRun run = drive(quick_config(), sut);
    EXPECT_EQ(run.outcome.reason, StopReason::generator_bound);
    ASSERT_TRUE(run.outcome.stopped_at);
    EXPECT_EQ(*run.outcome.stopped_at, 800);
    // No trial above the generator's limit (run twice: a busy moment is not a limit), and the
    // highest pass is confirmed as a floor.
    for (const auto& r : run.history) EXPECT_LE(r.request.value, 800);
    ASSERT_EQ(run.history.size(), 7u);
    EXPECT_EQ(run.history[5].request.purpose, TrialPurpose::retest);
    EXPECT_EQ(run.history.back().request.purpose, TrialPurpose::confirm);
    EXPECT_EQ(run.outcome.confirmed, 400);
}

TEST(CapacitySearch, AGeneratorBoundFirstTrialHasNoFloor) {
    Sut sut = [](const TrialRequest&) { return TrialVerdict::generator_bound; };
    SearchRun run = drive(quick_config(), sut);
    EXPECT_EQ(run.outcome.reason, StopReason::generator_bound);
    EXPECT_EQ(run.history.size(), 2u);
    EXPECT_FALSE(run.outcome.confirmed);
}

TEST(CapacitySearch, AGeneratorHiccupDoesNotEndTheSearch) {
    int calls_at_400 = 0;
    Sut sut = [&](const TrialRequest& t) {
        if (t.value == 400 && calls_at_400++ == 0) return TrialVerdict::generator_bound;
        return t.value <= 500 ? TrialVerdict::pass : TrialVerdict::fail;
    };
    SearchRun run = drive(quick_config(), sut);
    EXPECT_EQ(run.outcome.reason, StopReason::confirmed);
    EXPECT_GE(*run.outcome.confirmed, 475);
}

TEST(CapacitySearch, StopsWhenATrialMeasuresNothing) {
    Sut sut = [](const TrialRequest& t) {
        return t.value >= 200 ? TrialVerdict::error : TrialVerdict::pass;
    };
    SearchRun run = drive(quick_config(), sut);
    EXPECT_EQ(run.outcome.reason, StopReason::error);
    EXPECT_EQ(run.outcome.stopped_at, 200);
    EXPECT_EQ(run.history.size(), 3u);
}

TEST(CapacitySearch, GivesUpBelowTheMinimum) {
    SearchRun run = drive(quick_config(), sharp_limit(0.5));
    EXPECT_EQ(run.outcome.reason, StopReason::below_minimum);
    EXPECT_FALSE(run.outcome.confirmed);
}

TEST(CapacitySearch, PassingAtTheGeneratorCeilingConfirmsTheCeiling) {
    SearchConfig c = quick_config();
    c.max_value = 300;
    SearchRun run = drive(c, sharp_limit(1e9));
    ASSERT_TRUE(run.outcome.confirmed);
    EXPECT_EQ(*run.outcome.confirmed, 300);
    for (const auto& r : run.history) EXPECT_LE(r.request.value, 300);
}

TEST(CapacitySearch, WholeNumbersForConcurrentCalls) {
    SearchConfig c = quick_config();
    c.start = 10;
    c.whole_numbers = true;
    SearchRun run = drive(c, sharp_limit(123));
    for (const auto& r : run.history) EXPECT_EQ(r.request.value, std::floor(r.request.value));
    ASSERT_TRUE(run.outcome.confirmed);
    EXPECT_LE(*run.outcome.confirmed, 123);
    EXPECT_GE(*run.outcome.confirmed, 117);
}

TEST(CapacitySearchValidate, NamesWhatToFix) {
    SearchConfig c = quick_config();
    c.budget_s = 20;
    auto v = validate(c);
    ASSERT_FALSE(v);
    EXPECT_NE(v.error().message.find("--budget 20 s is too short"), std::string::npos);
    EXPECT_NE(v.error().message.find("at least --budget 29s"), std::string::npos);
    c = quick_config();
    c.start = 50000;
    ASSERT_FALSE(validate(c));
    EXPECT_NE(validate(c).error().message.find("--start 50000"), std::string::npos);
    c = quick_config();
    c.resolution = 0;
    EXPECT_FALSE(validate(c));
    EXPECT_TRUE(validate(quick_config()));
}

}  // namespace
}  // namespace pbxbench::harness
