// MediaStream's RTCP (SR/RR, RTT over a known path delay, BYE) and its call summary (loss
// against sent, silence), driven with hand-made times through the source/echo pair.
#include <gtest/gtest.h>

#include "media/media_stream.hpp"
#include "media/rtcp.hpp"
#include "tests/unit/support/media_stream_pair.hpp"

namespace pbxbench::media {
namespace {

using namespace test;

RtcpCompound parse_report(const Buffer& b, std::size_t n) {
    auto c = parse_rtcp(std::span(b).first(n));
    EXPECT_TRUE(c.has_value());
    return c ? *c : RtcpCompound{};
}

TEST(MediaStreamRtcp, SourceSrEchoReportBlockAndRttFromInjectedDelay) {
    Call call;
    call.delay_us = 15'000;  // each way: a 30 ms round trip
    call.run(50);
    Buffer sr;
    const std::int64_t now = t0 + 1'000'000;
    const std::size_t sr_len = call.source.write_rtcp(now, now + unix_offset_us, sr);
    ASSERT_GT(sr_len, 0u);
    const RtcpCompound s = parse_report(sr, sr_len);
    ASSERT_TRUE(s.sender_info);
    EXPECT_EQ(s.reporter_ssrc, source_ssrc);
    EXPECT_EQ(s.sender_info->packet_count, 50u);
    EXPECT_EQ(s.sender_info->octet_count, 50u * 160);
    EXPECT_EQ(s.cname, "pbxbench");
    EXPECT_FALSE(s.bye);
    ASSERT_TRUE(s.block_for(echo_ssrc)) << "the source received the echo: it reports on it";

    const std::int64_t at_echo = now + call.delay_us;
    call.echo.on_rtcp(std::span(sr).first(sr_len), at_echo, at_echo + unix_offset_us);
    // The echo holds the SR 250 ms before reporting: DLSR must take that out again.
    const std::int64_t report_at = at_echo + 250'000;
    Buffer rr;
    const std::size_t rr_len = call.echo.write_rtcp(report_at, report_at + unix_offset_us, rr);
    ASSERT_GT(rr_len, 0u);
    const RtcpCompound r = parse_report(rr, rr_len);
    EXPECT_EQ(r.reporter_ssrc, echo_ssrc);
    auto block = r.block_for(source_ssrc);
    ASSERT_TRUE(block) << "the echo reports on the source";
    EXPECT_EQ(block->lsr, ntp_from_unix_us(now + unix_offset_us).middle32());
    EXPECT_NEAR(block->dlsr, 250'000 * 65536.0 / 1e6, 2);
    EXPECT_EQ(block->cumulative_lost, 0);
    EXPECT_EQ(block->extended_highest_seq & 0xffff,
              static_cast<std::uint16_t>(parse_rtp(call.sent.back())->sequence));
    ASSERT_TRUE(r.sender_info) << "the echo sent packets, so it reports as a sender";
    EXPECT_EQ(r.sender_info->packet_count, 50u);

    const std::int64_t back = report_at + call.delay_us;
    call.source.on_rtcp(std::span(rr).first(rr_len), back, back + unix_offset_us);
    const CallMediaStats stats = call.source.summarize(back);
    ASSERT_TRUE(stats.rtt_ms);
    EXPECT_NEAR(*stats.rtt_ms, 30.0, 1.0);
    // The echo learned the source's count from the SR.
    EXPECT_EQ(call.echo.summarize(back).peer_sent_packets, 50u);
}

TEST(MediaStreamRtcp, ReceiveOnlyEchoWritesReceiverReport) {
    StreamConfig e = echo_config();
    e.may_send = false;
    Call call(source_config(), e);
    call.run(20, [](int n) { return n == 5 || n == 6; });
    Buffer rr;
    const std::size_t n = call.echo.write_rtcp(t0 + 500'000, t0 + 500'000 + unix_offset_us, rr);
    ASSERT_GT(n, 0u);
    const RtcpCompound r = parse_report(rr, n);
    EXPECT_FALSE(r.sender_info) << "sent nothing: RR, not SR";
    auto block = r.block_for(source_ssrc);
    ASSERT_TRUE(block);
    EXPECT_EQ(block->cumulative_lost, 2);
    EXPECT_EQ(block->lsr, 0u) << "no SR received yet";
    EXPECT_GT(block->fraction_lost, 0);
}

TEST(MediaStreamRtcp, StopSendingThenByeCarriesBye) {
    Call call;
    call.run(10);
    call.source.stop_sending();
    EXPECT_FALSE(call.source.sending());
    EXPECT_EQ(call.source.next_send_us(), INT64_MAX);
    Buffer b;
    EXPECT_EQ(call.source.write_next_packet(t0 + 10'000'000, b), 0u);
    const std::int64_t now = t0 + 300'000;
    const std::size_t n = call.source.write_rtcp(now, now + unix_offset_us, b, true);
    ASSERT_GT(n, 0u);
    const RtcpCompound c = parse_report(b, n);
    EXPECT_TRUE(c.bye);
    EXPECT_EQ(c.bye_ssrc, source_ssrc);
    ASSERT_TRUE(c.sender_info) << "the final report still counts what was sent";
    EXPECT_EQ(c.sender_info->packet_count, 10u);
    EXPECT_EQ(call.source.packets_sent(), 10u);
}

TEST(MediaStreamSummary, CleanCallHasNoLossAndFullEcho) {
    Call call;
    call.delay_us = 1'000;
    call.run(500);
    const CallMediaStats s = call.source.summarize(t0 + 10'100'000);
    EXPECT_EQ(s.packets_sent, 500u);
    EXPECT_EQ(s.packets_received_unique, 500u);
    ASSERT_TRUE(s.loss_vs_sent_percent);
    EXPECT_DOUBLE_EQ(*s.loss_vs_sent_percent, 0.0);
    EXPECT_DOUBLE_EQ(s.loss_percent, 0.0);
    EXPECT_NEAR(s.jitter_ms, 0.0, 0.01);  // constant delay
    EXPECT_FALSE(s.silent);
    EXPECT_FALSE(s.one_way);
    ASSERT_TRUE(s.mos);
    EXPECT_GT(*s.mos, 4.3);
}

TEST(MediaStreamSummary, EchoDroppingEveryTenthPacketShowsTenPercentLoss) {
    Call clean;
    clean.run(100);
    Call call;
    call.run(100, [](int n) { return n % 10 == 5; });
    const std::int64_t end = t0 + 2'100'000;
    const CallMediaStats s = call.source.summarize(end);
    EXPECT_EQ(s.packets_sent, 100u);
    EXPECT_EQ(s.peer_sent_packets, 100u) << "our own count: the peer echoes";
    EXPECT_EQ(s.packets_received_unique, 90u);
    ASSERT_TRUE(s.loss_vs_sent_percent);
    EXPECT_NEAR(*s.loss_vs_sent_percent, 10.0, 1e-9);
    EXPECT_NEAR(s.loss_percent, 10.0, 1e-9);
    // The echo's own numbering hides the gaps: only loss against sent can see them.
    EXPECT_EQ(s.packets_lost, 0u);
    const CallMediaStats e = call.echo.summarize(end);
    EXPECT_EQ(e.packets_lost, 10u) << "the echo sees the gaps in the source's numbering";
    EXPECT_NEAR(e.loss_gaps_percent, 10.0, 1e-9);
    ASSERT_TRUE(s.mos);
    EXPECT_LT(*s.mos, *clean.source.summarize(end).mos - 0.3);
}

// The final SR (with the BYE) can be lost; an earlier one counts fewer packets than arrived
// after it, and loss against that stale count would read 0.
TEST(MediaStreamSummary, StaleSenderReportDoesNotHideLaterLoss) {
    Call call;
    const auto drop = [](int n) { return n % 10 == 5; };
    call.run(50, drop);
    Buffer sr;
    const std::int64_t now = call.source.next_send_us();
    const std::size_t n = call.source.write_rtcp(now, now + unix_offset_us, sr);
    call.echo.on_rtcp(std::span(sr).first(n), now, now + unix_offset_us);
    EXPECT_EQ(call.echo.summarize(now).peer_sent_packets, 50u);
    EXPECT_NEAR(call.echo.summarize(now).loss_percent, 10.0, 1e-9);
    call.run(50, drop);  // no further SR arrives
    const CallMediaStats e = call.echo.summarize(now + 1'000'000);
    EXPECT_EQ(e.packets_received_unique, 90u);
    EXPECT_NEAR(e.loss_percent, 10.0, 1e-9);
}

TEST(MediaStreamSummary, NoEchoIsSilent) {
    Call call;
    call.run(150, [](int) { return true; });  // 3 s, nothing comes back
    const CallMediaStats s = call.source.summarize(t0 + 3'000'000);
    EXPECT_TRUE(s.silent);
    EXPECT_TRUE(s.one_way);
    ASSERT_TRUE(s.loss_vs_sent_percent);
    EXPECT_DOUBLE_EQ(*s.loss_vs_sent_percent, 100.0);
    ASSERT_TRUE(s.mos);
    EXPECT_DOUBLE_EQ(*s.mos, 1.0);
}

TEST(MediaStreamSummary, EchoThatStopsMidCallIsSilent) {
    Call call;
    call.run(200, [](int n) { return n >= 50; });  // 1 s of echo, then 3 s of nothing
    EXPECT_TRUE(call.source.summarize(t0 + 4'000'000).silent);
    Call brief;
    brief.run(200, [](int n) { return n >= 50 && n < 120; });  // a 1.4 s gap: under 2 s
    EXPECT_FALSE(brief.source.summarize(t0 + 4'000'000).silent);
}

}  // namespace
}  // namespace pbxbench::media
