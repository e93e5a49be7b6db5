#pragma once
// Receiver statistics for one RTP source, after RFC 3550 Appendix A: sequence validation and
// extended sequence numbers (A.1), expected/lost counts and the per-report fraction lost (A.3),
// and the interarrival jitter estimate (A.8). Fixed-size state, O(1) work per packet.
#include <array>
#include <cstddef>
#include <cstdint>

namespace pbxbench::media {

// Whether a packet's arrival feeds the jitter estimate. RFC 4733 events repeat one RTP timestamp
// across packets sent 20 ms apart, so their transit times are meaningless for A.8.
enum class Timing { measure, ignore };

// A.3's figures for the interval since the previous call to ReceiveStats::take_interval().
struct IntervalLoss {
    std::int64_t expected = 0;
    std::int64_t lost = 0;           // may be negative with late packets from an earlier interval
    std::uint8_t fraction_lost = 0;  // lost/expected in 1/256 units, 0 when nothing was lost
};

// A copy of every figure, for summaries made when the call ends.
struct ReceiveSnapshot {
    std::uint64_t packets = 0;  // every packet handed to on_packet, valid or not
    std::uint64_t bytes = 0;    // payload bytes of those packets
    std::uint64_t received_unique =
        0;                         // accepted, not duplicates (A.1 "received" minus duplicates)
    std::int64_t expected = 0;     // extended highest - base + 1, over all sequence restarts
    std::int64_t lost = 0;         // expected - received_unique (negative: more arrived)
    std::uint64_t duplicates = 0;  // a sequence number seen before, within the window
    std::uint64_t reordered = 0;   // arrived after a higher sequence number, first copy
    std::uint64_t restarts = 0;    // probation restarts after a large sequence jump
    std::uint32_t extended_highest_seq = 0;  // RFC 3550 form: cycles << 16 | highest
    double jitter_units = 0;                 // A.8 estimate, RTP timestamp units
    double jitter_max_units = 0;             // largest estimate seen during the call
    std::int64_t first_arrival_us = -1;      // -1 until a packet arrives
    std::int64_t last_arrival_us = -1;
    std::int64_t max_gap_us = 0;  // longest time between two consecutive arrivals
};

class ReceiveStats {
  public:
    static constexpr int max_dropout = 3000;  // A.1: larger forward jumps are suspect
    static constexpr int max_misorder = 100;  // A.1: larger backward jumps are suspect
    static constexpr std::size_t window_packets =
        1024;  // duplicate detection reaches this far back

    // `min_sequential` in-order packets validate a new source (A.1's probation; 1 disables it).
    // `clock_hz` converts arrival times to timestamp units for A.8.
    explicit ReceiveStats(int min_sequential = 2, std::uint32_t clock_hz = 8000);

    // Accounts for one packet from this source that arrived at `arrival_us` (any monotonic clock,
    // microseconds). Returns whether the packet was accepted: false while on probation, after a
    // suspect jump, or for a duplicate.
    bool on_packet(std::uint16_t sequence, std::uint32_t timestamp_units, std::int64_t arrival_us,
                   std::size_t payload_bytes, Timing timing = Timing::measure);

    // A.3: figures since the previous call (or the start) for one RTCP report block.
    IntervalLoss take_interval();

    // Every figure as of now; does not disturb the A.3 interval.
    ReceiveSnapshot snapshot() const;

    // A.3's cumulative lost, clamped to the report block's 24-bit signed field.
    std::int32_t cumulative_lost_24bit() const;

    // The current A.8 estimate, in timestamp units and in milliseconds.
    double jitter_units() const { return jitter_units_; }
    double jitter_ms() const { return jitter_units_ * 1000.0 / clock_hz_; }
    // Packets accepted once, over all sequence restarts (for comparison with a sender's count).
    std::uint64_t received_unique() const { return received_ + received_before_restart_; }

  private:
    void init_sequence(std::int64_t extended_seq);
    // Marks `ext` seen in the duplicate window; returns whether it was already marked.
    bool test_and_set(std::int64_t ext);
    void advance_window(std::int64_t new_highest);
    void update_jitter(std::uint32_t timestamp_units, std::int64_t arrival_us);

    int min_sequential_;
    double clock_hz_;

    // A.1 state. Extended sequence numbers are 64-bit and signed so a late packet from just
    // before the first one (base - 1) needs no special case.
    bool started_ = false;
    bool segment_active_ = false;  // a validated run exists (base/highest are meaningful)
    int probation_ = 0;
    std::uint16_t max_seq_ = 0;
    std::int64_t highest_ext_ = 0;
    std::int64_t base_ext_ = 0;
    std::uint32_t bad_seq_ = 0;  // 65536 + 1 when none pending, as in A.1
    std::uint64_t received_ = 0;
    // A restart (A.1 re-initialisation) would drop the earlier part of the call; keep its counts.
    std::int64_t expected_before_restart_ = 0;
    std::uint64_t received_before_restart_ = 0;
    std::int64_t expected_prior_ = 0;
    std::uint64_t received_prior_ = 0;

    std::array<std::uint64_t, window_packets / 64> seen_{};  // bit (ext % window) per sequence

    // A.8 state: the previous measured packet, so D(i-1,i) needs no absolute transit time.
    bool have_transit_ = false;
    std::uint32_t prev_timestamp_units_ = 0;
    std::int64_t prev_arrival_us_ = 0;
    double jitter_units_ = 0;
    double jitter_max_units_ = 0;

    std::uint64_t packets_ = 0;
    std::uint64_t bytes_ = 0;
    std::uint64_t duplicates_ = 0;
    std::uint64_t reordered_ = 0;
    std::uint64_t restarts_ = 0;
    std::int64_t first_arrival_us_ = -1;
    std::int64_t last_arrival_us_ = -1;
    std::int64_t max_gap_us_ = 0;
};

}  // namespace pbxbench::media
