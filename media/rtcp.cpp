#include "media/rtcp.hpp"

#include <algorithm>
#include <cstring>

#include "media/byte_order.hpp"

namespace pbxbench::media {

namespace {

constexpr std::uint8_t type_sr = 200;
constexpr std::uint8_t type_rr = 201;
constexpr std::uint8_t type_sdes = 202;
constexpr std::uint8_t type_bye = 203;
constexpr std::uint8_t sdes_end = 0;
constexpr std::uint8_t sdes_cname = 1;
constexpr std::size_t block_bytes = 24;
constexpr std::size_t sender_info_bytes = 20;
constexpr std::uint32_t ntp_unix_offset_s = 2208988800u;  // 1900-01-01 to 1970-01-01

ReportBlock read_block(const std::uint8_t* p) {
    ReportBlock b;
    b.ssrc = load_u32(p);
    b.fraction_lost = p[4];
    // 24-bit two's complement: shift into the top of an int32, then back down with sign.
    const std::uint32_t raw = (std::uint32_t{p[5]} << 16) | (std::uint32_t{p[6]} << 8) | p[7];
    b.cumulative_lost = static_cast<std::int32_t>(raw << 8) >> 8;
    b.extended_highest_seq = load_u32(p + 8);
    b.jitter_units = load_u32(p + 12);
    b.lsr = load_u32(p + 16);
    b.dlsr = load_u32(p + 20);
    return b;
}

void write_block(std::uint8_t* p, const ReportBlock& b) {
    store_u32(p, b.ssrc);
    const std::int32_t lost = std::clamp(b.cumulative_lost, -0x800000, 0x7FFFFF);
    store_u32(p + 4, (std::uint32_t{b.fraction_lost} << 24) |
                         (static_cast<std::uint32_t>(lost) & 0xFFFFFF));
    store_u32(p + 8, b.extended_highest_seq);
    store_u32(p + 12, b.jitter_units);
    store_u32(p + 16, b.lsr);
    store_u32(p + 20, b.dlsr);
}

void write_header(std::uint8_t* p, std::uint8_t count, std::uint8_t type, std::size_t total_bytes) {
    p[0] = static_cast<std::uint8_t>(0x80 | count);
    p[1] = type;
    store_u16(p + 2, static_cast<std::uint16_t>(total_bytes / 4 - 1));
}

void gather_blocks(RtcpCompound& c, const std::uint8_t* p, std::size_t count) {
    for (std::size_t i = 0; i < count && c.block_count < c.blocks.size(); ++i) {
        c.blocks[c.block_count++] = read_block(p + i * block_bytes);
    }
}

// SDES body: `count` chunks of SSRC + items ending in a zero octet, each chunk padded to 32 bits.
PacketResult<void> parse_sdes(RtcpCompound& c, std::span<const std::uint8_t> body,
                              std::size_t count) {
    std::size_t off = 0;
    for (std::size_t chunk = 0; chunk < count; ++chunk) {
        if (off + 4 > body.size()) return tl::unexpected(PacketError::too_short);
        off += 4;
        while (true) {
            if (off >= body.size()) return tl::unexpected(PacketError::too_short);
            const std::uint8_t type = body[off];
            if (type == sdes_end) break;
            if (off + 2 > body.size()) return tl::unexpected(PacketError::too_short);
            const std::size_t len = body[off + 1];
            if (off + 2 + len > body.size()) return tl::unexpected(PacketError::too_short);
            if (type == sdes_cname && c.cname.empty()) {
                c.cname =
                    std::string_view(reinterpret_cast<const char*>(body.data() + off + 2), len);
            }
            off += 2 + len;
        }
        off = (off + 4) & ~std::size_t{3};  // past the terminating zero, to the next word
    }
    return {};
}

}  // namespace

NtpTime ntp_from_unix_us(std::int64_t unix_us) {
    const std::int64_t secs = unix_us / 1'000'000;
    const std::int64_t micros = unix_us % 1'000'000;
    NtpTime t;
    t.seconds = static_cast<std::uint32_t>(secs) + ntp_unix_offset_s;  // era wrap is intended
    t.fraction = static_cast<std::uint32_t>((static_cast<std::uint64_t>(micros) << 32) / 1'000'000);
    return t;
}

std::optional<ReportBlock> RtcpCompound::block_for(std::uint32_t ssrc) const {
    for (const ReportBlock& b : report_blocks()) {
        if (b.ssrc == ssrc) return b;
    }
    return std::nullopt;
}

PacketResult<RtcpCompound> parse_rtcp(std::span<const std::uint8_t> bytes) {
    RtcpCompound c;
    if (bytes.size() < 4) return tl::unexpected(PacketError::too_short);
    std::size_t offset = 0;
    while (offset < bytes.size()) {
        if (bytes.size() - offset < 4) return tl::unexpected(PacketError::bad_length);
        const std::uint8_t* p = bytes.data() + offset;
        if ((p[0] >> 6) != 2) return tl::unexpected(PacketError::bad_version);
        const std::size_t count = p[0] & 0x1F;
        const std::uint8_t type = p[1];
        const std::size_t length = (std::size_t{load_u16(p + 2)} + 1) * 4;
        if (length > bytes.size() - offset) return tl::unexpected(PacketError::bad_length);
        std::span<const std::uint8_t> body = bytes.subspan(offset + 4, length - 4);
        if (p[0] & 0x20) {
            // A.2: only the last packet of a compound may be padded.
            const std::size_t pad = body.empty() ? 0 : body.back();
            if (offset + length != bytes.size() || pad == 0 || pad > body.size()) {
                return tl::unexpected(PacketError::bad_padding);
            }
            body = body.first(body.size() - pad);
        }
        switch (type) {
            case type_sr:
            case type_rr: {
                const std::size_t info = type == type_sr ? sender_info_bytes : 0;
                if (body.size() < 4 + info + count * block_bytes)
                    return tl::unexpected(PacketError::too_short);
                if (!c.reporter_ssrc) c.reporter_ssrc = load_u32(body.data());
                if (type == type_sr && !c.sender_info) {
                    const std::uint8_t* s = body.data() + 4;
                    c.sender_info = SenderInfo{NtpTime{load_u32(s), load_u32(s + 4)},
                                               load_u32(s + 8), load_u32(s + 12), load_u32(s + 16)};
                }
                gather_blocks(c, body.data() + 4 + info, count);
                break;
            }
            case type_sdes:
                if (auto ok = parse_sdes(c, body, count); !ok) return tl::unexpected(ok.error());
                break;
            case type_bye:
                if (body.size() < 4 * count) return tl::unexpected(PacketError::too_short);
                if (!c.bye && count > 0) c.bye_ssrc = load_u32(body.data());
                c.bye = true;
                break;
            default:
                break;  // APP, feedback and XR are not ours to read
        }
        offset += length;
    }
    return c;
}

PacketResult<void> RtcpWriter::add_report(std::uint8_t type, std::uint32_t ssrc,
                                          const SenderInfo* info,
                                          std::span<const ReportBlock> blocks) {
    if (blocks.size() > rtcp_max_report_blocks) return tl::unexpected(PacketError::bad_field);
    const std::size_t total = 8 + (info ? sender_info_bytes : 0) + blocks.size() * block_bytes;
    if (out_.size() - size_ < total) return tl::unexpected(PacketError::buffer_too_small);
    std::uint8_t* p = out_.data() + size_;
    write_header(p, static_cast<std::uint8_t>(blocks.size()), type, total);
    store_u32(p + 4, ssrc);
    std::uint8_t* q = p + 8;
    if (info) {
        store_u32(q, info->ntp.seconds);
        store_u32(q + 4, info->ntp.fraction);
        store_u32(q + 8, info->rtp_timestamp_units);
        store_u32(q + 12, info->packet_count);
        store_u32(q + 16, info->octet_count);
        q += sender_info_bytes;
    }
    for (const ReportBlock& b : blocks) {
        write_block(q, b);
        q += block_bytes;
    }
    size_ += total;
    return {};
}

PacketResult<void> RtcpWriter::add_sender_report(std::uint32_t ssrc, const SenderInfo& info,
                                                 std::span<const ReportBlock> blocks) {
    return add_report(type_sr, ssrc, &info, blocks);
}

PacketResult<void> RtcpWriter::add_receiver_report(std::uint32_t ssrc,
                                                   std::span<const ReportBlock> blocks) {
    return add_report(type_rr, ssrc, nullptr, blocks);
}

PacketResult<void> RtcpWriter::add_sdes_cname(std::uint32_t ssrc, std::string_view cname) {
    if (cname.size() > 255) return tl::unexpected(PacketError::bad_field);
    // Header, SSRC, CNAME item, at least one terminating zero, padded to a 32-bit boundary.
    const std::size_t total = (4 + 4 + 2 + cname.size() + 1 + 3) & ~std::size_t{3};
    if (out_.size() - size_ < total) return tl::unexpected(PacketError::buffer_too_small);
    std::uint8_t* p = out_.data() + size_;
    std::memset(p, 0, total);
    write_header(p, 1, type_sdes, total);
    store_u32(p + 4, ssrc);
    p[8] = sdes_cname;
    p[9] = static_cast<std::uint8_t>(cname.size());
    if (!cname.empty()) std::memcpy(p + 10, cname.data(), cname.size());
    size_ += total;
    return {};
}

PacketResult<void> RtcpWriter::add_bye(std::uint32_t ssrc) {
    constexpr std::size_t total = 8;
    if (out_.size() - size_ < total) return tl::unexpected(PacketError::buffer_too_small);
    std::uint8_t* p = out_.data() + size_;
    write_header(p, 1, type_bye, total);
    store_u32(p + 4, ssrc);
    size_ += total;
    return {};
}

std::uint32_t LastSenderReport::dlsr(std::int64_t now_us) const {
    if (lsr_ == 0) return 0;
    const std::int64_t elapsed_us = std::max<std::int64_t>(now_us - arrival_us_, 0);
    return static_cast<std::uint32_t>((elapsed_us << 16) / 1'000'000);
}

ReportBlock make_report_block(std::uint32_t source_ssrc, ReceiveStats& stats,
                              const LastSenderReport& last_sr, std::int64_t now_us) {
    const IntervalLoss interval = stats.take_interval();
    const ReceiveSnapshot s = stats.snapshot();
    ReportBlock b;
    b.ssrc = source_ssrc;
    b.fraction_lost = interval.fraction_lost;
    b.cumulative_lost = stats.cumulative_lost_24bit();
    b.extended_highest_seq = s.extended_highest_seq;
    b.jitter_units = static_cast<std::uint32_t>(s.jitter_units);
    b.lsr = last_sr.lsr();
    b.dlsr = last_sr.dlsr(now_us);
    return b;
}

std::optional<double> rtt_ms(std::uint32_t arrival_middle32, const ReportBlock& block) {
    if (block.lsr == 0) return std::nullopt;
    // Modular arithmetic: the 16.16 clock wraps every 18 hours.
    const auto rtt_units = static_cast<std::int32_t>(arrival_middle32 - block.lsr - block.dlsr);
    return std::max(rtt_units, 0) * 1000.0 / 65536.0;
}

}  // namespace pbxbench::media
