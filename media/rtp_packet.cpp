#include "media/rtp_packet.hpp"

#include <cstring>

#include "media/byte_order.hpp"

namespace pbxbench::media {

PacketResult<RtpPacket> parse_rtp(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < rtp_header_bytes) return tl::unexpected(PacketError::too_short);
    const std::uint8_t b0 = bytes[0];
    if ((b0 >> 6) != 2) return tl::unexpected(PacketError::bad_version);

    RtpPacket p;
    const bool padded = (b0 & 0x20) != 0;
    p.has_extension = (b0 & 0x10) != 0;
    p.csrc_count = b0 & 0x0F;
    p.marker = (bytes[1] & 0x80) != 0;
    p.payload_type = bytes[1] & 0x7F;
    p.sequence = load_u16(bytes.data() + 2);
    p.timestamp_units = load_u32(bytes.data() + 4);
    p.ssrc = load_u32(bytes.data() + 8);

    std::size_t offset = rtp_header_bytes + 4u * p.csrc_count;
    if (offset > bytes.size()) return tl::unexpected(PacketError::too_short);
    if (p.has_extension) {
        // RFC 3550 §5.3.1: 16-bit profile id, 16-bit length in 32-bit words, then the words.
        if (offset + 4 > bytes.size()) return tl::unexpected(PacketError::too_short);
        const std::size_t words = load_u16(bytes.data() + offset + 2);
        offset += 4 + 4 * words;
        if (offset > bytes.size()) return tl::unexpected(PacketError::too_short);
    }
    std::size_t end = bytes.size();
    if (padded) {
        // The last octet counts the padding, itself included, so 0 is malformed.
        const std::uint8_t count = bytes[end - 1];
        if (count == 0 || count > end - offset) return tl::unexpected(PacketError::bad_padding);
        p.padding_bytes = count;
        end -= count;
    }
    p.payload = bytes.subspan(offset, end - offset);
    return p;
}

bool looks_like_rtcp(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= 2 && bytes[1] >= 192 && bytes[1] <= 223;
}

PacketResult<std::size_t> write_rtp(const RtpPacket& packet, std::span<const std::uint8_t> payload,
                                    std::span<std::uint8_t> out) {
    const std::size_t size = rtp_header_bytes + payload.size();
    if (out.size() < size) return tl::unexpected(PacketError::buffer_too_small);
    std::uint8_t* d = out.data();
    d[0] = 0x80;  // version 2, no padding, no extension, no CSRCs
    d[1] = static_cast<std::uint8_t>((packet.marker ? 0x80 : 0) | (packet.payload_type & 0x7F));
    store_u16(d + 2, packet.sequence);
    store_u32(d + 4, packet.timestamp_units);
    store_u32(d + 8, packet.ssrc);
    if (!payload.empty()) std::memcpy(d + rtp_header_bytes, payload.data(), payload.size());
    return size;
}

}  // namespace pbxbench::media
