#pragma once
// The media summary of one call as seen by one endpoint (both directions), and the aggregate
// over many calls that the UAC summary and the UAS stats print.
#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "media/receive_stats.hpp"

namespace pbxbench::media {

// What the stream driver knows when a call ends. Times share one monotonic clock (µs).
struct CallMediaInputs {
    std::uint64_t packets_sent = 0;
    std::uint64_t bytes_sent = 0;  // payload bytes
    ReceiveSnapshot received;      // our ReceiveStats for the peer's stream
    // How many packets the peer says it sent (its last RTCP SR), or, for an echo path, our own
    // packets_sent. Empty when unknown: loss against sent is then not reported.
    std::optional<std::uint64_t> peer_sent_packets;
    std::optional<double> rtt_ms;                // latest RTCP round trip
    std::optional<std::int64_t> answer_time_us;  // the 2xx (UAC) or ACK (UAS)
    std::int64_t end_time_us = 0;                // BYE sent or received
    bool expect_send = true;                     // from the negotiated directions (sendrecv...)
    bool expect_receive = true;
    std::int64_t silence_threshold_ms = 2000;
    // The longest silence when the driver knows better than the arrival gaps (a call put on
    // hold: the held time is not silence); empty: from `received` and the answer/end times.
    std::optional<std::int64_t> max_silence_us;
    std::uint32_t dtmf_sent = 0;
    std::uint32_t dtmf_received = 0;
    std::uint32_t clock_hz = 8000;
};

// One call's media figures; the JSON keys are these names.
struct CallMediaStats {
    std::uint64_t packets_sent = 0;
    std::uint64_t bytes_sent = 0;
    std::uint64_t packets_received = 0;  // every packet, duplicates included
    std::uint64_t bytes_received = 0;
    std::uint64_t packets_received_unique = 0;
    std::uint64_t packets_expected = 0;  // from sequence numbers
    std::uint64_t packets_lost = 0;      // expected − unique, ≥ 0
    double loss_gaps_percent = 0;        // packets_lost / packets_expected
    std::optional<std::uint64_t> peer_sent_packets;
    std::optional<double> loss_vs_sent_percent;  // (sent − unique) / sent, ≥ 0; 100 if none arrived
    double loss_percent = 0;                     // vs sent when known, else from gaps: feeds MOS
    std::uint64_t duplicates = 0;
    std::uint64_t reordered = 0;
    double jitter_ms = 0;  // A.8 estimate at the end of the call
    double jitter_max_ms = 0;
    std::optional<double> rtt_ms;
    std::optional<double> media_start_delay_ms;  // answer → first packet received
    double max_silence_ms = 0;                   // longest stretch without RTP while expecting it
    bool silent = false;                         // max_silence_ms above the threshold
    bool one_way = false;                        // media flowed in one expected direction only
    std::uint32_t dtmf_sent = 0;
    std::uint32_t dtmf_received = 0;
    std::optional<double> mos;  // empty when we expected no media
};

// (sent − received_unique) / sent in percent, clamped to [0, 100]; 100 when sent > 0 and
// nothing arrived, 0 when nothing was sent.
double loss_vs_sent_percent(std::uint64_t sent, std::uint64_t received_unique);

// Combines the inputs into the call's figures. A call that expected media and received none
// gets MOS 1 (the E-model is not defined for a dead path).
CallMediaStats summarize_call(const CallMediaInputs& in);

// The call's figures as one JSON object keyed by the field names; absent optionals are null.
nlohmann::json to_json(const CallMediaStats& s);

// Per-call values kept raw so aggregates from several generators merge exactly.
class MediaAggregate {
  public:
    // Adds one call; merge() adds another aggregate's calls (results merge exactly).
    void add(const CallMediaStats& call);
    void merge(const MediaAggregate& other);
    std::uint64_t calls() const { return calls_; }

    // {"calls", totals, "loss_percent" (overall), "loss_gaps_percent", "loss_vs_sent_percent",
    // "loss_percent_per_call" {p50,p95,max},
    //  "jitter_ms" {p50,p95,max}, "rtt_ms" {count,p50,p95,max}, "mos" {count,mean,p5},
    //  "media_start_delay_ms" {count,p50,p95,max}, "silent_calls", "one_way_calls"}
    nlohmann::json to_json() const;

  private:
    std::uint64_t calls_ = 0;
    std::uint64_t packets_sent_ = 0;
    std::uint64_t bytes_sent_ = 0;
    std::uint64_t packets_received_ = 0;
    std::uint64_t bytes_received_ = 0;
    std::uint64_t packets_received_unique_ = 0;
    std::uint64_t packets_expected_ = 0;
    std::uint64_t packets_lost_ = 0;
    std::uint64_t peer_sent_packets_ = 0;     // over calls that know it
    std::uint64_t lost_vs_sent_packets_ = 0;  // over the same calls
    // Overall loss: against the sender's count where a call knows it, else from gaps, so a dead
    // call weighs in with everything it should have carried.
    std::uint64_t loss_reference_packets_ = 0;
    std::uint64_t loss_reference_lost_ = 0;
    std::uint64_t duplicates_ = 0;
    std::uint64_t reordered_ = 0;
    std::uint64_t silent_calls_ = 0;
    std::uint64_t one_way_calls_ = 0;
    std::uint64_t dtmf_sent_ = 0;
    std::uint64_t dtmf_received_ = 0;
    std::vector<double> loss_percent_;
    std::vector<double> jitter_ms_;
    std::vector<double> rtt_ms_;
    std::vector<double> mos_;
    std::vector<double> media_start_delay_ms_;
};

}  // namespace pbxbench::media
