#pragma once
// One capacity trial judged: the SLOs against its level row, whether the generator could offer
// the load at all (generator-bound), and why it broke (failures by class, SUT CPU, the SUT's
// own log). Pure: tested on synthetic measurements.
#include <optional>
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
inline constexpr double generator_lag_limit_ms = 5;      // RTP pacing lag p99; call starts: median
inline constexpr double sut_cpu_saturated_share = 0.95;  // of the CPUs the SUT may use

// "Memory still growing": a least-squares slope of the SUT's memory over the second half of
// the samples' time span at least this steep, and growing at least this much over that half.
inline constexpr double memory_growth_min_mb_per_s = 0.2;  // MB of 10^6 bytes
inline constexpr double memory_growth_min_mb = 5;
inline constexpr std::size_t memory_growth_min_samples = 4;  // in the second half

struct MemoryGrowth {
    std::string source;       // "pss" or "rss" (SUT + sidecars)
    std::size_t samples = 0;  // in the second half
    double window_s = 0;      // from the first to the last of them
    double slope_mb_per_s = 0;
    double growth_mb = 0;  // slope x window_s
    bool growing = false;  // both thresholds exceeded
    nlohmann::json to_json() const;
};

// The SUT's memory trend over the second half (by time) of the trial's monitor samples: PSS
// when every sample there has it, else RSS. Null with fewer than memory_growth_min_samples.
std::optional<MemoryGrowth> memory_growth(const std::vector<LoadPoint>& load);

// SIP messages the PBX handled as seen from our side: every datagram our UAC and UAS sent to
// it or received from it (retransmissions and registrations included), over the UAC's wall
// time. Null without the UAC's counters or wall time; without a UAS summary, the UAC alone.
struct SipMessageRate {
    double uac_sent = 0;
    double uac_received = 0;
    std::optional<double> uas_sent;
    std::optional<double> uas_received;
    double messages = 0;
    double seconds = 0;
    double per_s = 0;
    nlohmann::json to_json() const;
};
std::optional<SipMessageRate> sip_message_rate(const nlohmann::json& uac_summary,
                                               const nlohmann::json& uas_summary);

struct TrialAssessment {
    TrialVerdict verdict = TrialVerdict::error;
    std::vector<SloCheck> slos;
    std::vector<std::string> generator_reasons;  // non-empty: generator-bound
    std::vector<std::string> why;                // what broke, in words, most telling first
    std::optional<double> schedule_lag_p50_ms;   // calls started late, beyond one tick
    std::optional<double> schedule_lag_max_ms;
    std::optional<MemoryGrowth> memory;  // the SUT's memory trend
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
