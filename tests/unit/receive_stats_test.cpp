#include "media/receive_stats.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>

using namespace pbxbench::media;

namespace {

constexpr std::int64_t frame_us = 20'000;
constexpr std::uint32_t frame_units = 160;

// Feeds packets whose RTP timestamps follow their sequence numbers and that arrive exactly on
// their 20 ms slot, so only the sequence logic is exercised. Returns how many were accepted.
int feed(ReceiveStats& stats, std::initializer_list<int> sequences, std::uint16_t first_seq = 0) {
    int accepted = 0;
    for (int s : sequences) {
        const auto seq = static_cast<std::uint16_t>(s);
        const auto index = static_cast<std::uint16_t>(seq - first_seq);
        accepted += stats.on_packet(seq, 1000 + index * frame_units, index * frame_us, 160) ? 1 : 0;
    }
    return accepted;
}

}  // namespace

TEST(ReceiveStats, InOrderStreamHasNoLoss) {
    ReceiveStats stats;
    for (int i = 0; i < 100; ++i)
        stats.on_packet(static_cast<std::uint16_t>(500 + i), i * 160, i * frame_us, 160);
    const auto s = stats.snapshot();
    EXPECT_EQ(s.packets, 100u);
    EXPECT_EQ(s.bytes, 16000u);
    // The two probation packets count: A.1 alone would report 99 received of 99 expected.
    EXPECT_EQ(s.received_unique, 100u);
    EXPECT_EQ(s.expected, 100);
    EXPECT_EQ(s.lost, 0);
    EXPECT_EQ(s.extended_highest_seq, 599u);
    EXPECT_DOUBLE_EQ(s.jitter_units, 0.0);
    EXPECT_EQ(s.first_arrival_us, 0);
    EXPECT_EQ(s.last_arrival_us, 99 * frame_us);
    EXPECT_EQ(s.max_gap_us, frame_us);
}

TEST(ReceiveStats, SequenceWrapAt65535IsNotLoss) {
    ReceiveStats stats;
    feed(stats, {65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3}, 65530);
    const auto s = stats.snapshot();
    EXPECT_EQ(s.received_unique, 10u);
    EXPECT_EQ(s.expected, 10);
    EXPECT_EQ(s.lost, 0);
    EXPECT_EQ(s.reordered, 0u);
    // One cycle: the RFC 3550 extended highest sequence number is 1 << 16 | 3.
    EXPECT_EQ(s.extended_highest_seq, 0x10003u);
}

TEST(ReceiveStats, ReorderedPacketIsCountedOnceAndNotLost) {
    ReceiveStats stats;
    feed(stats, {10, 11, 12, 14, 15}, 10);
    EXPECT_EQ(stats.snapshot().lost, 1);  // 13 missing so far
    feed(stats, {13}, 10);
    const auto s = stats.snapshot();
    EXPECT_EQ(s.lost, 0);
    EXPECT_EQ(s.reordered, 1u);
    EXPECT_EQ(s.duplicates, 0u);
    EXPECT_EQ(s.received_unique, 6u);
    EXPECT_EQ(s.extended_highest_seq, 15u);
}

TEST(ReceiveStats, ReorderingAcrossTheWrapKeepsTheCycle) {
    ReceiveStats stats;
    feed(stats, {65533, 65534, 0, 65535, 1}, 65533);
    const auto s = stats.snapshot();
    EXPECT_EQ(s.lost, 0);
    EXPECT_EQ(s.reordered, 1u);
    EXPECT_EQ(s.extended_highest_seq, 0x10001u);
}

TEST(ReceiveStats, LatePacketFromBeforeTheValidatingRunIsExpectedToo) {
    ReceiveStats stats;
    feed(stats, {11, 12, 13, 10}, 10);  // 10 was sent first but overtaken
    const auto s = stats.snapshot();
    EXPECT_EQ(s.received_unique, 4u);
    EXPECT_EQ(s.expected, 4);
    EXPECT_EQ(s.lost, 0);  // not -1
    EXPECT_EQ(s.reordered, 1u);
}

TEST(ReceiveStats, DuplicatesAreCountedButNotReceivedTwice) {
    ReceiveStats stats;
    feed(stats, {100, 101, 102, 102, 103, 101, 104}, 100);
    const auto s = stats.snapshot();
    EXPECT_EQ(s.packets, 7u);
    EXPECT_EQ(s.duplicates, 2u);
    EXPECT_EQ(s.received_unique, 5u);
    EXPECT_EQ(s.reordered, 0u);
    EXPECT_EQ(s.lost, 0);  // A.1 alone would say -2
}

TEST(ReceiveStats, LateDuplicateOfAReorderedPacketIsADuplicate) {
    ReceiveStats stats;
    feed(stats, {1, 2, 4, 3, 3, 5}, 1);
    const auto s = stats.snapshot();
    EXPECT_EQ(s.reordered, 1u);
    EXPECT_EQ(s.duplicates, 1u);
    EXPECT_EQ(s.received_unique, 5u);
    EXPECT_EQ(s.lost, 0);
}

TEST(ReceiveStats, BurstGapOfTenIsTenLost) {
    ReceiveStats stats;
    feed(stats, {0, 1, 2, 3, 4, 15, 16, 17});  // 5..14 never arrive
    const auto s = stats.snapshot();
    EXPECT_EQ(s.expected, 18);
    EXPECT_EQ(s.received_unique, 8u);
    EXPECT_EQ(s.lost, 10);
    EXPECT_EQ(stats.cumulative_lost_24bit(), 10);
    EXPECT_EQ(s.max_gap_us, 11 * frame_us);
}

TEST(ReceiveStats, FractionLostCoversOnlyTheInterval) {
    ReceiveStats stats;
    feed(stats, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
    auto first = stats.take_interval();
    EXPECT_EQ(first.expected, 16);
    EXPECT_EQ(first.lost, 0);
    EXPECT_EQ(first.fraction_lost, 0);

    // Next interval: 16..31 with 4 missing → 4/16 = 64/256.
    feed(stats, {16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27});  // 28..31 lost...
    feed(stats, {32});                                              // ...as 32 shows
    auto second = stats.take_interval();
    EXPECT_EQ(second.expected, 17);
    EXPECT_EQ(second.lost, 4);
    EXPECT_EQ(second.fraction_lost, (4 << 8) / 17);

    auto empty = stats.take_interval();
    EXPECT_EQ(empty.expected, 0);
    EXPECT_EQ(empty.fraction_lost, 0);
}

TEST(ReceiveStats, FractionLostSaturatesAt255) {
    ReceiveStats stats;
    feed(stats, {0, 1});
    stats.take_interval();
    // Only one packet of the next 100 arrives: lost 99 of 100 → 253; never 256 → 0.
    feed(stats, {101});
    EXPECT_EQ(stats.take_interval().fraction_lost, (99 << 8) / 100);
}

TEST(ReceiveStats, ProbationRestartAfterABigSequenceJump) {
    ReceiveStats stats;
    feed(stats, {0, 1, 2, 3, 4});
    // A sender restart: sequence jumps by 20000 (more than MAX_DROPOUT).
    EXPECT_FALSE(stats.on_packet(20000, 99'000, 5 * frame_us, 160));  // suspect, not accepted
    auto s = stats.snapshot();
    EXPECT_EQ(s.received_unique, 5u);
    EXPECT_EQ(s.restarts, 0u);
    EXPECT_TRUE(stats.on_packet(20001, 99'160, 6 * frame_us, 160));  // confirms the restart
    EXPECT_TRUE(stats.on_packet(20002, 99'320, 7 * frame_us, 160));
    s = stats.snapshot();
    EXPECT_EQ(s.restarts, 1u);
    EXPECT_EQ(s.received_unique, 8u);  // the old run's 5 + the new run's 3
    EXPECT_EQ(s.expected, 8);          // gaps across a restart are not loss
    EXPECT_EQ(s.lost, 0);
    EXPECT_EQ(s.extended_highest_seq, 20002u);
    // The jump did not count as timing: the new run starts a fresh transit.
    EXPECT_DOUBLE_EQ(s.jitter_units, 0.0);
}

TEST(ReceiveStats, SingleStrayJumpIsIgnored) {
    ReceiveStats stats;
    feed(stats, {0, 1, 2});
    EXPECT_FALSE(stats.on_packet(40000, 0, 3 * frame_us, 160));
    feed(stats, {3, 4});
    const auto s = stats.snapshot();
    EXPECT_EQ(s.restarts, 0u);
    EXPECT_EQ(s.received_unique, 5u);
    EXPECT_EQ(s.lost, 0);
    EXPECT_EQ(s.packets, 6u);
}

TEST(ReceiveStats, ProbationRejectsOutOfOrderStart) {
    ReceiveStats stats;
    EXPECT_FALSE(stats.on_packet(10, 0, 0, 160));
    EXPECT_FALSE(stats.on_packet(30, 0, frame_us, 160));  // not 11: probation starts over
    EXPECT_TRUE(stats.on_packet(31, 160, 2 * frame_us, 160));
    const auto s = stats.snapshot();
    EXPECT_EQ(s.received_unique, 2u);  // 30 and 31
    EXPECT_EQ(s.expected, 2);
}

TEST(ReceiveStats, JitterOnAKnownArrivalPattern) {
    ReceiveStats stats(1);  // no probation: every packet is measured
    // Sent every 160 units (20 ms). Arrival offsets from the nominal slot: 0, +5 ms, 0, +5 ms.
    // D between consecutive packets is therefore |±5 ms| = 40 units each time after the first.
    const std::int64_t offsets_us[] = {0, 5000, 0, 5000};
    for (int i = 0; i < 4; ++i) {
        stats.on_packet(static_cast<std::uint16_t>(i), i * frame_units,
                        i * frame_us + offsets_us[i], 160);
    }
    // J1 = 40/16 = 2.5; J2 = 2.5 + (40 - 2.5)/16 = 4.84375; J3 = J2 + (40 - J2)/16 = 7.041015625.
    EXPECT_DOUBLE_EQ(stats.jitter_units(), 7.041015625);
    EXPECT_DOUBLE_EQ(stats.jitter_ms(), 7.041015625 / 8.0);
}

TEST(ReceiveStats, ClockStepSpikesJitterOnceThenDecays) {
    ReceiveStats stats(1);
    std::uint32_t ts = 0;
    for (int i = 0; i < 50; ++i, ts += frame_units)
        stats.on_packet(static_cast<std::uint16_t>(i), ts, i * frame_us, 160);
    ASSERT_DOUBLE_EQ(stats.jitter_units(), 0.0);
    // The sender's RTP clock steps forward by 10 s (80000 units) with no gap in sequence or time.
    ts += 80'000;
    stats.on_packet(50, ts, 50 * frame_us, 160);
    // A.8: one sample of |D| = 80000 moves the estimate by 1/16 of it.
    EXPECT_DOUBLE_EQ(stats.jitter_units(), 80'000 / 16.0);
    // Each later on-time packet has D = 0, so the estimate shrinks by 15/16 per packet:
    // after 150 packets (3 s) it is 5000 × (15/16)^150 ≈ 0.3 units.
    for (int i = 51; i < 201; ++i) {
        ts += frame_units;
        stats.on_packet(static_cast<std::uint16_t>(i), ts, i * frame_us, 160);
    }
    EXPECT_NEAR(stats.jitter_units(), 5000 * std::pow(15.0 / 16.0, 150), 1e-6);
    EXPECT_LT(stats.jitter_ms(), 0.1);
    EXPECT_DOUBLE_EQ(stats.snapshot().jitter_max_units, 5000.0);
    EXPECT_EQ(stats.snapshot().lost, 0);
}

TEST(ReceiveStats, IgnoredTimingDoesNotFeedJitter) {
    ReceiveStats stats(1);
    stats.on_packet(0, 0, 0, 160);
    // A telephone-event packet repeats an old timestamp 20 ms later: D would be 160 units.
    stats.on_packet(1, 0, frame_us, 4, Timing::ignore);
    stats.on_packet(2, 2 * frame_units, 2 * frame_us, 160);
    EXPECT_DOUBLE_EQ(stats.jitter_units(), 0.0);
    EXPECT_EQ(stats.snapshot().received_unique, 3u);
}

TEST(ReceiveStats, DuplicateWindowForgetsOldLaps) {
    ReceiveStats stats(1);
    // Run far beyond the 1024-packet window, then replay a packet from 1024 ago: by then it is
    // beyond MAX_MISORDER, so it is a stray jump and not a duplicate nor a reorder.
    for (int i = 0; i < 2000; ++i)
        stats.on_packet(static_cast<std::uint16_t>(i), i * 160, i * frame_us, 160);
    EXPECT_FALSE(stats.on_packet(2000 - 1024, 0, 2000 * frame_us, 160));
    // A packet 50 back is within MAX_MISORDER and the window: a duplicate.
    EXPECT_FALSE(stats.on_packet(1950, 0, 2001 * frame_us, 160));
    const auto s = stats.snapshot();
    EXPECT_EQ(s.duplicates, 1u);
    EXPECT_EQ(s.reordered, 0u);
    EXPECT_EQ(s.received_unique, 2000u);
}
