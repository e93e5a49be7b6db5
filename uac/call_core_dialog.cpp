// The UacCore as a phone inside its dialogs: requests from the far end (BYE, re-INVITE, UPDATE,
// OPTIONS, ...), RFC 3264 offer/answer on them, and where each call's media came from.
#include <random>

#include "sip/message_builder.hpp"
#include "sip/session_timer.hpp"
#include "uac/call_core.hpp"

namespace pbxbench::uac {

namespace {

constexpr std::string_view allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, NOTIFY";

bool same_place(const sip::MediaEndpoint& a, const sip::MediaEndpoint& b) {
    return a.address == b.address && a.rtp_port == b.rtp_port && a.rtcp_address == b.rtcp_address &&
           a.rtcp_port == b.rtcp_port && a.rtcp_mux == b.rtcp_mux;
}

}  // namespace

std::optional<sip::MediaEndpoint> media_endpoint_in(std::string_view body) {
    auto sdp = sip::parse_sdp(body);
    if (!sdp) return std::nullopt;
    auto ep = sip::remote_audio_endpoint(*sdp);
    if (!ep || !sip::make_address(ep->address, ep->rtp_port) ||
        !sip::make_address(ep->rtcp_address, ep->rtcp_port))
        return std::nullopt;
    return std::move(*ep);
}

void UacCore::on_request(sip::TransactionId id, const sip::Message& request, const sip::Address&) {
    const sip::TimePoint now = now_();
    const sip::Method method = request.method();
    auto index = index_of(request.call_id());
    Call* c = index ? find(*index) : nullptr;
    if (method == sip::Method::bye) {
        // A BYE from the callee ends the call as completed from our side.
        if (c != nullptr) {
            reply(id, request, 200, now, c);
            end(*index, Outcome::completed);
        } else {
            reply(id, request, is_ours(request.call_id()) ? 481 : 200, now);
        }
        changed(now);
        return;
    }
    const bool in_dialog = !request.to().tag().empty();
    if (in_dialog && (c == nullptr || !c->dialog || request.to().tag() != c->dialog->local_tag)) {
        reply(id, request, 481, now);  // §12.2.2: no such dialog
        changed(now);
        return;
    }
    if (in_dialog && !sip::accept_remote_cseq(*c->dialog, request.cseq().number)) {
        if (method == sip::Method::invite || method == sip::Method::update) {
            // An offer we refused all the same: counted like a 488, so summary.md shows it.
            ++stats_.subscribers.updates.received;
            ++stats_.subscribers.updates.refused;
        }
        reply(id, request, 500, now, c);  // §12.2.2: out of order
        changed(now);
        return;
    }
    if (in_dialog && (method == sip::Method::invite || method == sip::Method::update)) {
        on_in_dialog_offer(id, *c, request, now);
    } else if (method == sip::Method::options || method == sip::Method::info ||
               method == sip::Method::notify) {
        reply(id, request, 200, now, c);
    } else {
        reply(id, request, 405, now, c);
    }
    changed(now);
}

void UacCore::on_in_dialog_offer(sip::TransactionId id, Call& c, const sip::Message& request,
                                 sip::TimePoint now) {
    DialogUpdateStats& s = stats_.subscribers.updates;
    ++s.received;
    const bool reinvite = request.method() == sip::Method::invite;
    if (c.offer_in_2xx_pending || c.reinvite_in_flight ||
        (c.refresh_in_flight && c.refresh_is_invite)) {
        // RFC 3261 §14.2 / RFC 6337: our offer (in a 2xx, or our own re-INVITE) is still
        // unanswered, a new offer is glare.
        ++s.glare;
        reply(id, request, 491, now, &c);
        return;
    }
    if (request.body().empty()) {
        if (!reinvite) {
            ++s.answered;
            refresh_target(c, request);
            reply(id, request, 200, now, &c);
            refreshed_by_peer(c, request, now);
            return;
        }
        // An SDP-less re-INVITE asks us to offer in the 2xx; the answer comes in the ACK.
        ++s.answered;
        c.offer_in_2xx_pending = true;
        c.offer_txn = id;
        refresh_target(c, request);
        reply(id, request, 200, now, &c, our_offer(c));
        refreshed_by_peer(c, request, now);
        return;
    }
    auto remote = media_endpoint_in(request.body());
    auto offer = sip::parse_sdp(request.body());
    std::optional<std::string> answer;
    if (remote && offer) {
        sip::AnswerParams a;
        a.address = sdp_host_;
        a.rtp_port = c.media_port;
        a.session_id = c.index + 1;
        a.session_version = c.sdp_version + 1;
        if (media_) a.ssrc = c.media_ssrc;
        if (auto built = sip::build_answer(*offer, a)) answer = std::move(*built);
    }
    if (!answer) {
        ++s.refused;
        reply(id, request, 488, now, &c);  // the old session stays (RFC 3261 §14.2)
        return;
    }
    ++c.sdp_version;
    ++s.answered;
    refresh_target(c, request);
    reply(id, request, 200, now, &c, *answer);
    follow(c, std::move(*remote));
    refreshed_by_peer(c, request, now);
}

void UacCore::on_ack(const sip::Message& ack, const sip::Address&) {
    auto index = index_of(ack.call_id());
    Call* c = index ? find(*index) : nullptr;
    if (c == nullptr || !c->offer_in_2xx_pending) return;
    c->offer_in_2xx_pending = false;
    if (auto remote = media_endpoint_in(ack.body())) {
        follow(*c, std::move(*remote));
    } else {
        ++stats_.subscribers.updates.refused;  // an ACK without a usable answer (§13.2.1)
    }
}

void UacCore::on_server_timeout(sip::TransactionId id, sip::TransactionTimer) {
    // Timer L: the 2xx carrying our offer was never ACKed (§13.3.1.4). That offer is void, or
    // every later offer from the far end would be refused as glare for the rest of the call.
    for (auto& [index, c] : calls_) {
        if (!c.offer_in_2xx_pending || c.offer_txn != id) continue;
        c.offer_in_2xx_pending = false;
        ++stats_.subscribers.updates.refused;
    }
}

std::string UacCore::our_offer(Call& c) {
    sip::OfferParams offer;
    offer.address = sdp_host_;
    offer.rtp_port = c.media_port;
    if (media_) offer.ssrc = c.media_ssrc;
    offer.session_id = c.index + 1;
    offer.session_version = ++c.sdp_version;
    return sip::build_offer(offer);
}

void UacCore::reply(sip::TransactionId id, const sip::Message& request, int status,
                    sip::TimePoint now, const Call* c, std::string_view sdp) {
    sip::MessageBuilder b = sip::response_to(request, status, {});
    if (c != nullptr && status >= 200 && status < 300 && request.method() == sip::Method::invite)
        b.header("Contact", "<", callers_[c->caller].contact, ">");
    if (status == 405 || (status >= 200 && status < 300 && !sdp.empty())) b.header("Allow", allow);
    const std::string_view se = request.header("Session-Expires");
    if (c != nullptr && c->session_interval_s > 0 && status >= 200 && status < 300 && !se.empty()) {
        // RFC 4028 §9: a refresh's 2xx carries the interval and refresher it accepted.
        if (auto asked = sip::parse_session_expires(se)) {
            if (asked->refresher == sip::Refresher::none) asked->refresher = sip::Refresher::uac;
            b.header("Require", "timer");
            b.header("Session-Expires", sip::format_session_expires(*asked));
        }
    }
    if (status == 500 && c != nullptr) {
        // §14.2: Retry-After a random 0-10 s, so both sides do not retry in step.
        static thread_local std::minstd_rand random{std::random_device{}()};
        b.header("Retry-After", static_cast<unsigned>(random() % 11));
    }
    layer_->respond(id, b.finish(sdp), status, now);
}

void UacCore::follow(Call& c, sip::MediaEndpoint remote) {
    if (c.remote_media && same_place(*c.remote_media, remote)) {
        c.remote_media = std::move(remote);  // a direction change only: the stream goes on
        return;
    }
    if (media_ && c.media_id != 0) {
        if (c.remote_media) {
            media_->retarget(c.media_id, remote);
            ++stats_.subscribers.updates.moved;
        } else {
            media_->start(c.media_id, remote, now_());  // the first usable SDP of this call
        }
    } else if (c.remote_media) {
        ++stats_.subscribers.updates.moved;
    }
    c.remote_media = std::move(remote);
}

void UacCore::record_media_path(const Call& c) {
    if (!c.remote_media) return;  // never answered with media: no path to speak of
    MediaPathStats& s = stats_.subscribers.media_path;
    auto source = media_->rtp_source(c.media_id);
    if (!source) {
        ++s.unknown;  // nothing came back
        return;
    }
    if (source->changes > 0) ++s.source_changed;
    if (!options_.peer_media) {
        ++s.unknown;
        return;
    }
    const auto& peer = *options_.peer_media;
    const std::uint16_t port = source->last.port;
    std::string host = source->last.host();
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    if (host == peer.host && port >= peer.min && port <= peer.max + 1) {
        ++s.direct;
    } else {
        ++s.relayed;
        ++s.relays[host];
    }
}

}  // namespace pbxbench::uac
