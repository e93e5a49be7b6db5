#pragma once
// RTCP (RFC 3550 §6): compound packets with SR, RR, SDES CNAME and BYE, written into and parsed
// from caller buffers without allocation, and the round-trip time of §6.4.1.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "media/packet_error.hpp"
#include "media/receive_stats.hpp"

namespace pbxbench::media {

// A 64-bit NTP timestamp: seconds since 1900 and a binary fraction of a second.
struct NtpTime {
    std::uint32_t seconds = 0;
    std::uint32_t fraction = 0;

    // The middle 32 bits (16.16 fixed point), as carried in LSR and used for RTT.
    std::uint32_t middle32() const { return (seconds << 16) | (fraction >> 16); }
};

// The NTP time of a Unix-epoch wall clock reading in microseconds.
NtpTime ntp_from_unix_us(std::int64_t unix_us);

// The sender info block of an SR.
struct SenderInfo {
    NtpTime ntp;
    std::uint32_t rtp_timestamp_units = 0;  // the same instant in the stream's RTP clock
    std::uint32_t packet_count = 0;         // packets sent since the start (wraps)
    std::uint32_t octet_count = 0;          // payload octets sent since the start (wraps)
};

// One reception report block (RFC 3550 §6.4.1).
struct ReportBlock {
    std::uint32_t ssrc = 0;            // the source this block reports on
    std::uint8_t fraction_lost = 0;    // since the previous report, in 1/256
    std::int32_t cumulative_lost = 0;  // 24-bit signed on the wire
    std::uint32_t extended_highest_seq = 0;
    std::uint32_t jitter_units = 0;  // RTP timestamp units
    std::uint32_t lsr = 0;           // middle 32 bits of the last SR's NTP time, 0 if none
    std::uint32_t dlsr = 0;          // delay since that SR, 1/65536 s
};

inline constexpr std::size_t rtcp_max_report_blocks = 31;  // the 5-bit RC field

// What a compound packet said, as far as a two-party call cares. Views point into the parsed
// buffer. Report blocks from all SR/RR packets are gathered, up to 31.
struct RtcpCompound {
    std::optional<std::uint32_t> reporter_ssrc;  // SSRC of the first SR or RR
    std::optional<SenderInfo> sender_info;       // from the first SR
    std::array<ReportBlock, rtcp_max_report_blocks> blocks{};
    std::size_t block_count = 0;
    std::string_view cname;  // the first SDES CNAME item, empty if none
    bool bye = false;
    std::uint32_t bye_ssrc = 0;  // the first SSRC a BYE names

    std::span<const ReportBlock> report_blocks() const { return {blocks.data(), block_count}; }
    // The block about `ssrc`, if the reporter sent one.
    std::optional<ReportBlock> block_for(std::uint32_t ssrc) const;
};

// Parses a compound packet: every sub-packet must have version 2 and a length that keeps the
// sum of lengths equal to the datagram (RFC 3550 A.2). Unknown types (APP, RTPFB, ...) are skipped.
PacketResult<RtcpCompound> parse_rtcp(std::span<const std::uint8_t> bytes);

// Appends RTCP packets to a caller buffer; every add_* either appends a whole packet or fails
// with buffer_too_small and leaves the buffer as it was.
class RtcpWriter {
  public:
    explicit RtcpWriter(std::span<std::uint8_t> out) : out_(out) {}

    // An SR (RR without sender info) with up to 31 report blocks; more is bad_field.
    PacketResult<void> add_sender_report(std::uint32_t ssrc, const SenderInfo& info,
                                         std::span<const ReportBlock> blocks);
    PacketResult<void> add_receiver_report(std::uint32_t ssrc, std::span<const ReportBlock> blocks);
    // SDES with one chunk carrying CNAME (at most 255 bytes).
    PacketResult<void> add_sdes_cname(std::uint32_t ssrc, std::string_view cname);
    // A BYE for one SSRC, without a reason.
    PacketResult<void> add_bye(std::uint32_t ssrc);

    // The bytes written so far: a compound packet once it starts with an SR or RR.
    std::span<const std::uint8_t> bytes() const { return out_.first(size_); }
    std::size_t size() const { return size_; }

  private:
    PacketResult<void> add_report(std::uint8_t type, std::uint32_t ssrc, const SenderInfo* info,
                                  std::span<const ReportBlock> blocks);

    std::span<std::uint8_t> out_;
    std::size_t size_ = 0;
};

// Remembers the last SR received from a source, to fill LSR and DLSR in our report about it.
class LastSenderReport {
  public:
    // Records an SR carrying `ntp` that arrived at `arrival_us` (monotonic clock).
    void on_sender_report(const NtpTime& ntp, std::int64_t arrival_us) {
        lsr_ = ntp.middle32();
        arrival_us_ = arrival_us;
    }
    // The LSR field: middle 32 bits of the last SR's NTP time, 0 before any SR.
    std::uint32_t lsr() const { return lsr_; }
    // 1/65536 s since the SR arrived (same clock as arrival_us); 0 before any SR.
    std::uint32_t dlsr(std::int64_t now_us) const;

  private:
    std::uint32_t lsr_ = 0;
    std::int64_t arrival_us_ = 0;
};

// A report block about the source whose statistics are `stats`; takes the A.3 interval.
ReportBlock make_report_block(std::uint32_t source_ssrc, ReceiveStats& stats,
                              const LastSenderReport& last_sr, std::int64_t now_us);

// RFC 3550 §6.4.1 round-trip time: A − LSR − DLSR, where A is the middle 32 bits of the NTP time
// at which `block` arrived. Empty when the reporter has not received an SR yet (LSR = 0).
// A negative result (clock granularity) is reported as 0.
std::optional<double> rtt_ms(std::uint32_t arrival_middle32, const ReportBlock& block);

}  // namespace pbxbench::media
