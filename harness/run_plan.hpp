#pragma once
// What `pbxbench run` is about to do, said before it starts: scenarios x levels and an estimate
// of how long it takes, so nobody starts a 3-hour run thinking it is a quick look.
// `pbxbench run --dry-run` prints this and nothing else. Pure: no processes, no clock.
#include <string>
#include <vector>

#include "harness/profile.hpp"
#include "harness/run_options.hpp"

namespace pbxbench::harness {

// One scenario's part of the plan.
struct ScenarioEstimate {
    std::string name;
    double start_s = 0;     // SUT, sidecars, setup steps up and ready (per level run)
    double register_s = 0;  // callees (and callers that register) registered
    double calls_s = 0;     // every level's ramp + hold + drain, summed over levels and repeats
    double total_s = 0;     // everything of this scenario, cooldowns included
};

struct RunPlan {
    std::vector<int> levels;
    int repeat = 1;
    std::vector<ScenarioEstimate> scenarios;
    int level_runs = 0;  // scenarios x levels x repeat
    double total_s = 0;  // the whole run, cooldowns between level runs included
};

// The plan for `scenarios` of `profile` under `options`; `callees` and `registering` are the
// numbers of endpoints and callers that register before each level, per scenario.
RunPlan plan_run(const Profile& profile, const std::vector<const ScenarioSpec*>& scenarios,
                 const RunOptions& options, const std::vector<std::size_t>& registrations);

// Human lines for stderr: the plan, per scenario, and "expected duration: about ...".
std::string describe_plan(const RunPlan& plan, const RunOptions& options,
                          const std::string& profile_name);

// "45 s", "3 min 10 s", "2 h 5 min": a duration people read at a glance.
std::string human_duration(double seconds);

}  // namespace pbxbench::harness
