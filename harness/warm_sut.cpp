#include "harness/warm_sut.hpp"

#include "harness/scenario_plan.hpp"

namespace pbxbench::harness {

Result<std::unique_ptr<WarmSut>> WarmSut::start(const RunContext& ctx, const ScenarioSpec& scenario,
                                                const std::filesystem::path& run_dir) {
    std::unique_ptr<WarmSut> warm(new WarmSut(ctx.launcher));
    auto vars = builtin_variables(ctx.profile, scenario, run_dir, ctx.ports);
    if (!vars) return fail(vars.error().message);
    auto plan = plan_scenario(ctx.profile, scenario, *vars);
    if (!plan) return fail(plan.error().message);
    // As a level starts its SUT (scenario_runner.cpp), on the SUT's CPUs.
    for (auto& step : plan->setup) step.launch.cpus = ctx.sut_cpus;
    for (auto& sidecar : plan->sidecars) sidecar.launch.cpus = ctx.sut_cpus;
    plan->sut.cpus = ctx.sut_cpus;
    if (auto w = write_templates(*plan); !w) return fail(w.error().message);
    for (const auto& step : plan->setup)
        if (auto r = run_to_completion(ctx.launcher, step.launch, step.timeout); !r)
            return fail(r.error().message);
    std::vector<pid_t> sidecar_pids;
    for (const auto& sidecar : plan->sidecars) {
        auto p = warm->children_.start(sidecar.launch);
        if (!p) return fail(p.error().message);
        warm->watched_.push_back(*p);
        sidecar_pids.push_back((*p)->pid());
        auto ready = wait_ready(**p, sidecar.ready, ctx.probe, ctx.clock, plan->ready_timeout);
        if (!ready)
            return fail(sidecar.launch.name + " did not become ready: " + ready.error().message);
    }
    auto sut = warm->children_.start(plan->sut);
    if (!sut) return fail(sut.error().message);
    warm->watched_.insert(warm->watched_.begin(), *sut);
    auto ready = wait_ready(**sut, plan->sut_ready, ctx.probe, ctx.clock, plan->ready_timeout);
    if (!ready)
        return fail((*sut)->name() + " did not become ready: " + ready.error().message +
                    "; its log ends with:" + format_log_tail((*sut)->log_tail(20)));
    warm->target_.sip = plan->sip;
    warm->target_.health_url = plan->health ? plan->health->request.url : std::string();
    warm->target_.pids = {(*sut)->pid()};
    warm->target_.pids.insert(warm->target_.pids.end(), sidecar_pids.begin(), sidecar_pids.end());
    warm->log_path_ = plan->sut.log_path;
    return warm;
}

bool WarmSut::alive() {
    for (Process* p : watched_)
        if (p->poll()) return false;
    return true;
}

}  // namespace pbxbench::harness
