#include "media/rtcp.hpp"
#include "media/rtcp_scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

using namespace pbxbench::media;

TEST(Rtcp, NtpFromUnixTime) {
    // 1995-11-10 11:33:25.125 UTC, the instant of RFC 3550 §6.4.1's example.
    const std::int64_t unix_us = 816'003'205'125'000;
    const NtpTime t = ntp_from_unix_us(unix_us);
    EXPECT_EQ(t.seconds, 0xB44DB705u);
    EXPECT_EQ(t.fraction, 0x20000000u);    // 0.125 s
    EXPECT_EQ(t.middle32(), 0xB7052000u);  // the LSR the RFC gives for this SR
    EXPECT_EQ(NtpTime({0x0001B710, 0x80000000}).middle32(), 0xB7108000u);
}

TEST(Rtcp, SenderReportRoundTrips) {
    std::array<std::uint8_t, 256> buffer{};
    RtcpWriter w(buffer);
    SenderInfo info{NtpTime{0xDEADBEEF, 0x12345678}, 160'000, 1000, 160'000};
    ReportBlock block;
    block.ssrc = 0xCAFEBABE;
    block.fraction_lost = 64;
    block.cumulative_lost = -3;  // duplicates can make it negative; 24-bit sign must survive
    block.extended_highest_seq = 0x10005;
    block.jitter_units = 42;
    block.lsr = 0xB7052000;
    block.dlsr = 0x00054000;
    ASSERT_TRUE(w.add_sender_report(0x11111111, info, std::span(&block, 1)));
    ASSERT_TRUE(w.add_sdes_cname(0x11111111, "pbxbench@192.0.2.1"));
    ASSERT_TRUE(w.add_bye(0x11111111));
    EXPECT_EQ(w.size() % 4, 0u);
    EXPECT_EQ(w.size(), 52u + 32u + 8u);  // SR with a block, SDES padded to 32, BYE

    auto c = parse_rtcp(w.bytes());
    ASSERT_TRUE(c) << describe(c.error());
    EXPECT_EQ(c->reporter_ssrc, 0x11111111u);
    ASSERT_TRUE(c->sender_info);
    EXPECT_EQ(c->sender_info->ntp.seconds, 0xDEADBEEFu);
    EXPECT_EQ(c->sender_info->ntp.fraction, 0x12345678u);
    EXPECT_EQ(c->sender_info->rtp_timestamp_units, 160'000u);
    EXPECT_EQ(c->sender_info->packet_count, 1000u);
    EXPECT_EQ(c->sender_info->octet_count, 160'000u);
    ASSERT_EQ(c->block_count, 1u);
    const ReportBlock& b = c->blocks[0];
    EXPECT_EQ(b.ssrc, 0xCAFEBABEu);
    EXPECT_EQ(b.fraction_lost, 64);
    EXPECT_EQ(b.cumulative_lost, -3);
    EXPECT_EQ(b.extended_highest_seq, 0x10005u);
    EXPECT_EQ(b.jitter_units, 42u);
    EXPECT_EQ(b.lsr, 0xB7052000u);
    EXPECT_EQ(b.dlsr, 0x00054000u);
    EXPECT_EQ(c->cname, "pbxbench@192.0.2.1");
    EXPECT_TRUE(c->bye);
    EXPECT_EQ(c->bye_ssrc, 0x11111111u);
    EXPECT_TRUE(c->block_for(0xCAFEBABE));
    EXPECT_FALSE(c->block_for(0x1));
}

TEST(Rtcp, ReceiverReportWithoutBlocks) {
    std::array<std::uint8_t, 64> buffer{};
    RtcpWriter w(buffer);
    ASSERT_TRUE(w.add_receiver_report(7, {}));
    ASSERT_TRUE(w.add_sdes_cname(7, ""));
    auto c = parse_rtcp(w.bytes());
    ASSERT_TRUE(c);
    EXPECT_EQ(c->reporter_ssrc, 7u);
    EXPECT_FALSE(c->sender_info);
    EXPECT_EQ(c->block_count, 0u);
    EXPECT_FALSE(c->bye);
}

TEST(Rtcp, WriterRefusesWhatDoesNotFit) {
    std::array<std::uint8_t, 39> buffer{};
    RtcpWriter w(buffer);
    ReportBlock block;
    EXPECT_EQ(w.add_sender_report(1, SenderInfo{}, std::span(&block, 1)).error(),
              PacketError::buffer_too_small);
    EXPECT_EQ(w.size(), 0u);
    ASSERT_TRUE(w.add_receiver_report(1, std::span(&block, 1)));  // 32 bytes
    EXPECT_EQ(w.add_bye(1).error(), PacketError::buffer_too_small);
    EXPECT_EQ(w.size(), 32u);
}

TEST(Rtcp, ParserRejectsBrokenCompounds) {
    // RR with RC=1 but no room for the block.
    const std::vector<std::uint8_t> short_rr{0x81, 201, 0, 1, 0, 0, 0, 7};
    EXPECT_EQ(parse_rtcp(short_rr).error(), PacketError::too_short);
    // Length claims more words than the datagram holds.
    const std::vector<std::uint8_t> long_len{0x80, 201, 0, 5, 0, 0, 0, 7};
    EXPECT_EQ(parse_rtcp(long_len).error(), PacketError::bad_length);
    // Version 1.
    const std::vector<std::uint8_t> v1{0x40, 201, 0, 1, 0, 0, 0, 7};
    EXPECT_EQ(parse_rtcp(v1).error(), PacketError::bad_version);
    // Trailing bytes that are not a whole packet.
    const std::vector<std::uint8_t> trailing{0x80, 201, 0, 1, 0, 0, 0, 7, 0x80};
    EXPECT_EQ(parse_rtcp(trailing).error(), PacketError::bad_length);
    // Padding on a packet that is not the last one.
    const std::vector<std::uint8_t> padded_first{0xA0, 201, 0, 1, 0, 0, 0, 4, 0x80, 203, 0, 0};
    EXPECT_EQ(parse_rtcp(padded_first).error(), PacketError::bad_padding);
    // SDES item running past the packet.
    const std::vector<std::uint8_t> sdes{0x81, 202, 0, 2, 0, 0, 0, 7, 1, 9, 'a', 'b'};
    EXPECT_EQ(parse_rtcp(sdes).error(), PacketError::too_short);
    EXPECT_EQ(parse_rtcp({}).error(), PacketError::too_short);
}

TEST(Rtcp, SkipsUnknownPacketTypes) {
    // RR (no blocks) followed by an APP packet.
    const std::vector<std::uint8_t> bytes{0x80, 201, 0, 1, 0, 0, 0,   9,   0x80, 204,
                                          0,    2,   0, 0, 0, 9, 'n', 'a', 'm',  'e'};
    auto c = parse_rtcp(bytes);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->reporter_ssrc, 9u);
}

TEST(Rtcp, RoundTripTimeFromRfc3550Example) {
    // RFC 3550 §6.4.1: SR sent with NTP 46853.125 s (LSR 0xb705:2000), held 5.25 s by the
    // receiver (DLSR 0x0005:4000), RR arrives at 46864.5 s (A 0xb710:8000): RTT 6.125 s.
    ReportBlock rr;
    rr.lsr = 0xB7052000;
    rr.dlsr = 0x00054000;
    auto rtt = rtt_ms(0xB7108000, rr);
    ASSERT_TRUE(rtt);
    EXPECT_DOUBLE_EQ(*rtt, 6125.0);

    rr.lsr = 0;  // no SR received yet: no RTT
    EXPECT_FALSE(rtt_ms(0xB7108000, rr));
}

TEST(Rtcp, RoundTripTimeThroughSrAndRrPackets) {
    // Side A sends an SR at wall time T; side B receives it 30 ms later, answers 200 ms after
    // that; A receives the RR 30 ms after it was sent: RTT must be 60 ms.
    const std::int64_t t0_unix_us = 1'700'000'000'000'000;
    std::array<std::uint8_t, 128> buffer{};
    RtcpWriter sr_writer(buffer);
    ASSERT_TRUE(
        sr_writer.add_sender_report(0xA, SenderInfo{ntp_from_unix_us(t0_unix_us), 0, 1, 160}, {}));
    auto sr = parse_rtcp(sr_writer.bytes());
    ASSERT_TRUE(sr && sr->sender_info);

    // B's clock is monotonic and unrelated to A's wall clock.
    const std::int64_t b_arrival_us = 5'000'000;
    LastSenderReport last;
    last.on_sender_report(sr->sender_info->ntp, b_arrival_us);
    ReceiveStats stats;
    stats.on_packet(1, 0, 0, 160);
    stats.on_packet(2, 160, 20'000, 160);
    const ReportBlock block = make_report_block(0xA, stats, last, b_arrival_us + 200'000);
    EXPECT_EQ(block.dlsr, 13107u);  // 0.2 s × 65536, truncated

    std::array<std::uint8_t, 128> rr_buffer{};
    RtcpWriter rr_writer(rr_buffer);
    ASSERT_TRUE(rr_writer.add_receiver_report(0xB, std::span(&block, 1)));
    auto rr = parse_rtcp(rr_writer.bytes());
    ASSERT_TRUE(rr);
    auto about_a = rr->block_for(0xA);
    ASSERT_TRUE(about_a);
    EXPECT_EQ(about_a->extended_highest_seq, 2u);

    const auto a = ntp_from_unix_us(t0_unix_us + 30'000 + 200'000 + 30'000).middle32();
    auto rtt = rtt_ms(a, *about_a);
    ASSERT_TRUE(rtt);
    EXPECT_NEAR(*rtt, 60.0, 0.05);  // 16.16 fixed point: 15 µs resolution per term
}

TEST(Rtcp, ReportBlockCarriesIntervalLoss) {
    ReceiveStats stats(1);
    for (int seq : {0, 1, 2, 3, 8, 9})
        stats.on_packet(static_cast<std::uint16_t>(seq), seq * 160, seq * 20'000, 160);
    const ReportBlock b = make_report_block(5, stats, LastSenderReport{}, 0);
    EXPECT_EQ(b.fraction_lost, (4 << 8) / 10);
    EXPECT_EQ(b.cumulative_lost, 4);
    EXPECT_EQ(b.extended_highest_seq, 9u);
    EXPECT_EQ(b.lsr, 0u);
    EXPECT_EQ(b.dlsr, 0u);
}

TEST(RtcpScheduler, IntervalBoundsForTwoParties) {
    RtcpIntervalInputs in;  // 2 members, both senders, 500 B/s, 100-byte packets
    const double compensation = 2.71828 - 1.5;
    EXPECT_NEAR(rtcp_interval_s(in, 0.0), 5.0 * 0.5 / compensation, 1e-9);
    EXPECT_NEAR(rtcp_interval_s(in, 0.5), 5.0 / compensation, 1e-9);
    EXPECT_NEAR(rtcp_interval_s(in, 1.0), 5.0 * 1.5 / compensation, 1e-9);
    in.initial = true;
    EXPECT_NEAR(rtcp_interval_s(in, 0.5), 2.5 / compensation, 1e-9);
}

TEST(RtcpScheduler, BandwidthBoundIntervalExceedsMinimum) {
    RtcpIntervalInputs in;
    in.members = 100;
    in.senders = 2;  // a minority: senders share 25% of the RTCP bandwidth between 2
    in.we_sent = true;
    // 100 bytes × 2 senders / (500 × 0.25 B/s) = 1.6 s → the 5 s minimum still rules.
    EXPECT_NEAR(rtcp_interval_s(in, 0.5), 5.0 / (2.71828 - 1.5), 1e-9);
    in.we_sent = false;
    // Receivers: 100 × 98 / (500 × 0.75) = 26.13 s.
    EXPECT_NEAR(rtcp_interval_s(in, 0.5), 100.0 * 98 / 375 / (2.71828 - 1.5), 1e-9);
}

TEST(RtcpScheduler, DeterministicForASeedAndWithinBounds) {
    RtcpScheduler a({80.0, false}, UniformSource(42));
    RtcpScheduler b({80.0, false}, UniformSource(42));
    a.start(0);
    b.start(0);
    EXPECT_EQ(a.next_due_us(), b.next_due_us());
    const double compensation = 2.71828 - 1.5;
    // First report: minimum halved.
    EXPECT_GE(a.next_due_us(), static_cast<std::int64_t>(2.5 * 0.5 / compensation * 1e6) - 1);
    EXPECT_LE(a.next_due_us(), static_cast<std::int64_t>(2.5 * 1.5 / compensation * 1e6) + 1);
    std::int64_t now = a.next_due_us();
    EXPECT_FALSE(a.due(now - 1));
    EXPECT_TRUE(a.due(now));
    for (int i = 0; i < 100; ++i) {
        a.on_sent(now, 80, true);
        const std::int64_t gap = a.next_due_us() - now;
        ASSERT_GE(gap, static_cast<std::int64_t>(5.0 * 0.5 / compensation * 1e6) - 1);
        ASSERT_LE(gap, static_cast<std::int64_t>(5.0 * 1.5 / compensation * 1e6) + 1);
        now = a.next_due_us();
    }
    RtcpScheduler c({80.0, false}, UniformSource(43));
    c.start(0);
    EXPECT_NE(a.next_due_us(), c.next_due_us());
}

TEST(RtcpScheduler, ReducedMinimumUsesSessionBandwidth) {
    // 360 / 80 kbit/s = 4.5 s instead of 5 s.
    RtcpScheduler s({80.0, true}, UniformSource(1));
    RtcpScheduler normal({80.0, false}, UniformSource(1));
    s.on_sent(0, 80, true);
    normal.on_sent(0, 80, true);
    EXPECT_NEAR(static_cast<double>(s.next_due_us()) / normal.next_due_us(), 4.5 / 5.0, 1e-6);
}

TEST(RtcpScheduler, UniformSourceStaysInRange) {
    UniformSource u(7);
    double lo = 1, hi = 0;
    for (int i = 0; i < 10000; ++i) {
        const double x = u.next();
        ASSERT_GE(x, 0.0);
        ASSERT_LT(x, 1.0);
        lo = std::min(lo, x);
        hi = std::max(hi, x);
    }
    EXPECT_LT(lo, 0.01);
    EXPECT_GT(hi, 0.99);
}
