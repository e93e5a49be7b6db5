#pragma once
// One capacity trial judged: the SLOs against its level row, whether the generator could offer
// the load at all (generator-bound), and why it broke (failures by class, SUT CPU, the SUT's
// own log). Pure: tested on synthetic measurements.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/capacity_search.hpp"
#include "harness/capacity_slo.hpp"
#include "harness/run_report.hpp"

namespace pbxbench::harness {

struct TrialSetup {
    double offered_cps = 0;   // the schedule's rate: calls/s (the ramp, for concurrent trials)
    std::uint64_t calls = 0;  // calls planned
    int generator_cpus = 1;   // CPUs the generator may use
    int sut_cpus = 1;         // CPUs the SUT may use
    double tick_ms = 10;      // the UAC's scheduling tick: a call may start one tick late
    std::optional<std::uint64_t> failure_budget;  // early abort after this many failures
};

// The thresholds of "generator-bound" and "saturated" (docs/capacity.md).
inline constexpr double generator_cpu_share_limit = 0.85;  // of the CPUs it may use
inline constexpr double generator_lag_limit_ms = 5;  // RTP pacing lag p99; call starts: median
inline constexpr double sut_cpu_saturated_share = 0.95;    // of the CPUs the SUT may use

struct TrialAssessment {
    TrialVerdict verdict = TrialVerdict::error;
    std::vector<SloCheck> slos;
    std::vector<std::string> generator_reasons;  // non-empty: generator-bound
    std::vector<std::string> why;                // what broke, in words, most telling first
    std::optional<double> schedule_lag_p50_ms;  // calls started late, beyond one tick
    std::optional<double> schedule_lag_max_ms;
    nlohmann::json to_json() const;
};

// How far the UAC's call starts fell behind their schedule, from its progress lines: at each
// line before the last call, elapsed - started / rate, less the smallest such value (the
// progress clock's head start), one tick and one call interval. Empty without progress lines
// during the ramp.
std::vector<double> schedule_lag_ms(const std::vector<ProgressPoint>& progress, double cps,
                                    std::uint64_t calls, double tick_ms);

TrialAssessment assess_trial(const LevelMeasurement& m, const nlohmann::json& row,
                             const std::vector<Slo>& slos, const TrialSetup& setup);

}  // namespace pbxbench::harness
