#include "uac/engine_media.hpp"

namespace pbxbench::uac {

namespace {

// The RTP and RTCP addresses of an SDP endpoint; nullopt if either does not resolve.
std::optional<std::pair<sip::Address, sip::Address>> addresses(const sip::MediaEndpoint& remote) {
    auto rtp = sip::make_address(remote.address, remote.rtp_port);
    auto rtcp = sip::make_address(remote.rtcp_address, remote.rtcp_port);
    if (!rtp || !rtcp) return std::nullopt;
    return std::pair{*rtp, *rtcp};
}

}  // namespace

std::optional<UacMediaSlot> EngineMedia::allocate() {
    auto a = engine_.allocate();
    if (!a) return std::nullopt;  // counted by the engine as a port failure
    return UacMediaSlot{a->id, a->port, a->ssrc};
}

void EngineMedia::start(std::uint32_t id, const sip::MediaEndpoint& remote, sip::TimePoint now) {
    auto where = addresses(remote);
    if (!where) return;
    media::StreamSpec spec;
    spec.config.role = media::StreamRole::source;
    spec.config.may_send = sip::may_send(sip::Direction::sendrecv, remote.direction);
    spec.config.expect_receive = sip::expects_receive(sip::Direction::sendrecv, remote.direction);
    spec.config.peer_echoes = options_.media_peer_echoes;
    spec.config.event_payload_type = sip::telephone_event_payload_type(remote.formats);
    spec.config.dtmf = options_.dtmf;
    spec.config.silence_threshold_ms = options_.silence_threshold_ms;
    spec.remote_rtp = where->first;
    spec.remote_rtcp = where->second;
    spec.rtcp_mux = remote.rtcp_mux;
    spec.peer_ssrc = remote.ssrc;
    engine_.start(id, std::move(spec), media::to_us(now));
}

void EngineMedia::retarget(std::uint32_t id, const sip::MediaEndpoint& remote) {
    if (auto where = addresses(remote))
        engine_.retarget(id, where->first, where->second, remote.rtcp_mux);
}

std::optional<UacRtpSource> EngineMedia::rtp_source(std::uint32_t id) const {
    auto s = engine_.rtp_source(id);
    if (!s) return std::nullopt;
    return UacRtpSource{s->last, s->changes};
}

std::optional<UacReceiveProgress> EngineMedia::receive_progress(std::uint32_t id) const {
    auto r = engine_.received(id);
    if (!r) return std::nullopt;
    UacReceiveProgress p;
    p.packets = r->packets;
    // The engine's arrival times are on the steady clock in microseconds, like sip::TimePoint.
    if (r->first_arrival_us >= 0)
        p.first_arrival = sip::TimePoint(std::chrono::microseconds(r->first_arrival_us));
    return p;
}

void EngineMedia::end(std::uint32_t id, sip::TimePoint now) {
    engine_.end(id, media::to_us(now));
}

}  // namespace pbxbench::uac
