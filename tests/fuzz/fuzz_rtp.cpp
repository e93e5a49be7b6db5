// libFuzzer target for the media packet parsers: RTP, RTCP compounds and RFC 4733 payloads,
// plus the properties that must hold for whatever they accept.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/dtmf.hpp"
#include "media/receive_stats.hpp"
#include "media/rtcp.hpp"
#include "media/rtp_packet.hpp"

using namespace pbxbench::media;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);

    if (auto rtp = parse_rtp(bytes)) {
        // The payload view must lie inside the input.
        if (rtp->payload.data() < data || rtp->payload.data() + rtp->payload.size() > data + size) {
            __builtin_trap();
        }
        // Writing the header back and reparsing must give the same fields and payload.
        std::array<std::uint8_t, 2048> out{};
        if (auto n = write_rtp(*rtp, rtp->payload, out)) {
            auto again = parse_rtp(std::span(out).first(*n));
            if (!again || again->sequence != rtp->sequence || again->ssrc != rtp->ssrc ||
                again->timestamp_units != rtp->timestamp_units || again->marker != rtp->marker ||
                again->payload_type != rtp->payload_type ||
                again->payload.size() != rtp->payload.size()) {
                __builtin_trap();
            }
        }
        (void)decode_telephone_event(rtp->payload);
    }

    if (auto rtcp = parse_rtcp(bytes)) {
        if (rtcp->block_count > rtcp_max_report_blocks) __builtin_trap();
        // Whatever we parsed, we can write again and parse to the same report blocks.
        std::array<std::uint8_t, 1500> out{};
        RtcpWriter w(out);
        const std::uint32_t ssrc = rtcp->reporter_ssrc.value_or(0);
        const auto blocks = rtcp->report_blocks();
        const bool written = rtcp->sender_info
                                 ? w.add_sender_report(ssrc, *rtcp->sender_info, blocks).has_value()
                                 : w.add_receiver_report(ssrc, blocks).has_value();
        if (written) {
            auto again = parse_rtcp(w.bytes());
            if (!again || again->block_count != rtcp->block_count) __builtin_trap();
            for (std::size_t i = 0; i < blocks.size(); ++i) {
                if (again->blocks[i].cumulative_lost != blocks[i].cumulative_lost ||
                    again->blocks[i].dlsr != blocks[i].dlsr) {
                    __builtin_trap();
                }
            }
        }
        for (const ReportBlock& b : blocks) (void)rtt_ms(0x12345678, b);
    }

    (void)decode_telephone_event(bytes);

    // Sequence/timestamp pairs from the input through the receiver statistics: no crash, and the
    // unique count never exceeds what was handed in.
    ReceiveStats stats;
    std::int64_t arrival_us = 0;
    for (std::size_t i = 0; i + 6 <= size; i += 6) {
        const auto seq = static_cast<std::uint16_t>((data[i] << 8) | data[i + 1]);
        const std::uint32_t ts = (std::uint32_t{data[i + 2]} << 24) |
                                 (std::uint32_t{data[i + 3]} << 16) |
                                 (std::uint32_t{data[i + 4]} << 8) | data[i + 5];
        arrival_us += 20'000;
        stats.on_packet(seq, ts, arrival_us, 160);
    }
    const auto snap = stats.snapshot();
    if (snap.received_unique > snap.packets) __builtin_trap();
    (void)stats.take_interval();
    return 0;
}
