#pragma once
// How long a level and the whole run still take, for the live view. Sans-IO: every call
// takes `now` in seconds of a steady clock, so tests drive it without waiting.
//
// A level is a slot: the cooldown before it (not before the first), starting the SUT and
// registering ("pre"), the calls (ramp level/cps, then each call held hold_s), then collecting
// and stopping ("post"). Pre and post start from a guess and are corrected with what each
// finished level measured; the calls part comes from the plan.
#include <optional>
#include <string>
#include <vector>

#include "harness/live_view_phase.hpp"

namespace pbxbench::harness {

// What the run will do, in order: every scenario runs `levels` (repeats expanded).
struct LivePlan {
    std::vector<std::string> scenarios;
    std::vector<int> levels;
    double cps = 1;
    double hold_s = 0;
    double cooldown_s = 0;
};

// One level as it begins: its calls and their pacing.
struct LevelShape {
    int calls = 0;
    double cps = 1;
    double hold_s = 0;
};

class ProgressEstimate {
  public:
    // Guesses for a level's fixed costs before any level has measured them.
    static constexpr double initial_pre_s = 3.0;
    static constexpr double initial_post_s = 1.5;

    void set_plan(const LivePlan& plan, double now);
    // Level `level_index` of scenario `scenario_index` (0-based) is next; its slot starts.
    void position(int scenario_index, int level_index, double now);
    void begin_level(const LevelShape& shape, double now);
    void phase(Phase phase, double now);
    // The level is over (its row written): its pre and post durations correct the guesses.
    void end_level(double now);

    double level_elapsed(double now) const;
    double run_elapsed(double now) const;
    // None before a level has begun.
    std::optional<double> level_remaining(double now) const;
    // None without a plan (`pbxbench capacity` cannot know how many trials its search takes).
    std::optional<double> run_remaining(double now) const;

    double pre_estimate() const { return pre_s_; }
    double post_estimate() const { return post_s_; }

  private:
    enum class Stage { idle, cooldown, pre, calls, post, done };
    double calls_s(const LevelShape& shape) const;
    double slot_s(int calls, bool with_cooldown) const;

    std::optional<LivePlan> plan_;
    double run_start_ = 0;
    int scenario_index_ = 0;
    int level_index_ = 0;
    bool positioned_ = false;
    Stage stage_ = Stage::idle;
    LevelShape shape_;
    double slot_start_ = 0;
    double stage_start_ = 0;
    double pre_start_ = 0;
    std::optional<double> calls_start_;
    std::optional<double> post_start_;
    double pre_s_ = initial_pre_s;
    double post_s_ = initial_post_s;
    int measured_pre_ = 0;  // levels that corrected the guesses so far
    int measured_post_ = 0;
};

}  // namespace pbxbench::harness
