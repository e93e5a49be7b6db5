// A source and an echo MediaStream driven against each other with hand-made times, no sockets:
// pacing, echo rewriting, DTMF, RTCP with a known path delay, and the call summary.
#include "media/media_stream.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "media/dtmf.hpp"
#include "media/rtp_packet.hpp"
#include "tests/unit/support/media_stream_pair.hpp"

namespace pbxbench::media {
namespace {

using namespace test;

TEST(MediaStreamPacing, ExactTimestampsSequenceAndNoDriftOver10000Packets) {
    MediaStream s(source_config(), ramp_source());
    s.start(t0, t0);
    Buffer b;
    EXPECT_EQ(s.write_next_packet(t0 - 1, b), 0u) << "nothing is due before the start";
    RtpPacket prev;
    for (std::int64_t n = 0; n < 10'000; ++n) {
        ASSERT_EQ(s.next_send_us(), t0 + n * ptime_us) << "packet " << n;
        // Called a little late, by varying amounts: the schedule must not absorb the lateness.
        const std::int64_t late = (n % 7) * 300;
        SendTiming timing;
        const std::size_t len = s.write_next_packet(t0 + n * ptime_us + late, b, &timing);
        ASSERT_EQ(len, rtp_header_bytes + pcmu_frame_bytes);
        EXPECT_EQ(timing.scheduled_us, t0 + n * ptime_us);
        EXPECT_EQ(timing.lag_us, late);
        RtpPacket p = parse(b, len);
        EXPECT_EQ(p.ssrc, source_ssrc);
        EXPECT_EQ(p.payload_type, pcmu_payload_type);
        EXPECT_EQ(p.marker, n == 0) << "marker on the first packet only, packet " << n;
        if (n > 0) {
            ASSERT_EQ(p.sequence, static_cast<std::uint16_t>(prev.sequence + 1)) << n;
            ASSERT_EQ(p.timestamp_units, prev.timestamp_units + 160) << n;
        }
        prev = p;
    }
    EXPECT_EQ(s.next_send_us(), t0 + 10'000 * ptime_us);
    EXPECT_EQ(s.packets_sent(), 10'000u);
}

TEST(MediaStreamPacing, CalledLateSendsEveryDuePacketWithItsLag) {
    MediaStream s(source_config(), ramp_source());
    s.start(t0, t0);
    Buffer b;
    std::vector<std::int64_t> lags;
    const std::int64_t now = t0 + 3 * ptime_us + 500;  // packets 0-3 are due
    SendTiming timing;
    while (s.next_send_us() <= now && s.write_next_packet(now, b, &timing) > 0)
        lags.push_back(timing.lag_us);
    EXPECT_EQ(lags, (std::vector<std::int64_t>{60'500, 40'500, 20'500, 500}));
    EXPECT_EQ(s.next_send_us(), t0 + 4 * ptime_us);
}

TEST(MediaStreamPacing, MaySendFalseSendsNothing) {
    StreamConfig c = source_config();
    c.may_send = false;
    MediaStream s(c, ramp_source());
    s.start(t0, t0);
    Buffer b;
    EXPECT_EQ(s.next_send_us(), INT64_MAX);
    for (std::int64_t t = t0; t < t0 + 1'000'000; t += ptime_us)
        EXPECT_EQ(s.write_next_packet(t, b), 0u);
    EXPECT_EQ(s.packets_sent(), 0u);
    EXPECT_EQ(s.summarize(t0 + 1'000'000).packets_sent, 0u);
}

TEST(MediaStreamEcho, KeepsPayloadWithOwnSsrcSequenceAndTimestampOffsets) {
    Call call;
    call.run(50, [](int n) { return n == 20; });  // a gap: echo timestamps must keep it
    ASSERT_EQ(call.echoed.size(), 49u);
    const RtpPacket first_in = *parse_rtp(call.sent[0]);
    const RtpPacket first_out = *parse_rtp(call.echoed[0]);
    EXPECT_TRUE(first_out.marker);
    for (std::size_t k = 0; k < call.echoed.size(); ++k) {
        const std::size_t i = k < 20 ? k : k + 1;  // source packet index
        const RtpPacket in = *parse_rtp(call.sent[i]);
        const RtpPacket out = *parse_rtp(call.echoed[k]);
        EXPECT_EQ(out.ssrc, echo_ssrc);
        EXPECT_EQ(out.sequence, static_cast<std::uint16_t>(first_out.sequence + k)) << k;
        EXPECT_EQ(out.timestamp_units - first_out.timestamp_units,
                  in.timestamp_units - first_in.timestamp_units)
            << k;
        ASSERT_EQ(std::vector<std::uint8_t>(out.payload.begin(), out.payload.end()),
                  std::vector<std::uint8_t>(in.payload.begin(), in.payload.end()))
            << k;
    }
    // Its own numbering: a random start unrelated to the source's.
    EXPECT_NE(first_out.sequence, first_in.sequence);
    EXPECT_NE(first_out.timestamp_units, first_in.timestamp_units);
}

TEST(MediaStreamEcho, MaySendFalseCountsButDoesNotEcho) {
    StreamConfig e = echo_config();
    e.may_send = false;
    Call call(source_config(), e);
    call.run(10);
    EXPECT_TRUE(call.echoed.empty());
    EXPECT_EQ(call.echo.packets_received(), 10u);
    EXPECT_EQ(call.echo.packets_sent(), 0u);
}

TEST(MediaStreamDtmf, ScheduleYieldsRfc4733PacketsAndReceiverCountsTwoEvents) {
    StreamConfig s = source_config();
    s.dtmf = *parse_dtmf_schedule("40ms:1,200ms:#");
    Call call(s);
    call.run(25);
    const std::uint32_t base = parse_rtp(call.sent[0])->timestamp_units;
    std::vector<RtpPacket> events;
    for (const auto& bytes : call.sent) {
        RtpPacket p = *parse_rtp(bytes);
        if (p.payload_type == 101)
            events.push_back(p);
        else
            EXPECT_EQ(p.payload_type, pcmu_payload_type);
    }
    ASSERT_EQ(events.size(), 14u);  // two events of 7: 4 updates, 3 end packets
    for (int e = 0; e < 2; ++e) {
        const std::uint32_t start = base + (e == 0 ? 2 : 10) * 160;  // 40 ms, 200 ms
        for (int k = 0; k < 7; ++k) {
            const RtpPacket& p = events[static_cast<std::size_t>(e * 7 + k)];
            auto ev = decode_telephone_event(p.payload);
            ASSERT_TRUE(ev);
            EXPECT_EQ(p.timestamp_units, start) << "event " << e << " packet " << k;
            EXPECT_EQ(p.marker, k == 0) << "event " << e << " packet " << k;
            EXPECT_EQ(ev->event, e == 0 ? 1 : 11);
            EXPECT_EQ(ev->end, k >= 4);
            EXPECT_EQ(ev->duration_units, std::min(800, 160 * (k + 1)));
        }
    }
    EXPECT_EQ(call.echo.summarize(t0 + 500'000).dtmf_received, 2u);
    const CallMediaStats src = call.source.summarize(t0 + 500'000);
    EXPECT_EQ(src.dtmf_sent, 2u);
    EXPECT_EQ(src.dtmf_received, 2u);  // the echoed events
}

}  // namespace
}  // namespace pbxbench::media
