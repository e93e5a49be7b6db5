#pragma once
// RTP fixed header (RFC 3550 §5.1): parsing from a received datagram and writing into a
// caller-owned buffer. Neither allocates: the payload is a view into the caller's bytes.
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/packet_error.hpp"

namespace pbxbench::media {

inline constexpr std::size_t rtp_header_bytes = 12;

// The header fields of one RTP packet and a view of its payload (padding and extension removed).
struct RtpPacket {
    bool marker = false;
    std::uint8_t payload_type = 0;
    std::uint16_t sequence = 0;
    std::uint32_t timestamp_units = 0;  // in the payload format's clock (8000 Hz for PCMU)
    std::uint32_t ssrc = 0;
    std::uint8_t csrc_count = 0;
    bool has_extension = false;
    std::uint8_t padding_bytes = 0;
    std::span<const std::uint8_t> payload;  // views the buffer given to parse_rtp
};

// Parses `bytes` as one RTP packet. Fails on a short packet, a version other than 2, a padding
// count that does not fit, or CSRC/extension lengths that overrun the datagram.
PacketResult<RtpPacket> parse_rtp(std::span<const std::uint8_t> bytes);

// Whether a datagram on an rtcp-mux port is RTCP rather than RTP (RFC 5761 §4: second byte in
// 192..223, i.e. payload types 64..95 with the marker bit set, never used by RTP).
bool looks_like_rtcp(std::span<const std::uint8_t> bytes);

// Writes a 12-byte header (no CSRCs, no extension, no padding) followed by `payload` into `out`
// and returns the packet length; `packet.payload` and the CSRC/extension fields are ignored.
// Fails with buffer_too_small when `out` cannot hold it; `out` is then unspecified.
PacketResult<std::size_t> write_rtp(const RtpPacket& packet, std::span<const std::uint8_t> payload,
                                    std::span<std::uint8_t> out);

}  // namespace pbxbench::media
