// Session timers (RFC 4028) on the caller's side: Session-Expires in the INVITE, a 422 answered
// once with the larger Min-SE, the 2xx naming the refresher; as refresher we refresh at half the
// interval by UPDATE (no SDP) or re-INVITE (the same SDP); otherwise we expect the far end's
// refreshes and send BYE when one does not come in time (§10).
#include "sip/message_builder.hpp"
#include "sip/session_timer.hpp"
#include "uac/call_core.hpp"

namespace pbxbench::uac {

namespace {

std::uint32_t micros(sip::Duration d) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    return static_cast<std::uint32_t>(std::clamp<long long>(us, 0, UINT32_MAX));
}

}  // namespace

bool UacCore::retry_with_min_se(Call& c, const sip::Message& r, sip::TimePoint now) {
    auto min_se = sip::parse_min_se(r.header("Min-SE"));
    // §7.4: retry once with the Min-SE asked for; a 422 without a larger one cannot be met.
    if (c.session_expires_s == 0 || c.retried_422 || !min_se || *min_se <= c.session_expires_s)
        return false;
    c.retried_422 = true;
    c.session_expires_s = *min_se;
    ++stats_.midcall.session_timer.retries_422;
    ++c.invite_cseq;
    c.provisional = false;
    c.phase = Phase::inviting;
    send_invite(c, now);
    return true;
}

void UacCore::start_session_timer(Call& c, const sip::Message& ok, sip::TimePoint now) {
    if (c.session_expires_s == 0) return;
    auto se = sip::parse_session_expires(ok.header("Session-Expires"));
    if (!se) return;  // §7.2: no Session-Expires in the 2xx, no session timer
    SessionTimerStats& s = stats_.midcall.session_timer;
    ++s.negotiated;
    c.session_interval_s = se->interval_s;
    // §7.2: refresher=uac names us (we sent the INVITE); the UAS must say, uac if it did not.
    c.we_refresh = se->refresher != sip::Refresher::uas;
    if (c.we_refresh) ++s.we_refresh;
    arm_session_timer(c, now);
}

void UacCore::arm_session_timer(Call& c, sip::TimePoint now) {
    if (c.session_interval_s == 0) return;
    if (c.we_refresh) {
        c.session_due = now + sip::refresh_after(c.session_interval_s);
        push({c.session_due, c.index, EventKind::session_refresh});
    } else {
        c.session_due = now + sip::expiry_bye_after(c.session_interval_s);
        push({c.session_due, c.index, EventKind::session_expiry});
    }
}

void UacCore::on_session_event(Call& c, EventKind kind, sip::TimePoint now) {
    // A later refresh re-armed the timer: this event is stale.
    if (c.phase != Phase::answered || c.session_interval_s == 0 || now < c.session_due) return;
    if (kind == EventKind::session_expiry && !c.we_refresh) {
        ++stats_.midcall.session_timer.expired;
        send_bye(c, now);
    } else if (kind == EventKind::session_refresh && c.we_refresh && !c.refresh_in_flight) {
        if (!options_.refresh_by_update && c.reinvite_in_flight) {
            // One INVITE transaction at a time (§14.1): try again once our hold/resume is done.
            c.session_due = now + std::chrono::seconds(1);
            push({c.session_due, c.index, EventKind::session_refresh});
        } else {
            send_refresh(c, now);
        }
    }
    changed(now);
}

void UacCore::send_refresh(Call& c, sip::TimePoint now) {
    const bool invite = !options_.refresh_by_update;
    std::string sdp;
    if (invite) {
        // §7.4: the same session description (same version), so nothing about media changes.
        sip::OfferParams offer;
        offer.address = sdp_host_;
        offer.rtp_port = c.media_port;
        if (media_) offer.ssrc = c.media_ssrc;
        offer.session_id = c.index + 1;
        offer.session_version = c.sdp_version;
        offer.direction = c.on_hold ? sip::Direction::sendonly : sip::Direction::sendrecv;
        sdp = sip::build_offer(offer);
    }
    const std::string se = sip::format_session_expires({c.session_interval_s, sip::Refresher::uac});
    std::pair<std::string_view, std::string_view> extra[2] = {{"Supported", "timer"},
                                                              {"Session-Expires", se}};
    std::string branch = layer_->new_branch();
    std::string request = sip::build_in_dialog_request(*c.dialog, {invite ? "INVITE" : "UPDATE",
                                                                   sent_by_,
                                                                   branch,
                                                                   {},
                                                                   callers_[c.caller].contact,
                                                                   sdp,
                                                                   std::span(extra, 2)});
    c.refresh_in_flight = true;
    c.refresh_is_invite = invite;
    c.refresh_cseq = c.dialog->local_seq;
    c.refresh_sent = now;
    ++stats_.midcall.session_timer.refreshes_sent;
    auto id = layer_->send_request(std::move(request), c.hop,
                                   invite ? sip::Method::invite : sip::Method::update, branch,
                                   cookie(c.index, Kind::refresh), now);
    if (id == 0) end(c.index, Outcome::transport_error);
}

void UacCore::on_refresh_response(Call& c, const sip::Message& r, sip::TimePoint now) {
    const int status = r.status();
    if (status < 200) return;
    if (!c.refresh_in_flight || r.cseq().number != c.refresh_cseq) {
        if (status < 300) ack_reinvite_2xx(r);
        return;
    }
    c.refresh_in_flight = false;
    SessionTimerStats& s = stats_.midcall.session_timer;
    const bool answered = c.phase == Phase::answered;
    if (status < 300) {
        if (c.refresh_is_invite) {
            c.refresh_ack = sip::build_in_dialog_request(
                *c.dialog, {"ACK", sent_by_, layer_->new_branch(), c.refresh_cseq, {}, {}});
            layer_->send_stateless(c.refresh_ack, c.hop);
        }
        ++s.refreshes_ok;
        s.refresh_latency_us.push_back(micros(now - c.refresh_sent));
        // §9: the 2xx states the interval and who refreshes from now on (uas: the far end).
        if (auto se = sip::parse_session_expires(r.header("Session-Expires"))) {
            c.session_interval_s = se->interval_s;
            c.we_refresh = se->refresher != sip::Refresher::uas;
        }
        if (answered) arm_session_timer(c, now);
        return;
    }
    if (status == 422) {
        if (auto min_se = sip::parse_min_se(r.header("Min-SE"));
            min_se && *min_se > c.session_interval_s && answered) {
            ++s.retries_422;
            c.session_interval_s = *min_se;
            send_refresh(c, now);
            return;
        }
    }
    ++s.refreshes_failed;
    ++s.failed_status[status];
    // RFC 3261 §14.1 (re-INVITE) and RFC 3311 §5.1 (UPDATE): the dialog is gone.
    if ((status == 408 || status == 481) && answered) send_bye(c, now);
}

void UacCore::on_refresh_timeout(Call& c, sip::TimePoint now) {
    if (!c.refresh_in_flight) return;
    c.refresh_in_flight = false;
    ++stats_.midcall.session_timer.refreshes_failed;
    ++stats_.midcall.session_timer.failed_status[0];
    if (c.phase == Phase::answered) send_bye(c, now);
}

void UacCore::refreshed_by_peer(Call& c, const sip::Message& request, sip::TimePoint now) {
    if (c.session_interval_s == 0) return;
    auto se = sip::parse_session_expires(request.header("Session-Expires"));
    if (!se) return;  // a re-INVITE or UPDATE without the header does not refresh (§10)
    ++stats_.midcall.session_timer.refreshes_received;
    c.session_interval_s = se->interval_s;
    // The far end sent this request: refresher=uac (or none) keeps it the refresher.
    c.we_refresh = se->refresher == sip::Refresher::uas;
    arm_session_timer(c, now);
}

}  // namespace pbxbench::uac
