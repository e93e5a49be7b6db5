// A call put on hold (issue 13 item 5): the caller keeps sending (a=sendonly), the echo answered
// recvonly and pauses, then both resume. Loss, silence and jitter must describe the sendrecv
// periods only: the pause is not loss, the held time is not silence.
#include <gtest/gtest.h>

#include "tests/unit/support/media_stream_pair.hpp"

namespace pbxbench::media::test {
namespace {

// Puts the source on hold (it keeps sending, expects nothing back) and pauses the echo, as the
// UAC and the UAS do once the hold re-INVITE is sent / answered.
void hold(Call& call) {
    const std::int64_t now = call.source.next_send_us();
    call.source.set_directions(true, false, now);
    call.echo.set_directions(false, true, now);
}

void resume(Call& call) {
    const std::int64_t now = call.source.next_send_us();
    call.echo.set_directions(true, true, now);
    call.source.set_directions(true, true, now);
}

TEST(MediaHold, ThreeSecondsOnHoldAreNeitherLossNorSilence) {
    Call call;
    call.delay_us = 1000;
    call.run(100);
    hold(call);
    call.run(150);  // 3 s on hold: the echo receives and returns nothing
    EXPECT_TRUE(call.source.on_hold());
    resume(call);
    call.run(100);
    ASSERT_EQ(call.echoed.size(), 200u);
    // The echo's numbering carries on across the hold: no gap for the receiver to count.
    const RtpPacket before = *parse_rtp(call.echoed[99]);
    const RtpPacket after = *parse_rtp(call.echoed[100]);
    EXPECT_EQ(static_cast<std::uint16_t>(before.sequence + 1), after.sequence);

    const std::int64_t end = call.source.next_send_us();
    const CallMediaStats s = call.source.summarize(end);
    EXPECT_EQ(s.packets_sent, 350u) << "the caller sent throughout (sendonly)";
    EXPECT_EQ(call.source.packets_sent_on_hold(), 150u);
    EXPECT_EQ(s.peer_sent_packets, 200u) << "only what was sent outside the hold is a reference";
    EXPECT_EQ(s.packets_received_unique, 200u);
    EXPECT_EQ(s.packets_lost, 0u);
    EXPECT_DOUBLE_EQ(s.loss_percent, 0.0);
    EXPECT_FALSE(s.silent) << "max_silence_ms " << s.max_silence_ms;
    EXPECT_LT(s.max_silence_ms, 100.0);
    // The echo's timestamps follow the caller's, which ran on through the hold, so the gap in
    // arrival is matched by a gap in timestamps: no jitter spike.
    EXPECT_LT(s.jitter_max_ms, 1.0);
    ASSERT_TRUE(s.mos.has_value());
    EXPECT_GT(*s.mos, 4.3);

    // The echo side received everything and sent only outside the hold.
    EXPECT_EQ(call.echo.packets_received(), 350u);
    EXPECT_EQ(call.echo.packets_sent(), 200u);
}

TEST(MediaHold, LossOutsideTheHoldIsStillCounted) {
    Call call;
    call.delay_us = 1000;
    call.run(100, [](int n) { return n == 50; });  // one packet lost before the hold
    hold(call);
    call.run(100);
    resume(call);
    call.run(100, [](int n) { return n == 10 || n == 99; });  // two after it, the last a tail
    const CallMediaStats s = call.source.summarize(call.source.next_send_us());
    EXPECT_EQ(s.peer_sent_packets, 200u);
    EXPECT_EQ(s.packets_received_unique, 197u);
    ASSERT_TRUE(s.loss_vs_sent_percent.has_value());
    EXPECT_NEAR(*s.loss_vs_sent_percent, 1.5, 1e-9);
}

TEST(MediaHold, ALongSilenceOutsideTheHoldIsStillSilence) {
    // The echo pauses for 3 s without any hold having been signalled: that is a silent call.
    Call call;
    call.delay_us = 1000;
    call.run(50);
    call.echo.set_directions(false, true, call.source.next_send_us());
    call.run(150);
    call.echo.set_directions(true, true, call.source.next_send_us());
    call.run(50);
    const CallMediaStats s = call.source.summarize(call.source.next_send_us());
    EXPECT_TRUE(s.silent);
    EXPECT_GT(s.max_silence_ms, 2900.0);
    EXPECT_GT(s.loss_percent, 50.0);
}

TEST(MediaHold, EndingOnHoldDoesNotCountTheHeldTailAsSilence) {
    Call call;
    call.delay_us = 1000;
    call.run(100);
    hold(call);
    call.run(150);
    const CallMediaStats s = call.source.summarize(call.source.next_send_us());
    EXPECT_FALSE(s.silent) << s.max_silence_ms;
    EXPECT_DOUBLE_EQ(s.loss_percent, 0.0);
}

TEST(MediaHold, APausedEchoResumesWithoutABurst) {
    // A source whose sending was paused (inactive) resumes on its schedule from the resume on,
    // not with every packet it would have sent meanwhile.
    StreamConfig c = source_config();
    MediaStream s(c, ramp_source());
    s.start(t0, t0);
    Buffer b;
    for (int i = 0; i < 10; ++i) ASSERT_GT(s.write_next_packet(s.next_send_us(), b), 0u);
    const std::int64_t paused_at = s.next_send_us();
    s.set_directions(false, false, paused_at);
    EXPECT_EQ(s.next_send_us(), INT64_MAX);
    const std::int64_t resumed_at = paused_at + 2'000'000;
    s.set_directions(true, true, resumed_at);
    EXPECT_EQ(s.next_send_us(), resumed_at);
    ASSERT_GT(s.write_next_packet(resumed_at, b), 0u);
    EXPECT_EQ(s.write_next_packet(resumed_at, b), 0u) << "no catch-up burst";
    EXPECT_EQ(s.next_send_us(), resumed_at + ptime_us);
    s.stop_sending();
    s.set_directions(true, true, resumed_at + 100'000);
    EXPECT_FALSE(s.sending()) << "a stopped stream stays stopped";
}

}  // namespace
}  // namespace pbxbench::media::test
