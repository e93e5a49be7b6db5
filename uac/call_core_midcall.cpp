// The UacCore's own mid-call flows: hold and resume by re-INVITE (RFC 3264 §8.4, RFC 6337 §5.3:
// a=sendonly to hold, a=sendrecv to resume), the retry after 491 (RFC 3261 §14.1), the ACK of
// each 2xx and what the answer means for the media we expect back.
#include <random>

#include "sip/message_builder.hpp"
#include "uac/call_core.hpp"

namespace pbxbench::uac {

namespace {

constexpr std::string_view allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, NOTIFY";

std::uint32_t micros(sip::Duration d) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    return static_cast<std::uint32_t>(std::clamp<long long>(us, 0, UINT32_MAX));
}

// RFC 3261 §14.1: after a 491 the owner of the Call-ID waits 2.1-4 s, the other side 0-2 s,
// in units of 10 ms, so that the two re-INVITEs do not collide again.
sip::Duration glare_retry_delay(bool own_call_id) {
    static thread_local std::minstd_rand random{std::random_device{}()};
    const unsigned steps = own_call_id ? 190 : 200;
    const unsigned base_ms = own_call_id ? 2100 : 0;
    return std::chrono::milliseconds(base_ms + 10 * (random() % (steps + 1)));
}

}  // namespace

ReinviteFlowStats& UacCore::flow_stats(Reinvite what) {
    return what == Reinvite::resume ? stats_.midcall.resume : stats_.midcall.hold;
}

void UacCore::schedule_hold(Call& c, sip::TimePoint now) {
    // Only a hold that begins and ends within the call (uac_args checks the options; the
    // core stays safe with any).
    if (options_.hold_for.count() <= 0 || options_.hold_at >= options_.hold) return;
    push({now + options_.hold_at, c.index, EventKind::hold});
    if (options_.hold_at + options_.hold_for < options_.hold)
        push({now + options_.hold_at + options_.hold_for, c.index, EventKind::resume});
}

void UacCore::on_midcall_event(Call& c, EventKind kind, sip::TimePoint now) {
    if (c.phase != Phase::answered || !c.dialog) return;  // BYE already sent
    switch (kind) {
        case EventKind::hold:
            if (c.reinvite == Reinvite::none) send_reinvite(c, Reinvite::hold, now);
            break;
        case EventKind::resume:
            if (c.reinvite == Reinvite::hold) {
                c.resume_due = true;  // the hold is still being negotiated (a 491 retry)
            } else if (c.on_hold) {
                send_reinvite(c, Reinvite::resume, now);
            }
            break;
        case EventKind::reinvite_retry:
            if (c.reinvite != Reinvite::none && !c.reinvite_in_flight)
                send_reinvite(c, c.reinvite, now);
            break;
        default:
            break;
    }
    changed(now);
}

void UacCore::send_reinvite(Call& c, Reinvite what, sip::TimePoint now) {
    ReinviteFlowStats& s = flow_stats(what);
    if (c.reinvite != what) ++s.calls;  // a first try, not a retry after 491
    sip::OfferParams offer;
    offer.address = sdp_host_;
    offer.rtp_port = c.media_port;
    if (media_) offer.ssrc = c.media_ssrc;
    offer.session_id = c.index + 1;
    offer.session_version = ++c.sdp_version;
    offer.direction = what == Reinvite::hold ? sip::Direction::sendonly : sip::Direction::sendrecv;
    const std::string sdp = sip::build_offer(offer);
    std::string branch = layer_->new_branch();
    std::pair<std::string_view, std::string_view> extra[1] = {{"Allow", allow}};
    std::string invite = sip::build_in_dialog_request(
        *c.dialog,
        {"INVITE", sent_by_, branch, {}, callers_[c.caller].contact, sdp, std::span(extra, 1)});
    c.reinvite = what;
    c.reinvite_in_flight = true;
    c.reinvite_cseq = c.dialog->local_seq;
    c.reinvite_sent = now;
    ++s.sent;
    // From the moment the hold leaves, what we send is not to be echoed: the far end may stop
    // as soon as it answers, before its 2xx reaches us.
    if (what == Reinvite::hold && media_ && c.media_id != 0)
        media_->set_directions(c.media_id, true, false, now);
    auto id = layer_->send_request(std::move(invite), c.hop, sip::Method::invite, branch,
                                   cookie(c.index, Kind::reinvite), now);
    if (id == 0) end(c.index, Outcome::transport_error);
}

void UacCore::on_reinvite_response(Call& c, const sip::Message& r, sip::TimePoint now) {
    const int status = r.status();
    if (status < 200) return;
    if (!c.reinvite_in_flight || r.cseq().number != c.reinvite_cseq) {
        if (status < 300) ack_reinvite_2xx(r);
        return;
    }
    const Reinvite what = c.reinvite;
    ReinviteFlowStats& s = flow_stats(what);
    c.reinvite_in_flight = false;
    const bool answered = c.phase == Phase::answered;
    if (status < 300) {
        // §12.2.1.2: a 2xx to a re-INVITE may refresh the remote target; the ACK goes there.
        refresh_target(c, r);
        c.reinvite_ack = sip::build_in_dialog_request(
            *c.dialog, {"ACK", sent_by_, layer_->new_branch(), c.reinvite_cseq, {}, {}});
        layer_->send_stateless(c.reinvite_ack, c.hop);
        ++s.ok;
        s.latency_us.push_back(micros(now - c.reinvite_sent));
        c.reinvite = Reinvite::none;
        const sip::Direction ours =
            what == Reinvite::hold ? sip::Direction::sendonly : sip::Direction::sendrecv;
        auto remote = media_endpoint_in(r.body());
        const sip::Direction theirs = remote ? remote->direction : sip::Direction::sendrecv;
        // RFC 3264 §6.1: sendonly is answered recvonly or inactive, sendrecv by sendrecv
        // (or less); anything else means the far end did not do what we asked.
        if (what == Reinvite::hold ? sip::sends(theirs) : theirs != sip::Direction::sendrecv)
            ++s.unexpected_direction;
        c.on_hold = what == Reinvite::hold;
        if (media_ && c.media_id != 0)
            media_->set_directions(c.media_id, sip::may_send(ours, theirs),
                                   sip::expects_receive(ours, theirs), now);
        if (remote) follow(c, std::move(*remote));
        if (what == Reinvite::hold && c.resume_due && answered) {
            c.resume_due = false;
            send_reinvite(c, Reinvite::resume, now);
        }
        return;
    }
    if (status == 491) {
        // Glare: the far end had an offer of its own in flight. Retry the same request later;
        // meanwhile the session is what it was, so the echo is expected again.
        ++s.glare_491;
        const sip::Duration delay = glare_retry_delay(true);  // our Call-ID: we sent the INVITE
        s.glare_delay_us.push_back(micros(delay));
        if (what == Reinvite::hold && media_ && c.media_id != 0)
            media_->set_directions(c.media_id, true, true, now);
        if (answered) {
            push({now + delay, c.index, EventKind::reinvite_retry});
        }
        return;
    }
    ++s.failed;
    ++s.failed_status[status];
    c.reinvite = Reinvite::none;
    c.resume_due = false;
    if (status == 408 || status == 481) {
        // §14.1: the dialog is gone (or unreachable): end it.
        if (answered) send_bye(c, now);
        return;
    }
    // §14.1: any other failure leaves the session as it was before the re-INVITE.
    if (what == Reinvite::hold && media_ && c.media_id != 0)
        media_->set_directions(c.media_id, true, true, now);
}

void UacCore::on_reinvite_timeout(Call& c, sip::TimePoint now) {
    if (!c.reinvite_in_flight) return;
    ++flow_stats(c.reinvite).timeouts;
    c.reinvite_in_flight = false;
    c.reinvite = Reinvite::none;
    c.resume_due = false;
    // §14.1: no response at all to a re-INVITE ends the dialog.
    if (c.phase == Phase::answered) send_bye(c, now);
}

bool UacCore::ack_reinvite_2xx(const sip::Message& r) {
    if (r.cseq().method != sip::Method::invite || r.status() < 200 || r.status() >= 300)
        return false;
    auto index = index_of(r.call_id());
    if (!index) return false;
    if (const Call* c = find(*index)) {
        if (r.cseq().number == c->invite_cseq) return false;  // the initial INVITE's 2xx
        if (r.cseq().number == c->refresh_cseq && !c->refresh_ack.empty()) {
            layer_->send_stateless(c->refresh_ack, c->hop);
            return true;
        }
        if (r.cseq().number == c->reinvite_cseq && !c->reinvite_ack.empty()) {
            layer_->send_stateless(c->reinvite_ack, c->hop);
            return true;
        }
        // Neither ours: the caller's old handling (ACK of the current INVITE) applies.
        return false;
    }
    auto it = orphan_reinvites_.find(*index);
    if (it == orphan_reinvites_.end() || it->second.cseq != r.cseq().number) return false;
    std::string ack = sip::build_in_dialog_request(
        it->second.dialog, {"ACK", sent_by_, layer_->new_branch(), it->second.cseq, {}, {}});
    layer_->send_stateless(ack, it->second.hop);
    orphan_reinvites_.erase(it);
    return true;
}

void UacCore::abandon_midcall(const Call& c) {
    if (c.reinvite == Reinvite::none) return;
    ++flow_stats(c.reinvite).abandoned;
    if (c.reinvite_in_flight && c.dialog)
        orphan_reinvites_[c.index] = {*c.dialog, c.hop, c.reinvite_cseq};
}

}  // namespace pbxbench::uac
