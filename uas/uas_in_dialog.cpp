// The UasAgent's handling of requests inside a dialog: ACK, BYE, re-INVITE and the rest.
#include "uas/uas_agent.hpp"

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

void UasAgent::on_reinvite(sip::TransactionId id, const sip::Message& invite, sip::TimePoint now) {
    CallDialog* d = find_dialog(id, invite, now);
    if (!d) return;
    ++counters_.reinvites;
    // RFC 4566: the version goes up because our answer may differ from the last one we sent.
    auto sdp = make_sdp(invite.body(), d->media_port, d->sdp_session_id, d->sdp_version + 1);
    if (!sdp) {
        ++counters_.offers_refused;
        reply(id, invite, 488, {}, now);  // the dialog and its old session stay (§14.2)
        return;
    }
    ++d->sdp_version;
    reply(id, invite, 200, {}, now, *sdp);
    awaiting_ack_.erase(d->invite_txn);
    d->invite_txn = id;
    awaiting_ack_[id] = dialog_key(invite.call_id(), invite.to().tag());
}

void UasAgent::on_in_dialog(sip::TransactionId id, const sip::Message& request,
                            sip::TimePoint now) {
    CallDialog* d = find_dialog(id, request, now);
    if (!d) return;
    if (request.method() == sip::Method::options) {
        ++counters_.options;
    } else {
        ++counters_.in_dialog_other;
    }
    if (request.method() == sip::Method::update && !request.body().empty()) {
        // An UPDATE with an offer needs an answer in its 2xx (RFC 3311 §5.2).
        auto sdp = make_sdp(request.body(), d->media_port, d->sdp_session_id, d->sdp_version + 1);
        if (!sdp) {
            ++counters_.offers_refused;
            reply(id, request, 488, {}, now);
            return;
        }
        ++d->sdp_version;
        reply(id, request, 200, {}, now, *sdp);
        return;
    }
    reply(id, request, 200, {}, now);
}

void UasAgent::on_ack(const sip::Message& ack, const sip::Address&) {
    ++counters_.acks;
    auto it = dialogs_.find(dialog_key(ack.call_id(), ack.to().tag()));
    if (it != dialogs_.end()) awaiting_ack_.erase(it->second.invite_txn);
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
