#include "media/dtmf.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

using namespace pbxbench::media;
using ::testing::HasSubstr;

TEST(Dtmf, PayloadRoundTrips) {
    std::array<std::uint8_t, 4> bytes{};
    encode_telephone_event({11, true, 10, 800}, bytes);
    EXPECT_EQ(bytes, (std::array<std::uint8_t, 4>{11, 0x8A, 0x03, 0x20}));
    auto e = decode_telephone_event(bytes);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->event, 11);
    EXPECT_TRUE(e->end);
    EXPECT_EQ(e->volume, 10);
    EXPECT_EQ(e->duration_units, 800);
    // The reserved bit is ignored on receipt.
    const std::array<std::uint8_t, 4> reserved{1, 0x4A, 0, 160};
    EXPECT_FALSE(decode_telephone_event(reserved)->end);
    EXPECT_EQ(decode_telephone_event(reserved)->volume, 10);
    EXPECT_EQ(decode_telephone_event(std::span(bytes).first(3)).error(), PacketError::too_short);
}

TEST(Dtmf, DigitCodes) {
    EXPECT_EQ(dtmf_event_code('0'), 0);
    EXPECT_EQ(dtmf_event_code('9'), 9);
    EXPECT_EQ(dtmf_event_code('*'), 10);
    EXPECT_EQ(dtmf_event_code('#'), 11);
    EXPECT_EQ(dtmf_event_code('A'), 12);
    EXPECT_EQ(dtmf_event_code('d'), 15);
    EXPECT_FALSE(dtmf_event_code('E'));
    EXPECT_FALSE(dtmf_event_code('\0'));
    EXPECT_EQ(dtmf_digit(11), '#');
    EXPECT_EQ(dtmf_digit(16), '?');
}

TEST(Dtmf, ScheduleParses) {
    auto items = parse_dtmf_schedule("2s:#, 1s:1,2.5s:*,800ms:d");
    ASSERT_TRUE(items) << items.error().message;
    ASSERT_EQ(items->size(), 4u);
    EXPECT_EQ((*items)[0].offset_ms, 800);
    EXPECT_EQ((*items)[0].digit, 'D');
    EXPECT_EQ((*items)[1].offset_ms, 1000);
    EXPECT_EQ((*items)[1].digit, '1');
    EXPECT_EQ((*items)[2].offset_ms, 2000);
    EXPECT_EQ((*items)[2].digit, '#');
    EXPECT_EQ((*items)[3].offset_ms, 2500);
    EXPECT_EQ((*items)[3].digit, '*');
    EXPECT_TRUE(parse_dtmf_schedule("")->empty());
}

TEST(Dtmf, ScheduleErrorsNameTheItem) {
    auto no_colon = parse_dtmf_schedule("1s:1,2s");
    ASSERT_FALSE(no_colon);
    EXPECT_THAT(no_colon.error().message, HasSubstr("item 2 \"2s\""));
    EXPECT_THAT(no_colon.error().message, HasSubstr("TIME:DIGIT"));

    auto bad_time = parse_dtmf_schedule("1x:1");
    ASSERT_FALSE(bad_time);
    EXPECT_THAT(bad_time.error().message, HasSubstr("item 1 \"1x:1\""));
    EXPECT_THAT(bad_time.error().message, HasSubstr("time must be"));

    EXPECT_FALSE(parse_dtmf_schedule("-1s:1"));
    EXPECT_FALSE(parse_dtmf_schedule("s:1"));
    EXPECT_FALSE(parse_dtmf_schedule("1.2.3s:1"));
    EXPECT_FALSE(parse_dtmf_schedule("1s:1,"));

    auto bad_digit = parse_dtmf_schedule("1s:1,2s:12");
    ASSERT_FALSE(bad_digit);
    EXPECT_THAT(bad_digit.error().message, HasSubstr("item 2 \"2s:12\""));
    EXPECT_THAT(bad_digit.error().message, HasSubstr("digit must be"));
    EXPECT_THAT(parse_dtmf_schedule("1s:E").error().message, HasSubstr("digit must be"));
}

TEST(Dtmf, SenderProducesStartUpdatesAndThreeEnds) {
    DtmfSender sender(5, 48'000);  // 100 ms event, 20 ms packets
    std::vector<DtmfPacket> packets;
    while (auto p = sender.next()) packets.push_back(*p);
    EXPECT_TRUE(sender.done());
    ASSERT_EQ(packets.size(), 7u);
    const std::uint16_t durations[] = {160, 320, 480, 640, 800, 800, 800};
    for (std::size_t i = 0; i < packets.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(packets[i].marker, i == 0);
        EXPECT_EQ(packets[i].timestamp_units, 48'000u);
        EXPECT_EQ(packets[i].payload.event, 5);
        EXPECT_EQ(packets[i].payload.duration_units, durations[i]);
        EXPECT_EQ(packets[i].payload.end, i >= 4);
    }
}

TEST(Dtmf, EventCountedOnceDespiteEndRepeatsAndADuplicate) {
    DtmfSender sender(1, 16'000);
    DtmfReceiver receiver;
    std::vector<DtmfPacket> packets;
    while (auto p = sender.next()) packets.push_back(*p);
    // Through the wire and back, with the second update duplicated by the network.
    for (std::size_t i = 0; i < packets.size(); ++i) {
        std::array<std::uint8_t, 4> wire{};
        encode_telephone_event(packets[i].payload, wire);
        auto decoded = decode_telephone_event(wire);
        ASSERT_TRUE(decoded);
        receiver.on_packet(*decoded, packets[i].timestamp_units);
        if (i == 1) receiver.on_packet(*decoded, packets[i].timestamp_units);
    }
    EXPECT_EQ(receiver.events(), 1u);
    EXPECT_EQ(receiver.ended_events(), 1u);
    EXPECT_EQ(receiver.end_packets(), 3u);
    EXPECT_EQ(receiver.digits(), "1");

    // The same digit again is a new event: a new timestamp.
    DtmfSender again(1, 24'000);
    while (auto p = again.next()) receiver.on_packet(p->payload, p->timestamp_units);
    EXPECT_EQ(receiver.events(), 2u);
    EXPECT_EQ(receiver.digits(), "11");
}

TEST(Dtmf, EventCountedWhenStartPacketLostAndLateEndIgnored) {
    DtmfReceiver receiver;
    receiver.on_packet({11, false, 10, 320}, 1000);  // start and first update lost
    receiver.on_packet({11, true, 10, 800}, 1000);
    receiver.on_packet({2, false, 10, 160}, 5000);  // next event starts
    receiver.on_packet({11, true, 10, 800}, 1000);  // late end of the first one
    EXPECT_EQ(receiver.events(), 2u);
    EXPECT_EQ(receiver.ended_events(), 1u);
    EXPECT_EQ(receiver.digits(), "#2");
    receiver.on_packet({3, true, 10, 800}, 9000);  // only an end packet of a third event arrives
    EXPECT_EQ(receiver.events(), 3u);
    EXPECT_EQ(receiver.ended_events(), 2u);
    EXPECT_EQ(receiver.end_packets(), 3u);
}
