#include "media/receive_stats.hpp"

#include <algorithm>
#include <cstdlib>

namespace pbxbench::media {

namespace {

constexpr std::uint32_t seq_mod = 65536;
constexpr std::uint32_t no_bad_seq = seq_mod + 1;  // A.1: "so seq == bad_seq is false"

}  // namespace

ReceiveStats::ReceiveStats(int min_sequential, std::uint32_t clock_hz)
    : min_sequential_(std::max(min_sequential, 1)), clock_hz_(clock_hz), bad_seq_(no_bad_seq) {}

void ReceiveStats::init_sequence(std::int64_t extended_seq) {
    // A.1's init_seq, except that the run of in-order packets that validated the source counts
    // as received (A.1 drops them, which would show a false loss against the sender's count).
    const int run = probation_ == 0 && segment_active_ ? 2 : min_sequential_;
    if (segment_active_) {
        expected_before_restart_ += highest_ext_ - base_ext_ + 1;
        received_before_restart_ += received_;
        ++restarts_;
    }
    segment_active_ = true;
    highest_ext_ = extended_seq;
    base_ext_ = extended_seq - (run - 1);
    received_ = static_cast<std::uint64_t>(run);
    bad_seq_ = no_bad_seq;
    seen_.fill(0);
    for (std::int64_t e = base_ext_; e <= highest_ext_; ++e) test_and_set(e);
    // A new run after a jump is a new timeline; its first transit must not be diffed against
    // the old one.
    have_transit_ = false;
}

bool ReceiveStats::test_and_set(std::int64_t ext) {
    const auto bit = static_cast<std::uint64_t>(ext) & (window_packets - 1);
    std::uint64_t& word = seen_[bit / 64];
    const std::uint64_t mask = std::uint64_t{1} << (bit % 64);
    const bool was_set = (word & mask) != 0;
    word |= mask;
    return was_set;
}

void ReceiveStats::advance_window(std::int64_t new_highest) {
    if (new_highest - highest_ext_ >= static_cast<std::int64_t>(window_packets)) {
        seen_.fill(0);
        return;
    }
    // Sequence numbers skipped over are not seen yet; their bits still hold the window's
    // previous lap.
    for (std::int64_t e = highest_ext_ + 1; e <= new_highest; ++e) {
        const auto bit = static_cast<std::uint64_t>(e) & (window_packets - 1);
        seen_[bit / 64] &= ~(std::uint64_t{1} << (bit % 64));
    }
}

void ReceiveStats::update_jitter(std::uint32_t timestamp_units, std::int64_t arrival_us) {
    if (have_transit_) {
        // A.8: D = (Rj - Ri) - (Sj - Si), arrival converted to the RTP clock. Differencing the
        // two arrivals directly keeps sub-tick precision that an integer transit would lose.
        const double arrival_delta_units =
            static_cast<double>(arrival_us - prev_arrival_us_) * clock_hz_ / 1e6;
        const auto ts_delta = static_cast<std::int32_t>(timestamp_units - prev_timestamp_units_);
        const double d = std::abs(arrival_delta_units - ts_delta);
        jitter_units_ += (d - jitter_units_) / 16.0;
        jitter_max_units_ = std::max(jitter_max_units_, jitter_units_);
    }
    have_transit_ = true;
    prev_timestamp_units_ = timestamp_units;
    prev_arrival_us_ = arrival_us;
}

bool ReceiveStats::on_packet(std::uint16_t sequence, std::uint32_t timestamp_units,
                             std::int64_t arrival_us, std::size_t payload_bytes, Timing timing) {
    ++packets_;
    bytes_ += payload_bytes;
    if (first_arrival_us_ < 0) {
        first_arrival_us_ = arrival_us;
    } else {
        max_gap_us_ = std::max(max_gap_us_, arrival_us - last_arrival_us_);
    }
    last_arrival_us_ = arrival_us;

    if (!started_) {
        // A.1 "upon first packet": the first packet then passes the in-order probation test.
        started_ = true;
        max_seq_ = static_cast<std::uint16_t>(sequence - 1);
        probation_ = min_sequential_;
    }

    if (probation_ > 0) {
        if (sequence == static_cast<std::uint16_t>(max_seq_ + 1)) {
            max_seq_ = sequence;
            if (--probation_ == 0) {
                init_sequence(sequence);
                if (timing == Timing::measure) update_jitter(timestamp_units, arrival_us);
                return true;
            }
        } else {
            probation_ = min_sequential_ - 1;
            max_seq_ = sequence;
        }
        return false;
    }

    const auto udelta = static_cast<std::uint16_t>(sequence - max_seq_);
    if (udelta == 0) {
        ++duplicates_;
        return false;
    }
    if (udelta < max_dropout) {
        // In order, possibly after a gap; crossing 65535 → 0 adds a cycle through the extension.
        const std::int64_t ext = highest_ext_ + udelta;
        advance_window(ext);
        test_and_set(ext);
        highest_ext_ = ext;
        max_seq_ = sequence;
    } else if (udelta <= seq_mod - max_misorder) {
        // A jump too large to be loss: either the sender restarted or this is a stray packet.
        // Two in a row confirm a restart.
        if (sequence != bad_seq_) {
            bad_seq_ = (sequence + 1u) & (seq_mod - 1);
            return false;
        }
        max_seq_ = sequence;
        init_sequence(sequence);
        if (timing == Timing::measure) update_jitter(timestamp_units, arrival_us);
        return true;
    } else {
        // Behind the highest by at most max_misorder: a late packet or a duplicate.
        const std::int64_t ext = highest_ext_ - (seq_mod - udelta);
        if (test_and_set(ext)) {
            ++duplicates_;
            return false;
        }
        ++reordered_;
        // Older than the run that validated the source: it was sent, so it is expected too.
        base_ext_ = std::min(base_ext_, ext);
    }
    ++received_;
    if (timing == Timing::measure) update_jitter(timestamp_units, arrival_us);
    return true;
}

IntervalLoss ReceiveStats::take_interval() {
    const ReceiveSnapshot s = snapshot();
    IntervalLoss out;
    out.expected = s.expected - expected_prior_;
    const auto received_interval = static_cast<std::int64_t>(s.received_unique - received_prior_);
    expected_prior_ = s.expected;
    received_prior_ = s.received_unique;
    out.lost = out.expected - received_interval;
    if (out.expected > 0 && out.lost > 0) {
        // A.3 gives 256 when everything was lost; the field has 8 bits.
        out.fraction_lost =
            static_cast<std::uint8_t>(std::min<std::int64_t>((out.lost << 8) / out.expected, 255));
    }
    return out;
}

ReceiveSnapshot ReceiveStats::snapshot() const {
    ReceiveSnapshot s;
    s.packets = packets_;
    s.bytes = bytes_;
    s.received_unique = received_unique();
    s.expected = expected_before_restart_ + (segment_active_ ? highest_ext_ - base_ext_ + 1 : 0);
    s.lost = s.expected - static_cast<std::int64_t>(s.received_unique);
    s.duplicates = duplicates_;
    s.reordered = reordered_;
    s.restarts = restarts_;
    s.extended_highest_seq = static_cast<std::uint32_t>(highest_ext_);
    s.jitter_units = jitter_units_;
    s.jitter_max_units = jitter_max_units_;
    s.first_arrival_us = first_arrival_us_;
    s.last_arrival_us = last_arrival_us_;
    s.max_gap_us = max_gap_us_;
    return s;
}

std::int32_t ReceiveStats::cumulative_lost_24bit() const {
    const std::int64_t lost = snapshot().lost;
    return static_cast<std::int32_t>(std::clamp<std::int64_t>(lost, -0x800000, 0x7FFFFF));
}

}  // namespace pbxbench::media
