#include "harness/run_plan.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace pbxbench::harness {

namespace {

// Rough costs, from `run --quick` on this project's 2-core VM with the Kamailio profile (49 s
// for 4 scenarios x 2 levels, docs/results.md "How long a run takes"): the SUT started and
// answering OPTIONS, a sidecar up, a setup step (initdb is most of sipflow's), a collect step,
// registrations, and the end of a level (last BYEs, un-REGISTERs, the SUT stopped). A slower
// machine or PBX takes longer, and the plan says it is an estimate.
constexpr double sut_start_s = 0.5;
constexpr double attach_ready_s = 0.2;
constexpr double per_sidecar_s = 0.5;
constexpr double per_setup_s = 1.0;
constexpr double per_collect_s = 0.5;
constexpr double register_base_s = 0.2;
constexpr double per_registration_s = 0.005;
constexpr double level_end_s = 0.5;

std::string join_levels(const std::vector<int>& levels) {
    std::string out;
    for (int l : levels) out += (out.empty() ? "" : ", ") + std::to_string(l);
    return out;
}

}  // namespace

RunPlan plan_run(const Profile& profile, const std::vector<const ScenarioSpec*>& scenarios,
                 const RunOptions& options, const std::vector<std::size_t>& registrations) {
    RunPlan plan;
    plan.levels = effective_levels(options);
    plan.repeat = options.repeat;
    const int runs_per_scenario = static_cast<int>(plan.levels.size()) * options.repeat;
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
        const ScenarioSpec& s = *scenarios[i];
        ScenarioEstimate e;
        e.name = s.name;
        if (options.attach.enabled) {
            e.start_s = attach_ready_s;
        } else {
            e.start_s = sut_start_s +
                        per_sidecar_s * static_cast<double>(profile.sidecars_for(s).size()) +
                        per_setup_s * static_cast<double>(profile.setup_for(s).size());
        }
        const double collect_s = per_collect_s * static_cast<double>(profile.collect_for(s).size());
        const std::size_t registering = i < registrations.size() ? registrations[i] : 0;
        e.register_s = register_base_s + per_registration_s * static_cast<double>(registering);
        for (int level : plan.levels) {
            const double ramp_s = options.cps > 0 ? level / options.cps : 0;
            e.calls_s += options.repeat * (ramp_s + options.hold_s + level_end_s + collect_s);
        }
        e.total_s = e.calls_s + runs_per_scenario * (e.start_s + e.register_s);
        plan.total_s += e.total_s;
        plan.level_runs += runs_per_scenario;
        plan.scenarios.push_back(e);
    }
    if (plan.level_runs > 1) plan.total_s += (plan.level_runs - 1) * options.cooldown_s;
    return plan;
}

std::string human_duration(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    if (s < 60) return std::to_string(s) + " s";
    if (s < 3600)
        return std::to_string(s / 60) + " min" +
               (s % 60 ? " " + std::to_string(s % 60) + " s" : "");
    const long m = (s % 3600 + 30) / 60;
    return std::to_string(s / 3600) + " h" + (m ? " " + std::to_string(m) + " min" : "");
}

std::string describe_plan(const RunPlan& plan, const RunOptions& options,
                          const std::string& profile_name) {
    std::ostringstream out;
    out << "pbxbench run: plan: profile " << profile_name << ", " << plan.scenarios.size()
        << " scenario(s) x " << plan.levels.size() << " level(s) (" << join_levels(plan.levels)
        << " calls)";
    if (plan.repeat > 1) out << " x " << plan.repeat << " repeats";
    out << " = " << plan.level_runs << " level run(s)\n";
    out << "  each level: calls started at " << options.cps << " calls/s, each held "
        << options.hold_s << " s" << (options.media ? ", with media" : ", no media")
        << "; cooldown " << options.cooldown_s << " s between level runs\n";
    for (const ScenarioEstimate& e : plan.scenarios)
        out << "  " << e.name << ": about " << human_duration(e.total_s) << "\n";
    out << "  expected duration: about " << human_duration(plan.total_s)
        << " (an estimate; a slow SUT start adds to it)\n";
    return out.str();
}

}  // namespace pbxbench::harness
