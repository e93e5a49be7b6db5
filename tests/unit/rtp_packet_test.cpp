#include "media/rtp_packet.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

using namespace pbxbench::media;

namespace {

std::vector<std::uint8_t> header(std::uint8_t b0, std::uint8_t b1) {
    // seq 0x1234, timestamp 0x01020304, SSRC 0xDEADBEEF
    return {b0, b1, 0x12, 0x34, 0x01, 0x02, 0x03, 0x04, 0xDE, 0xAD, 0xBE, 0xEF};
}

}  // namespace

TEST(RtpPacket, ParsesFixedHeaderAndPayload) {
    auto bytes = header(0x80, 0x80 | 0);
    bytes.insert(bytes.end(), {0xAA, 0xBB, 0xCC});
    auto p = parse_rtp(bytes);
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->marker);
    EXPECT_EQ(p->payload_type, 0);
    EXPECT_EQ(p->sequence, 0x1234);
    EXPECT_EQ(p->timestamp_units, 0x01020304u);
    EXPECT_EQ(p->ssrc, 0xDEADBEEFu);
    ASSERT_EQ(p->payload.size(), 3u);
    EXPECT_EQ(p->payload[0], 0xAA);
    EXPECT_EQ(p->payload[2], 0xCC);
}

TEST(RtpPacket, SkipsCsrcsAndExtension) {
    auto bytes = header(0x80 | 0x10 | 2, 8);                          // X bit, two CSRCs, PT 8
    bytes.insert(bytes.end(), {0, 0, 0, 1, 0, 0, 0, 2});              // CSRCs
    bytes.insert(bytes.end(), {0xBE, 0xDE, 0x00, 0x01, 1, 2, 3, 4});  // extension, one word
    bytes.push_back(0x55);
    auto p = parse_rtp(bytes);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->csrc_count, 2);
    EXPECT_TRUE(p->has_extension);
    EXPECT_FALSE(p->marker);
    EXPECT_EQ(p->payload_type, 8);
    ASSERT_EQ(p->payload.size(), 1u);
    EXPECT_EQ(p->payload[0], 0x55);
}

TEST(RtpPacket, RemovesPadding) {
    auto bytes = header(0x80 | 0x20, 0);
    bytes.insert(bytes.end(), {0x11, 0x22, 0, 0, 3});
    auto p = parse_rtp(bytes);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->padding_bytes, 3);
    ASSERT_EQ(p->payload.size(), 2u);
    EXPECT_EQ(p->payload[1], 0x22);
}

TEST(RtpPacket, RejectsMalformed) {
    auto short_packet = header(0x80, 0);
    short_packet.pop_back();
    EXPECT_EQ(parse_rtp(short_packet).error(), PacketError::too_short);

    EXPECT_EQ(parse_rtp(header(0x40, 0)).error(), PacketError::bad_version);
    EXPECT_EQ(parse_rtp(header(0x80 | 3, 0)).error(), PacketError::too_short);  // CSRCs missing

    auto ext_overrun = header(0x90, 0);
    ext_overrun.insert(ext_overrun.end(), {0xBE, 0xDE, 0x00, 0x02, 1, 2, 3, 4});
    EXPECT_EQ(parse_rtp(ext_overrun).error(), PacketError::too_short);

    auto zero_padding = header(0xA0, 0);
    zero_padding.push_back(0);
    EXPECT_EQ(parse_rtp(zero_padding).error(), PacketError::bad_padding);

    auto big_padding = header(0xA0, 0);
    big_padding.push_back(2);  // claims 2 bytes of padding but only 1 follows the header
    EXPECT_EQ(parse_rtp(big_padding).error(), PacketError::bad_padding);
}

TEST(RtpPacket, WriteThenParseRoundTrips) {
    std::array<std::uint8_t, 172> buffer{};
    std::array<std::uint8_t, 160> payload{};
    payload.fill(0xFF);
    payload[159] = 0x7E;
    RtpPacket h;
    h.marker = true;
    h.payload_type = 0;
    h.sequence = 65535;
    h.timestamp_units = 0xFFFFFF60;
    h.ssrc = 0x01020304;
    auto n = write_rtp(h, payload, buffer);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 172u);
    EXPECT_EQ(buffer[0], 0x80);
    auto p = parse_rtp(std::span(buffer).first(*n));
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->marker);
    EXPECT_EQ(p->sequence, 65535);
    EXPECT_EQ(p->timestamp_units, 0xFFFFFF60u);
    EXPECT_EQ(p->ssrc, 0x01020304u);
    ASSERT_EQ(p->payload.size(), 160u);
    EXPECT_EQ(p->payload[159], 0x7E);
}

TEST(RtpPacket, WriteFailsWhenBufferTooSmall) {
    std::array<std::uint8_t, 20> buffer{};
    std::array<std::uint8_t, 9> payload{};
    EXPECT_EQ(write_rtp(RtpPacket{}, payload, buffer).error(), PacketError::buffer_too_small);
    EXPECT_TRUE(write_rtp(RtpPacket{}, std::span(payload).first(8), buffer));
}

TEST(RtpPacket, TellsRtcpFromRtpOnMuxedPort) {
    const std::array<std::uint8_t, 2> sr{0x80, 200};
    const std::array<std::uint8_t, 2> pcmu_marker{0x80, 0x80};
    const std::array<std::uint8_t, 2> pt_96{0x80, 96};
    EXPECT_TRUE(looks_like_rtcp(sr));
    EXPECT_FALSE(looks_like_rtcp(pcmu_marker));
    EXPECT_FALSE(looks_like_rtcp(pt_96));
}
