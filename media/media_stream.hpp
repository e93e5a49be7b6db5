#pragma once
// One call's RTP session as one endpoint sees it, without sockets or clocks: the paced audio a
// source sends (with DTMF events from a schedule), the echo an echo endpoint returns for each
// packet it receives, RTCP reports (SR/RR, SDES, BYE) and what arrived. The engine
// (media_engine) owns the sockets and calls in with times; tests call in with hand-made ones.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "media/call_media_stats.hpp"
#include "media/dtmf.hpp"
#include "media/g711.hpp"
#include "media/receive_stats.hpp"
#include "media/rtcp.hpp"
#include "media/rtcp_scheduler.hpp"
#include "media/rtp_packet.hpp"

namespace pbxbench::media {

// source: sends a packet every ptime from start to stop (the UAC). echo: sends one packet back
// for each one received, with its own SSRC, sequence numbers and timestamps (the UAS).
enum class StreamRole : std::uint8_t { source, echo };

struct StreamConfig {
    StreamRole role = StreamRole::source;
    std::uint32_t ssrc = 0;
    std::uint8_t payload_type = pcmu_payload_type;
    std::uint8_t event_payload_type = 101;  // telephone-event; 0: the peer did not offer it
    std::uint32_t ptime_ms = 20;
    bool may_send = true;        // from both signalled directions (sip::may_send)
    bool expect_receive = true;  // sip::expects_receive
    // The peer returns what we send (our UAS, SIPp -rtp_echo): our own count is then what it
    // should have sent back, the reference for loss against sent.
    bool peer_echoes = false;
    bool rtcp = true;
    RtcpSchedulerConfig rtcp_timing;
    std::vector<DtmfScheduleItem> dtmf;  // offsets from the first packet sent
    std::int64_t silence_threshold_ms = 2000;
    std::uint64_t seed = 1;  // RTCP interval randomization, initial sequence number and timestamp
};

// What a stream did to its sender's schedule: how late packets left (for pacing lag figures).
struct SendTiming {
    std::int64_t scheduled_us = 0;
    std::int64_t lag_us = 0;
};

class MediaStream {
  public:
    // `audio` is copied (it shares its buffer); the stream keeps its own read position.
    MediaStream(StreamConfig config, FrameSource audio);

    // The call was answered at `answer_us`; a source sends its first packet at `now_us`.
    void start(std::int64_t now_us, std::int64_t answer_us);
    // No more RTP from us from now on; a final SR and BYE are due (write_rtcp with bye).
    void stop_sending();
    bool sending() const { return sending_; }
    // A mid-call offer/answer changed the directions (hold and resume, RFC 3264 §8.4): from
    // `now_us` we send only if `may_send` (never again after stop_sending) and expect the
    // peer's RTP only if `expect_receive`. While nothing is expected (on hold) the packets we
    // send are not a reference for the peer's echo and the time does not count as silence, so
    // a held call shows no loss for the echo it was told not to send.
    void set_directions(bool may_send, bool expect_receive, std::int64_t now_us);
    bool on_hold() const { return held_since_us_ >= 0; }

    // Source role: when the next packet is due (INT64_MAX when not sending).
    std::int64_t next_send_us() const {
        return sending_ && is_source() ? next_send_us_ : INT64_MAX;
    }
    // Writes the due packet into `out` (at least 12 + 160 bytes) and advances the schedule; the
    // lag is now − scheduled. Returns 0 when nothing is due or `out` is too small.
    std::size_t write_next_packet(std::int64_t now_us, std::span<std::uint8_t> out,
                                  SendTiming* timing = nullptr);

    // An RTP datagram from the peer; for the echo role writes the echo into `echo_out` and
    // returns its length (0: nothing to send back). Malformed packets are counted, not thrown.
    std::size_t on_rtp(std::span<const std::uint8_t> bytes, std::int64_t arrival_us,
                       std::span<std::uint8_t> echo_out);
    // An RTCP datagram from the peer; `arrival_unix_us` is the wall clock for the RTT.
    void on_rtcp(std::span<const std::uint8_t> bytes, std::int64_t arrival_us,
                 std::int64_t arrival_unix_us);

    // Whether a report is due (RTCP on, started, and the scheduler's time has come).
    bool rtcp_due(std::int64_t now_us) const;
    // Writes SR or RR, SDES CNAME and (`bye`) BYE into `out`; returns the length, 0 if it did not
    // fit. Reschedules the next report.
    std::size_t write_rtcp(std::int64_t now_us, std::int64_t now_unix_us,
                           std::span<std::uint8_t> out, bool bye = false);

    // The call's figures as of `end_us` (BYE).
    CallMediaStats summarize(std::int64_t end_us) const;

    std::uint32_t ssrc() const { return config_.ssrc; }
    std::uint64_t packets_sent() const { return packets_sent_; }
    // Packets sent while on hold (excluded from the echo reference).
    std::uint64_t packets_sent_on_hold() const { return packets_sent_on_hold_; }
    std::uint64_t packets_received() const { return stats_.snapshot().packets; }
    // What arrived so far (e.g. early media before the answer).
    ReceiveSnapshot received() const { return stats_.snapshot(); }
    std::uint64_t malformed() const { return malformed_; }
    // The peer's SSRC: learned from its first packet.
    std::optional<std::uint32_t> peer_ssrc() const { return peer_ssrc_; }
    const StreamConfig& config() const { return config_; }

  private:
    bool is_source() const { return config_.role == StreamRole::source; }
    // The payload for the packet with index `n`: audio, or the DTMF event in progress.
    std::size_t write_payload(std::int64_t n, RtpPacket& header, std::span<std::uint8_t> out);

    StreamConfig config_;
    FrameSource audio_;
    std::uint32_t samples_per_packet_;
    std::int64_t ptime_us_;

    // Held time up to `t` (closed holds plus the one in progress).
    std::int64_t held_us_until(std::int64_t t) const;
    // Marks an arrival (or the answer, or the end) for the silence outside holds.
    void mark_silence(std::int64_t t);

    bool started_ = false;
    bool sending_ = false;
    bool stopped_ = false;  // stop_sending() was called: no direction change restarts us
    std::int64_t start_us_ = 0;
    std::int64_t answer_us_ = 0;
    std::int64_t next_send_us_ = INT64_MAX;
    std::int64_t packet_index_ = 0;  // source: packets scheduled so far
    std::uint16_t sequence_ = 0;
    std::uint32_t timestamp_base_ = 0;
    std::uint32_t last_timestamp_ = 0;  // of our last packet, for the SR's RTP timestamp
    std::int64_t last_sent_us_ = 0;
    std::uint64_t packets_sent_ = 0;
    std::uint64_t bytes_sent_ = 0;
    std::uint64_t sent_since_report_ = 0;

    // Holds: while held_since_us_ >= 0 no RTP is expected from the peer.
    std::int64_t held_since_us_ = -1;
    std::int64_t held_total_us_ = 0;  // closed holds
    bool held_ever_ = false;
    std::uint64_t packets_sent_on_hold_ = 0;
    // Longest stretch without RTP with held time taken out, measured from `silence_mark_us_`
    // (the answer, then each arrival); held_at_mark_us_ is the held time up to that mark.
    std::int64_t silence_mark_us_ = 0;
    std::int64_t held_at_mark_us_ = 0;
    std::int64_t max_silence_outside_hold_us_ = 0;
    bool silence_marked_ = false;  // a packet arrived (the answer alone is not a gap start)

    std::size_t next_dtmf_ = 0;
    std::optional<DtmfSender> dtmf_;
    std::uint32_t dtmf_sent_ = 0;
    DtmfReceiver dtmf_received_;

    // Echo role: the first timestamp received, so echoes keep the sender's timing.
    bool have_first_in_ts_ = false;
    std::uint32_t first_in_ts_ = 0;

    ReceiveStats stats_;
    std::optional<std::uint32_t> peer_ssrc_;
    std::uint64_t malformed_ = 0;

    RtcpScheduler rtcp_;
    LastSenderReport last_sr_;
    std::optional<std::uint64_t> peer_reported_sent_;  // the peer's last SR packet count
    std::optional<double> rtt_ms_;
};

}  // namespace pbxbench::media
