#pragma once
// The JSON lines a call batch prints: `progress` every interval and one `summary` at the end.
#include <cstdint>

#include <nlohmann/json.hpp>

#include "uac/call_batch.hpp"

namespace pbxbench::uac {

// Tracks what changed since the previous progress line.
class ProgressReporter {
  public:
    explicit ProgressReporter(const CallBatch& batch)
        : batch_(batch), start_(sip::Clock::now()), last_(start_) {}
    // The `progress` object: elapsed, attempted, active, completed, failed by reason,
    // retransmissions and the call rate achieved since the previous call.
    nlohmann::json next();
    // One human line for a terminal.
    std::string human_line(const nlohmann::json& progress) const;

  private:
    nlohmann::json media_rates(double window_s);

    const CallBatch& batch_;
    media::EngineCounters last_media_;
    sip::TimePoint start_;
    sip::TimePoint last_;
    std::uint64_t last_attempted_ = 0;
};

struct ProcessCpu {
    double user_s = 0;
    double system_s = 0;
};
// This process's CPU time so far (getrusage).
ProcessCpu process_cpu();

// The `summary` object: configuration echoed back, outcomes, status codes, timeouts,
// latency distributions, transaction counters, generator CPU.
nlohmann::json summary_json(const CallBatch& batch, double wall_s, const ProcessCpu& cpu,
                            bool interrupted);

}  // namespace pbxbench::uac
