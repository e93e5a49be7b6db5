#pragma once
// A source and an echo MediaStream wired back to back with hand-made times and a fixed
// one-way delay, for the media_stream tests: no sockets, no clocks.
#include <array>
#include <functional>
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "media/media_stream.hpp"
#include "media/rtp_packet.hpp"

namespace pbxbench::media::test {

constexpr std::int64_t t0 = 5'000'000;
constexpr std::int64_t ptime_us = 20'000;
// unix = steady + this: the RTT test needs both clocks, offset as a real host's are.
constexpr std::int64_t unix_offset_us = 1'700'000'000'000'000;
constexpr std::uint32_t source_ssrc = 0x11111111;
constexpr std::uint32_t echo_ssrc = 0x22222222;

// Bytes that differ packet to packet, so an echo that rewrote the payload would show.
inline FrameSource ramp_source() {
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(8000);
    for (std::size_t i = 0; i < bytes->size(); ++i)
        (*bytes)[i] = static_cast<std::uint8_t>(i % 251);
    return FrameSource(bytes);
}

inline StreamConfig source_config() {
    StreamConfig c;
    c.role = StreamRole::source;
    c.ssrc = source_ssrc;
    c.peer_echoes = true;
    c.seed = 7;
    return c;
}

inline StreamConfig echo_config() {
    StreamConfig c;
    c.role = StreamRole::echo;
    c.ssrc = echo_ssrc;
    c.seed = 9;
    return c;
}

using Buffer = std::array<std::uint8_t, 1500>;

inline RtpPacket parse(const Buffer& b, std::size_t n) {
    auto p = parse_rtp(std::span(b).first(n));
    EXPECT_TRUE(p.has_value());
    return p ? *p : RtpPacket{};
}

// Source and echo with a one-way delay each way. `forward_drop(n)` loses source packet n on
// its way to the echo. Every packet is sent on time.
struct Call {
    MediaStream source;
    MediaStream echo;
    std::int64_t delay_us = 0;
    std::vector<std::vector<std::uint8_t>> sent;  // what the source put on the wire
    std::vector<std::vector<std::uint8_t>> echoed;

    explicit Call(StreamConfig s = source_config(), StreamConfig e = echo_config())
        : source(std::move(s), ramp_source()), echo(std::move(e), ramp_source()) {
        source.start(t0, t0);
        echo.start(t0, t0);
    }

    void run(int packets, const std::function<bool(int)>& forward_drop = {}) {
        Buffer out;
        Buffer back;
        for (int i = 0; i < packets; ++i) {
            const std::int64_t now = source.next_send_us();
            const std::size_t n = source.write_next_packet(now, out);
            ASSERT_GT(n, 0u);
            sent.emplace_back(out.begin(), out.begin() + n);
            if (forward_drop && forward_drop(i)) continue;
            const std::size_t m = echo.on_rtp(std::span(out).first(n), now + delay_us, back);
            if (m == 0) continue;
            echoed.emplace_back(back.begin(), back.begin() + m);
            source.on_rtp(std::span(back).first(m), now + 2 * delay_us, out);
        }
    }
};

}  // namespace pbxbench::media::test
