#include "media/media_stream.hpp"

#include <algorithm>

namespace pbxbench::media {

namespace {

constexpr std::uint64_t rtcp_seed_salt = 0x9e3779b97f4a7c15ull;

bool is_event(const StreamConfig& c, std::uint8_t payload_type) {
    return c.event_payload_type != 0 && payload_type == c.event_payload_type;
}

}  // namespace

MediaStream::MediaStream(StreamConfig config, FrameSource audio)
    : config_(std::move(config)),
      audio_(std::move(audio)),
      samples_per_packet_(pcmu_clock_hz / 1000 * std::max<std::uint32_t>(config_.ptime_ms, 1)),
      ptime_us_(std::int64_t{1000} * std::max<std::uint32_t>(config_.ptime_ms, 1)),
      rtcp_(config_.rtcp_timing, UniformSource(config_.seed ^ rtcp_seed_salt)) {
    // RFC 3550 §5.1: random initial sequence number and timestamp.
    UniformSource random(config_.seed);
    sequence_ = static_cast<std::uint16_t>(random.next() * 65536.0);
    timestamp_base_ = static_cast<std::uint32_t>(random.next() * 4294967296.0);
    last_timestamp_ = timestamp_base_;
}

void MediaStream::start(std::int64_t now_us, std::int64_t answer_us) {
    started_ = true;
    start_us_ = now_us;
    answer_us_ = answer_us;
    silence_mark_us_ = answer_us;
    held_at_mark_us_ = held_us_until(answer_us);
    sending_ = config_.may_send;
    next_send_us_ = now_us;
    if (config_.rtcp) rtcp_.start(now_us);
}

void MediaStream::stop_sending() {
    sending_ = false;
    stopped_ = true;
}

void MediaStream::set_directions(bool may_send, bool expect_receive, std::int64_t now_us) {
    config_.may_send = may_send;
    if (started_ && !stopped_) {
        if (may_send && !sending_ && is_source()) {
            // Resuming a source that paused: carry on from now without a burst of the packets
            // "missed" while paused (the schedule is relative to a new start).
            start_us_ = now_us - packet_index_ * ptime_us_;
            next_send_us_ = now_us;
        }
        sending_ = may_send;
    }
    if (!expect_receive && held_since_us_ < 0) {
        held_since_us_ = now_us;
        held_ever_ = true;
    } else if (expect_receive && held_since_us_ >= 0) {
        held_total_us_ += std::max<std::int64_t>(0, now_us - held_since_us_);
        held_since_us_ = -1;
    }
}

std::int64_t MediaStream::held_us_until(std::int64_t t) const {
    std::int64_t held = held_total_us_;
    if (held_since_us_ >= 0) held += std::max<std::int64_t>(0, t - held_since_us_);
    return held;
}

void MediaStream::mark_silence(std::int64_t t) {
    const std::int64_t held = held_us_until(t);
    const std::int64_t gap = t - silence_mark_us_ - (held - held_at_mark_us_);
    max_silence_outside_hold_us_ = std::max(max_silence_outside_hold_us_, gap);
    silence_mark_us_ = t;
    held_at_mark_us_ = held;
}

std::size_t MediaStream::write_payload(std::int64_t n, RtpPacket& header,
                                       std::span<std::uint8_t> out) {
    if (!dtmf_ && config_.event_payload_type != 0 && next_dtmf_ < config_.dtmf.size() &&
        n * ptime_us_ >= config_.dtmf[next_dtmf_].offset_ms * 1000) {
        auto code = dtmf_event_code(config_.dtmf[next_dtmf_].digit);
        if (code) {
            dtmf_.emplace(*code, header.timestamp_units, static_cast<std::uint16_t>(800),
                          static_cast<std::uint16_t>(samples_per_packet_));
        } else {
            ++next_dtmf_;  // parse_dtmf_schedule admits only digits; be safe anyway
        }
    }
    if (dtmf_) {
        if (auto p = dtmf_->next()) {
            header.payload_type = config_.event_payload_type;
            header.marker = p->marker;
            header.timestamp_units = p->timestamp_units;
            encode_telephone_event(p->payload, out.first<telephone_event_bytes>());
            if (dtmf_->done()) {
                dtmf_.reset();
                ++dtmf_sent_;
                ++next_dtmf_;
            }
            return telephone_event_bytes;
        }
        dtmf_.reset();
    }
    audio_.next_frame(out.first(pcmu_frame_bytes));
    return pcmu_frame_bytes;
}

std::size_t MediaStream::write_next_packet(std::int64_t now_us, std::span<std::uint8_t> out,
                                           SendTiming* timing) {
    if (!sending_ || !is_source() || now_us < next_send_us_) return 0;
    if (out.size() < rtp_header_bytes + pcmu_frame_bytes) return 0;
    const std::int64_t n = packet_index_;
    RtpPacket header;
    header.payload_type = config_.payload_type;
    header.sequence = sequence_;
    header.timestamp_units = timestamp_base_ + static_cast<std::uint32_t>(n) * samples_per_packet_;
    header.ssrc = config_.ssrc;
    header.marker = n == 0;  // the first packet of a talkspurt (RFC 3551 §4.1)
    std::array<std::uint8_t, pcmu_frame_bytes> payload;
    const std::size_t payload_bytes = write_payload(n, header, payload);
    auto written = write_rtp(header, std::span(payload).first(payload_bytes), out);
    if (!written) return 0;
    if (timing) *timing = {next_send_us_, now_us - next_send_us_};
    ++sequence_;
    ++packet_index_;
    next_send_us_ = start_us_ + (n + 1) * ptime_us_;  // from the start: no drift
    last_timestamp_ = header.timestamp_units;
    last_sent_us_ = now_us;
    ++packets_sent_;
    if (on_hold()) ++packets_sent_on_hold_;
    bytes_sent_ += payload_bytes;
    ++sent_since_report_;
    return *written;
}

std::size_t MediaStream::on_rtp(std::span<const std::uint8_t> bytes, std::int64_t arrival_us,
                                std::span<std::uint8_t> echo_out) {
    auto packet = parse_rtp(bytes);
    if (!packet) {
        ++malformed_;
        return 0;
    }
    if (!peer_ssrc_) peer_ssrc_ = packet->ssrc;
    Timing timing = Timing::measure;
    if (is_event(config_, packet->payload_type)) {
        timing = Timing::ignore;
        if (auto e = decode_telephone_event(packet->payload))
            dtmf_received_.on_packet(*e, packet->timestamp_units);
    }
    stats_.on_packet(packet->sequence, packet->timestamp_units, arrival_us, packet->payload.size(),
                     timing);
    if (started_ && arrival_us >= silence_mark_us_) {
        mark_silence(arrival_us);
        silence_marked_ = true;
    }
    if (is_source() || !sending_ || !started_) return 0;

    // Echo: the peer's payload and timing, our own SSRC, sequence numbers and timestamps.
    if (!have_first_in_ts_) {
        have_first_in_ts_ = true;
        first_in_ts_ = packet->timestamp_units;
    }
    RtpPacket echo;
    echo.payload_type = packet->payload_type;
    echo.marker = packet->marker;
    echo.sequence = sequence_;
    echo.timestamp_units = timestamp_base_ + (packet->timestamp_units - first_in_ts_);
    echo.ssrc = config_.ssrc;
    auto written = write_rtp(echo, packet->payload, echo_out);
    if (!written) return 0;
    ++sequence_;
    last_timestamp_ = echo.timestamp_units;
    last_sent_us_ = arrival_us;
    ++packets_sent_;
    bytes_sent_ += packet->payload.size();
    ++sent_since_report_;
    return *written;
}

void MediaStream::on_rtcp(std::span<const std::uint8_t> bytes, std::int64_t arrival_us,
                          std::int64_t arrival_unix_us) {
    auto compound = parse_rtcp(bytes);
    if (!compound) {
        ++malformed_;
        return;
    }
    if (config_.rtcp) rtcp_.on_received(bytes.size());
    if (compound->sender_info) {
        last_sr_.on_sender_report(compound->sender_info->ntp, arrival_us);
        peer_reported_sent_ = compound->sender_info->packet_count;
    }
    if (auto block = compound->block_for(config_.ssrc)) {
        const std::uint32_t arrival = ntp_from_unix_us(arrival_unix_us).middle32();
        if (auto rtt = rtt_ms(arrival, *block)) rtt_ms_ = *rtt;
    }
}

bool MediaStream::rtcp_due(std::int64_t now_us) const {
    return config_.rtcp && started_ && rtcp_.due(now_us);
}

std::size_t MediaStream::write_rtcp(std::int64_t now_us, std::int64_t now_unix_us,
                                    std::span<std::uint8_t> out, bool bye) {
    RtcpWriter writer(out);
    std::array<ReportBlock, 1> block;
    std::size_t blocks = 0;
    if (peer_ssrc_ && stats_.snapshot().packets > 0) {
        block[0] = make_report_block(*peer_ssrc_, stats_, last_sr_, now_us);
        blocks = 1;
    }
    PacketResult<void> ok;
    if (packets_sent_ > 0) {
        SenderInfo info;
        info.ntp = ntp_from_unix_us(now_unix_us);
        // The RTP clock at this instant, extrapolated from our last packet.
        const std::int64_t since_us = std::max<std::int64_t>(0, now_us - last_sent_us_);
        info.rtp_timestamp_units =
            last_timestamp_ + static_cast<std::uint32_t>(since_us * pcmu_clock_hz / 1000000);
        info.packet_count = static_cast<std::uint32_t>(packets_sent_);
        info.octet_count = static_cast<std::uint32_t>(bytes_sent_);
        ok = writer.add_sender_report(config_.ssrc, info, std::span(block).first(blocks));
    } else {
        ok = writer.add_receiver_report(config_.ssrc, std::span(block).first(blocks));
    }
    if (ok) ok = writer.add_sdes_cname(config_.ssrc, "pbxbench");
    if (ok && bye) ok = writer.add_bye(config_.ssrc);
    if (!ok) return 0;
    if (config_.rtcp) rtcp_.on_sent(now_us, writer.size(), sent_since_report_ > 0);
    sent_since_report_ = 0;
    return writer.size();
}

CallMediaStats MediaStream::summarize(std::int64_t end_us) const {
    CallMediaInputs in;
    in.packets_sent = packets_sent_;
    in.bytes_sent = bytes_sent_;
    in.received = stats_.snapshot();
    if (config_.peer_echoes) {
        // What we sent on hold was not to be echoed (the peer answered recvonly or inactive).
        in.peer_sent_packets = packets_sent_ - packets_sent_on_hold_;
    } else if (peer_reported_sent_) {
        // An SR counts what the peer had sent when it wrote it. When the final one (with the
        // BYE) is lost, packets sent after the last one we have still arrived: the sequence
        // numbers then know of more, and loss against the stale count would read low.
        in.peer_sent_packets = std::max<std::uint64_t>(
            *peer_reported_sent_,
            static_cast<std::uint64_t>(std::max<std::int64_t>(in.received.expected, 0)));
    }
    in.rtt_ms = rtt_ms_;
    if (started_) in.answer_time_us = answer_us_;
    in.end_time_us = end_us;
    in.expect_send = config_.may_send;
    in.expect_receive = config_.expect_receive;
    in.silence_threshold_ms = config_.silence_threshold_ms;
    if (held_ever_ && silence_marked_) {
        // The longest silence with held time taken out: a hold is a silence we asked for.
        const std::int64_t held = held_us_until(end_us);
        const std::int64_t tail = end_us - silence_mark_us_ - (held - held_at_mark_us_);
        in.max_silence_us = std::max(max_silence_outside_hold_us_, tail);
    }
    in.dtmf_sent = dtmf_sent_;
    in.dtmf_received = dtmf_received_.events();
    in.clock_hz = pcmu_clock_hz;
    return summarize_call(in);
}

}  // namespace pbxbench::media
