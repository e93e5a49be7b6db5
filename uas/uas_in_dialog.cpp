// The UasAgent's handling of requests inside a dialog: ACK, BYE, re-INVITE and the rest.
#include "uas/uas_agent.hpp"

#include "sip/sdp.hpp"

namespace pbxbench::uas {

UasAgent::CallDialog* UasAgent::find_dialog(sip::TransactionId id, const sip::Message& request,
                                            sip::TimePoint now) {
    auto it = dialogs_.find(dialog_key(request.call_id(), request.to().tag()));
    if (it == dialogs_.end() || it->second.dialog.remote_tag != request.from().tag()) {
        ++counters_.unknown_dialog;
        reply(id, request, 481, {}, now);
        return nullptr;
    }
    if (!sip::accept_remote_cseq(it->second.dialog, request.cseq().number)) {
        // §12.2.2: a CSeq lower than the last one is out of order.
        reply(id, request, 500, {}, now);
        return nullptr;
    }
    return &it->second;
}

void UasAgent::on_bye(sip::TransactionId id, const sip::Message& bye, sip::TimePoint now) {
    CallDialog* d = find_dialog(id, bye, now);
    if (!d) return;
    reply(id, bye, 200, {}, now);
    ++counters_.byes;
    end_media(d->media_id, now);
    awaiting_ack_.erase(d->invite_txn);
    dialogs_.erase(dialog_key(bye.call_id(), bye.to().tag()));
}

bool UasAgent::refuse_glare(sip::TransactionId id, const sip::Message& request, const CallDialog& d,
                            sip::TimePoint now) {
    const bool invite = request.method() == sip::Method::invite;
    // An offer of ours awaits its answer (in the ACK): a new offer now is offer glare, 491
    // (RFC 3311 §5.2 for UPDATE; RFC 6337 §3.1 for re-INVITE). The peer retries later.
    if (d.offer_pending && (invite || !request.body().empty())) {
        reply(id, request, 491, {}, now);
        return true;
    }
    // §14.2: a second INVITE while the first is unfinished (here: its 2xx not yet ACKed)
    // gets 500 with a Retry-After chosen at random between 0 and 10 s.
    if (invite && awaiting_ack_.contains(d.invite_txn)) {
        const int retry_s = static_cast<int>((session_base_ >> 16 ^ counters_.reinvite_glare) % 11);
        reply(id, request, 500, {}, now, {}, retry_s);
        return true;
    }
    return false;
}

void UasAgent::on_reinvite(sip::TransactionId id, const sip::Message& invite, sip::TimePoint now) {
    CallDialog* d = find_dialog(id, invite, now);
    if (!d) return;
    ++counters_.reinvites;
    if (refuse_glare(id, invite, *d, now)) {
        ++counters_.reinvite_glare;
        ++counters_.reinvites_refused;
        return;
    }
    // RFC 4566: the version goes up because our answer may differ from the last one we sent.
    // Without an offer (a session refresh, or a PBX asking where our media is) the 200
    // carries our offer and the ACK the answer (§14.2, RFC 3264 §8).
    auto sdp = make_sdp(invite.body(), d->media_port, d->sdp_session_id, d->sdp_version + 1);
    if (!sdp) {
        ++counters_.offers_refused;
        ++counters_.reinvites_refused;
        reply(id, invite, 488, {}, now);  // the dialog and its old session stay (§14.2)
        return;
    }
    ++d->sdp_version;
    d->offer_pending = invite.body().empty();
    std::string se;
    std::pair<std::string_view, std::string_view> timer[2];
    std::size_t n = 0;
    session_refresh_headers(*d, invite, se, timer, n);
    reply(id, invite, 200, {}, now, *sdp, -1, std::span(timer, n));
    ++counters_.reinvites_answered;
    // A new c=/m= in the offer: the echo must follow (a per-call socket latched and connected
    // to the old source would drop the new one's packets).
    if (!invite.body().empty()) peer_moved(*d, invite.body(), now);
    awaiting_ack_.erase(d->invite_txn);
    d->invite_txn = id;
    d->invite_cseq = invite.cseq().number;
    awaiting_ack_[id] = dialog_key(invite.call_id(), invite.to().tag());
}

void UasAgent::on_in_dialog(sip::TransactionId id, const sip::Message& request,
                            sip::TimePoint now) {
    CallDialog* d = find_dialog(id, request, now);
    if (!d) return;
    const bool update = request.method() == sip::Method::update;
    if (request.method() == sip::Method::options) {
        ++counters_.options;
    } else if (update) {
        ++counters_.updates;
    } else {
        ++counters_.in_dialog_other;
    }
    if (update && refuse_glare(id, request, *d, now)) {
        ++counters_.updates_refused;
        return;
    }
    if (update && !request.body().empty()) {
        // An UPDATE with an offer needs an answer in its 2xx (RFC 3311 §5.2).
        auto sdp = make_sdp(request.body(), d->media_port, d->sdp_session_id, d->sdp_version + 1);
        if (!sdp) {
            ++counters_.offers_refused;
            ++counters_.updates_refused;
            reply(id, request, 488, {}, now);
            return;
        }
        ++d->sdp_version;
        std::string se;
        std::pair<std::string_view, std::string_view> timer[2];
        std::size_t n = 0;
        session_refresh_headers(*d, request, se, timer, n);
        reply(id, request, 200, {}, now, *sdp, -1, std::span(timer, n));
        ++counters_.updates_answered;
        peer_moved(*d, request.body(), now);
        return;
    }
    std::string se;
    std::pair<std::string_view, std::string_view> timer[2];
    std::size_t n = 0;
    if (update) session_refresh_headers(*d, request, se, timer, n);
    reply(id, request, 200, {}, now, {}, -1, std::span(timer, n));
    if (update) ++counters_.updates_answered;
}

void UasAgent::on_ack(const sip::Message& ack, const sip::Address&) {
    ++counters_.acks;
    auto it = dialogs_.find(dialog_key(ack.call_id(), ack.to().tag()));
    if (it == dialogs_.end()) return;
    CallDialog& d = it->second;
    // Only the ACK of the INVITE whose 2xx we await completes it (a late retransmitted ACK
    // of an older one must not).
    if (ack.cseq().number != d.invite_cseq || !awaiting_ack_.contains(d.invite_txn)) return;
    awaiting_ack_.erase(d.invite_txn);
    if (!d.offer_pending) return;
    d.offer_pending = false;
    // The answer to the offer in our 2xx (§13.2.1); without one the old session stays.
    auto answer = sip::parse_sdp(ack.body());
    if (answer && sip::remote_audio_endpoint(*answer)) {
        ++counters_.ack_answers;
        peer_moved(d, ack.body(), now_());
    } else {
        ++counters_.ack_answers_missing;
    }
}

void UasAgent::peer_moved(const CallDialog& d, std::string_view peer_sdp, sip::TimePoint now) {
    if (config_.media && d.media_id != 0) config_.media->moved(d.media_id, peer_sdp, now);
}

void UasAgent::on_server_timeout(sip::TransactionId id, sip::TransactionTimer timer) {
    ++counters_.ack_timeouts;
    if (timer != sip::TransactionTimer::l) return;
    auto it = awaiting_ack_.find(id);
    if (it == awaiting_ack_.end()) return;
    // §13.3.1.4 says to end a dialog whose 2xx was never ACKed; the caller is gone, so we
    // drop it without a BYE rather than keep it counted as active forever.
    auto d = dialogs_.find(it->second);
    if (d != dialogs_.end()) end_media(d->second.media_id, now_());
    dialogs_.erase(it->second);
    awaiting_ack_.erase(it);
}

}  // namespace pbxbench::uas
