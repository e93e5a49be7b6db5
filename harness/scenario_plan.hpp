#pragma once
// One scenario of a profile made concrete for one run: every ${VAR} substituted, ports
// assigned, launch specs for setup steps, sidecars and the SUT, and the readiness checks of
// each. The orchestration executes a plan; it never reads the profile's raw strings.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "harness/ports.hpp"
#include "harness/process.hpp"
#include "harness/profile.hpp"
#include "harness/readiness.hpp"
#include "harness/template.hpp"
#include "monitor/health_probe.hpp"
#include "sip/address.hpp"

namespace pbxbench::harness {

struct SetupPlan {
    LaunchSpec launch;
    std::chrono::milliseconds timeout{30000};
};

struct SidecarPlan {
    LaunchSpec launch;
    ReadinessChecks ready;  // empty: ready as soon as it runs
};

struct RenderedTemplate {
    std::filesystem::path target;  // inside the run dir
    std::string text;
};

struct ScenarioPlan {
    std::string scenario;
    std::filesystem::path run_dir;
    Variables vars;  // everything substituted, built-ins included
    std::vector<RenderedTemplate> templates;
    std::vector<SetupPlan> setup;        // run in order, each to completion
    std::vector<SetupPlan> collect;      // after the calls, in order; stdout piped
    std::vector<SidecarPlan> sidecars;   // started in order, each ready before the next
    LaunchSpec sut;                      // log: RUN_DIR/<profile name>.log
    ReadinessChecks sut_ready;
    std::chrono::milliseconds ready_timeout{30000};
    sip::Address sip;                    // where UACs and UASs send
    std::optional<monitor::HealthConfig> health;  // for readiness and the monitor
};

// The built-in variables for one run of `scenario` in `run_dir`: free ports for SIP_PORT,
// HTTP_PORT, RTPENGINE_NG_PORT, RTPENGINE_CLI_PORT and the profile's `ports`, the absolute RUN_DIR
// and PROFILE_DIR, EXTENSION_PASSWORD ([users].password) and SCENARIO.
Result<Variables> builtin_variables(const Profile& profile, const ScenarioSpec& scenario,
                                    const std::filesystem::path& run_dir, PortAllocator& ports);

// Substitutes `builtins` (then [vars], then the scenario's vars, later ones winning) into
// everything `scenario` uses and renders its templates in memory.
Result<ScenarioPlan> plan_scenario(const Profile& profile, const ScenarioSpec& scenario, const Variables& builtins);

// Creates the run dir and writes the rendered templates into it.
Result<void> write_templates(const ScenarioPlan& plan);

}  // namespace pbxbench::harness
