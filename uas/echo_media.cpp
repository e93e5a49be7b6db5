#include "uas/echo_media.hpp"

#include "sip/sdp.hpp"
#include "sip/text.hpp"

namespace pbxbench::uas {

std::optional<MediaSlot> EchoMedia::allocate() {
    auto a = engine_.allocate();
    if (!a) return std::nullopt;
    return MediaSlot{a->id, a->port, a->ssrc};
}

void EchoMedia::start(std::uint32_t id, std::string_view offer_sdp, sip::TimePoint answered) {
    media::StreamSpec spec;
    spec.config.role = media::StreamRole::echo;
    spec.config.event_payload_type = 0;
    // What the offer says about the caller; without one (late offer) we echo a sendrecv peer.
    sip::Direction theirs = sip::Direction::sendrecv;
    if (auto sdp = sip::parse_sdp(offer_sdp)) {
        if (auto ep = sip::remote_audio_endpoint(*sdp)) {
            theirs = ep->direction;
            spec.peer_ssrc = ep->ssrc;
            spec.rtcp_mux = ep->rtcp_mux;
            if (auto a = sip::make_address(ep->address, ep->rtp_port)) spec.remote_rtp = *a;
            if (auto a = sip::make_address(ep->rtcp_address, ep->rtcp_port)) spec.remote_rtcp = *a;
            spec.config.event_payload_type = sip::telephone_event_payload_type(ep->formats);
        }
    }
    const sip::Direction ours = sip::answer_direction(theirs);
    spec.config.may_send = sip::may_send(ours, theirs);
    spec.config.expect_receive = sip::expects_receive(ours, theirs);
    spec.latch = true;  // echo to where packets come from, as relays expect (symmetric RTP)
    engine_.start(id, std::move(spec), media::to_us(answered));
}

void EchoMedia::moved(std::uint32_t id, std::string_view peer_sdp, sip::TimePoint now) {
    auto parsed = sip::parse_sdp(peer_sdp);
    if (!parsed) return;
    auto ep = sip::remote_audio_endpoint(*parsed);
    if (!ep) return;
    // Hold and resume (RFC 3264 §8.4): a sendonly or inactive peer gets recvonly or inactive
    // from us and no echo until it offers sendrecv again; the echo's numbering carries on.
    const sip::Direction ours = sip::answer_direction(ep->direction);
    engine_.set_directions(id, sip::may_send(ours, ep->direction),
                           sip::expects_receive(ours, ep->direction), media::to_us(now));
    auto rtp = sip::make_address(ep->address, ep->rtp_port);
    auto rtcp = sip::make_address(ep->rtcp_address, ep->rtcp_port);
    if (rtp && rtcp) engine_.retarget(id, *rtp, *rtcp, ep->rtcp_mux);
}

void EchoMedia::end(std::uint32_t id, sip::TimePoint now) {
    engine_.end(id, media::to_us(now));
}

}  // namespace pbxbench::uas
