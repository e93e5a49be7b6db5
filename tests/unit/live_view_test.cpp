// The live view of `pbxbench run`: where in the run, elapsed and remaining time, labelled call
// counts, phase lines that a short level would skip, and plain output without escape codes.
#include "harness/live_view.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <regex>
#include <sstream>

namespace pbxbench::harness {
namespace {

using namespace std::chrono_literals;

class StepClock final : public monitor::Clock {
  public:
    monitor::SteadyTime now() override {
        std::lock_guard lock(mutex_);
        return now_;
    }
    std::int64_t unix_ms() override {
        std::lock_guard lock(mutex_);
        return 1'764'671'000'000 +
               std::chrono::duration_cast<std::chrono::milliseconds>(now_ - monitor::SteadyTime{})
                   .count();
    }
    bool sleep_until(monitor::SteadyTime, std::stop_token) override { return true; }
    void advance(std::chrono::milliseconds d) {
        std::lock_guard lock(mutex_);
        now_ += d;
    }

  private:
    std::mutex mutex_;
    monitor::SteadyTime now_{std::chrono::hours(1)};
};

LivePlan two_by_two() {
    LivePlan plan;
    plan.scenarios = {"first", "second"};
    plan.levels = {20, 50};
    plan.cps = 10;
    plan.hold_s = 3;
    plan.cooldown_s = 1;
    return plan;
}

TEST(ProgressEstimate, LevelAndRunRemainingFollowThePlanAndCountDown) {
    ProgressEstimate e;
    e.set_plan(two_by_two(), 0);
    e.position(0, 0, 0);
    e.begin_level({20, 10, 3}, 0);
    const double pre = ProgressEstimate::initial_pre_s, post = ProgressEstimate::initial_post_s;
    // Level: pre + 20/10 + 3 + post. Run: that + 3 later slots, each with its cooldown.
    EXPECT_DOUBLE_EQ(*e.level_remaining(0), pre + 5 + post);
    const double slot20 = 1 + pre + 5 + post, slot50 = 1 + pre + 8 + post;
    EXPECT_DOUBLE_EQ(*e.run_remaining(0), pre + 5 + post + slot50 + slot20 + slot50);
    e.phase(Phase::ramping, 1);
    EXPECT_DOUBLE_EQ(*e.level_remaining(1), 5 + post);
    EXPECT_DOUBLE_EQ(*e.level_remaining(4), 2 + post);
    e.phase(Phase::stopping, 6.2);
    EXPECT_DOUBLE_EQ(*e.level_remaining(6.2), post);
    EXPECT_DOUBLE_EQ(e.level_elapsed(6.2), 6.2);
}

TEST(ProgressEstimate, FinishedLevelsCorrectTheGuessesForTheRest) {
    ProgressEstimate e;
    e.set_plan(two_by_two(), 0);
    e.position(0, 0, 0);
    e.begin_level({20, 10, 3}, 0);
    e.phase(Phase::registering, 5);
    e.phase(Phase::ramping, 8);  // the SUT took 8 s to start and register
    e.phase(Phase::stopping, 13);
    e.end_level(13.5);  // and 0.5 s to stop
    EXPECT_DOUBLE_EQ(e.pre_estimate(), 8);
    EXPECT_DOUBLE_EQ(e.post_estimate(), 0.5);
    e.position(0, 1, 13.5);
    e.phase(Phase::cooldown, 13.5);
    EXPECT_DOUBLE_EQ(*e.level_remaining(13.5), 1 + 8 + 8 + 0.5);
    EXPECT_DOUBLE_EQ(*e.run_remaining(13.5), 2 * (1 + 8 + 8 + 0.5) + (1 + 8 + 5 + 0.5));
}

TEST(ProgressEstimate, WithoutAPlanOnlyTheLevelIsEstimated) {
    ProgressEstimate e;
    e.begin_level({100, 50, 1}, 10);
    EXPECT_TRUE(e.level_remaining(10).has_value());
    EXPECT_FALSE(e.run_remaining(10).has_value());
}

TEST(LiveView, StatusSaysWhereInTheRunWithTimesAndLabelledCounts) {
    StepClock clock;
    std::ostringstream out;
    LiveView view(out, ViewOutput::lines, clock);
    view.set_sut_label("kamailio dialogs");
    view.plan(two_by_two());
    view.position(1, 0);
    view.begin("mediaproxy_none", {20, 10, 3});
    view.phase(Phase::holding);
    clock.advance(2500ms);
    CallProgress p;
    p.active = 11;
    p.cps = 9.5;
    p.failed = 2;
    p.packets_sent = 1000;
    p.packets_received = 990;
    view.calls(p);
    view.sample(3.4, 83.8e6, 16e6, 10);
    const auto lines = view.status_lines();
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_NE(lines[0].find("scenario 2 of 2: mediaproxy_none"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("level 1 of 2: 20 calls"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("holding"), std::string::npos) << lines[0];
    EXPECT_TRUE(std::regex_search(
        lines[0], std::regex(R"(level 0:03, ~0:\d\d left \| run 0:03, ~0:\d\d left)")))
        << lines[0];
    EXPECT_NE(lines[1].find("ours 11, kamailio dialogs 10"), std::string::npos) << lines[1];
    EXPECT_NE(lines[1].find("9.5 cps"), std::string::npos) << lines[1];
    EXPECT_NE(lines[1].find("failed 2"), std::string::npos) << lines[1];
    EXPECT_NE(lines[1].find("loss 1.00%"), std::string::npos) << lines[1];
    EXPECT_NE(lines[1].find("SUT CPU 3% RSS 83.8 MB PSS 16.0 MB"), std::string::npos) << lines[1];
}

TEST(LiveView, ACooldownShowsTheLevelToComeWithoutTheLastLevelsFigures) {
    StepClock clock;
    std::ostringstream out;
    LiveView view(out, ViewOutput::lines, clock);
    view.plan(two_by_two());
    view.position(0, 1);
    view.begin("first", {50, 10, 3});
    CallProgress p;
    p.active = 50;
    view.calls(p);
    view.sample(10, 80e6, 16e6, 50);
    view.level_done("first@50 ok");
    view.position(1, 0);
    view.phase(Phase::cooldown);
    const auto lines = view.status_lines();
    EXPECT_NE(lines[0].find("scenario 2 of 2: second | level 1 of 2: 20 calls | cooldown"),
              std::string::npos)
        << lines[0];
    EXPECT_NE(lines[1].find("ours 0, SUT calls n/a"), std::string::npos) << lines[1];
    EXPECT_NE(lines[1].find("SUT CPU n/a RSS n/a PSS n/a"), std::string::npos) << lines[1];
}

TEST(LiveView, AShortLevelStillGetsEveryCallsPhaseLineInOrder) {
    StepClock clock;
    std::ostringstream out;
    LiveView view(out, ViewOutput::lines, clock);
    view.begin("a", {20, 50, 3});
    view.phase(Phase::starting_sut);
    view.phase(Phase::registering);
    view.phase(Phase::holding);  // the 0.4 s ramp fell between two progress events
    view.phase(Phase::holding);
    view.phase(Phase::stopping);  // and so did the drain: not a calls phase, nothing filled
    view.finish();
    EXPECT_EQ(out.str(),
              "pbxbench run: a at 20 calls: starting SUT\n"
              "pbxbench run: a at 20 calls: registering\n"
              "pbxbench run: a at 20 calls: ramping\n"
              "pbxbench run: a at 20 calls: holding\n"
              "pbxbench run: a at 20 calls: stopping\n");
    std::ostringstream out2;
    LiveView view2(out2, ViewOutput::lines, clock);
    view2.begin("a", {20, 50, 3});
    view2.phase(Phase::ramping);
    view2.phase(Phase::draining);
    view2.finish();
    EXPECT_EQ(out2.str(),
              "pbxbench run: a at 20 calls: ramping\n"
              "pbxbench run: a at 20 calls: holding\n"
              "pbxbench run: a at 20 calls: draining\n");
}

TEST(LiveView, PlainOutputIsTimestampedWithoutEscapeCodesAndRepeatsTheStatus) {
    StepClock clock;
    std::ostringstream out;
    LiveView view(out, ViewOutput::timestamped, clock);
    view.plan(two_by_two());
    view.position(0, 0);
    view.begin("a", {20, 10, 3});
    view.phase(Phase::ramping);
    clock.advance(6s);
    view.calls({});
    view.level_done("a@20 ok: 20/20 calls");
    view.finish();
    const std::string text = out.str();
    EXPECT_EQ(text.find('\033'), std::string::npos);
    EXPECT_EQ(text.find('\r'), std::string::npos);
    std::istringstream lines(text);
    int status = 0;
    for (std::string line; std::getline(lines, line);) {
        EXPECT_TRUE(std::regex_search(
            line, std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ pbxbench run: )")))
            << line;
        status += line.find("status: scenario 1 of 2") != std::string::npos;
    }
    EXPECT_GE(status, 1) << text;
    EXPECT_NE(text.find("done a@20 ok"), std::string::npos) << text;
}

TEST(LiveView, RedrawKeepsStatusLinesWithinTheWidthAndClearsThemForNotes) {
    StepClock clock;
    std::ostringstream out;
    LiveView view(out, ViewOutput::redraw, clock);
    view.set_width(60);
    view.begin("a_scenario_with_a_rather_long_name", {20, 10, 3});
    view.calls({});
    view.note("hello");
    view.finish();
    const std::string text = out.str();
    // Every drawn status line is cut to 59 columns, so none wraps.
    std::size_t pos = 0;
    while ((pos = text.find("\r\033[K", pos)) != std::string::npos) {
        pos += 4;
        const std::size_t end = text.find_first_of("\r\n\033", pos);
        EXPECT_LE((end == std::string::npos ? text.size() : end) - pos, 59u);
    }
    EXPECT_NE(text.find("\033[1A"), std::string::npos) << "two status lines are redrawn";
    EXPECT_NE(text.find("pbxbench run: hello\n"), std::string::npos);
}

TEST(LiveView, NoneShowsProblemsOnly) {
    StepClock clock;
    std::ostringstream out;
    LiveView view(out, ViewOutput::none, clock);
    view.begin("a", {20, 10, 3});
    view.phase(Phase::ramping);
    view.note("started kamailio");
    view.level_done("a@20 ok");
    view.problem("a@20 failed: boom");
    view.finish();
    EXPECT_EQ(out.str(), "pbxbench run: a@20 failed: boom\n");
}

TEST(ProgressMode, ParsesTheThreeNames) {
    EXPECT_EQ(parse_progress_mode("auto"), ProgressMode::automatic);
    EXPECT_EQ(parse_progress_mode("plain"), ProgressMode::plain);
    EXPECT_EQ(parse_progress_mode("none"), ProgressMode::none);
    EXPECT_FALSE(parse_progress_mode("fancy"));
    EXPECT_EQ(resolve_view_output(ProgressMode::automatic, true), ViewOutput::redraw);
    EXPECT_EQ(resolve_view_output(ProgressMode::automatic, false), ViewOutput::lines);
    EXPECT_EQ(resolve_view_output(ProgressMode::plain, true), ViewOutput::timestamped);
}

TEST(ClockText, MinutesAndHours) {
    EXPECT_EQ(clock_text(7.4), "0:07");
    EXPECT_EQ(clock_text(725), "12:05");
    EXPECT_EQ(clock_text(3723), "1:02:03");
    EXPECT_EQ(clock_text(-3), "0:00");
}

}  // namespace
}  // namespace pbxbench::harness
