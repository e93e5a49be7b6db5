// Early media: a 183 (or any 18x) carrying the SDP answer lets media flow before the 2xx
// (RFC 3261 §13.2.1, RFC 3960's gateway model). We start our stream on it, count what arrives
// before the answer, and take the 2xx's SDP as confirmation or a move. Reliable provisionals
// (PRACK, RFC 3262) are not used: the 1xx may be lost, and then the 2xx starts the media.
#include "uac/call_core.hpp"

namespace pbxbench::uac {

namespace {

std::uint32_t micros(sip::Duration d) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    return static_cast<std::uint32_t>(std::clamp<long long>(us, 0, UINT32_MAX));
}

bool same_media_place(const sip::MediaEndpoint& a, const sip::MediaEndpoint& b) {
    return a.address == b.address && a.rtp_port == b.rtp_port && a.rtcp_address == b.rtcp_address &&
           a.rtcp_port == b.rtcp_port;
}

}  // namespace

void UacCore::on_early_answer(Call& c, const sip::Message& r, sip::TimePoint now) {
    auto remote = media_endpoint_in(r.body());
    if (!remote) return;  // an 18x with a body we cannot use: wait for the 2xx
    c.early_media = true;
    ++stats_.midcall.early_media.calls;
    if (media_ && c.media_id != 0) media_->start(c.media_id, *remote, now);
    c.remote_media = std::move(*remote);
}

void UacCore::on_answer_after_early_media(Call& c, const sip::Message& r) {
    EarlyMediaStats& s = stats_.midcall.early_media;
    if (media_ && c.media_id != 0) {
        if (auto p = media_->receive_progress(c.media_id); p && p->packets > 0) {
            ++s.calls_with_rtp;
            s.packets_before_answer += p->packets;
            if (p->first_arrival)
                s.first_rtp_us.push_back(micros(*p->first_arrival - c.invite_sent));
        }
    }
    auto remote = media_endpoint_in(r.body());
    if (!remote) {
        // §13.2.1: the answer was the 1xx's; a 2xx without SDP keeps that session.
        ++s.answer_without_sdp;
        return;
    }
    if (c.remote_media && same_media_place(*c.remote_media, *remote)) {
        ++s.answer_matched;
        c.remote_media = std::move(*remote);
        return;
    }
    ++s.answer_retargeted;
    if (media_ && c.media_id != 0) media_->retarget(c.media_id, *remote);
    c.remote_media = std::move(*remote);
}

}  // namespace pbxbench::uac
