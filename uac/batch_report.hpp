#pragma once
// The JSON lines a call batch prints: `progress` every interval and one `summary` at the end.
#include <cstdint>
#include <string>
#include <vector>

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

// What a summary reports, from one batch or merged over the shards of --threads.
struct BatchTotals {
    const BatchOptions* options = nullptr;
    std::string local;  // our SIP address(es)
    CallStats stats;
    sip::TransactionCounters transactions;
    std::uint64_t kernel_drops = 0;
    std::uint64_t sip_datagrams_sent = 0;  // by our SIP socket(s), retransmissions included
    std::uint64_t sip_datagrams_received = 0;
    nlohmann::json media;  // media_report_json(), null without media
    const sip::Registration* registration = nullptr;
    std::string setup_error;
    std::uint64_t shards = 1;
};

BatchTotals totals_of(const CallBatch& batch);
// Counts add up, raw latencies and per-call media figures concatenate, histograms add: the
// merged summary is exactly what one batch placing every call would have reported.
BatchTotals merge_totals(const std::vector<const CallBatch*>& shards);

// The `summary` object: configuration echoed back, outcomes, status codes, timeouts,
// latency distributions, transaction counters, media, generator CPU.
nlohmann::json summary_json(const BatchTotals& totals, double wall_s, const ProcessCpu& cpu,
                            bool interrupted);
inline nlohmann::json summary_json(const CallBatch& batch, double wall_s, const ProcessCpu& cpu,
                                   bool interrupted) {
    return summary_json(totals_of(batch), wall_s, cpu, interrupted);
}

}  // namespace pbxbench::uac
