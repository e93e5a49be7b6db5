#include "uas/uas_agent.hpp"

#include "sip/digest.hpp"
#include "sip/message_builder.hpp"
#include "sip/sdp.hpp"

namespace pbxbench::uas {

namespace {

constexpr std::string_view allow =
    "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE, NOTIFY, MESSAGE";

}  // namespace

UasAgent::UasAgent(AgentConfig config, NowFn now)
    : config_(std::move(config)), now_(std::move(now)) {
    // Random prefixes keep tags and SDP session ids unique across endpoints and runs.
    std::string random = sip::make_cnonce();
    tag_prefix_ = random.substr(0, 8) + ".";
    session_base_ = std::stoull(random.substr(8, 8), nullptr, 16) << 16;
}

UasAgent::~UasAgent() = default;

std::string UasAgent::dialog_key(std::string_view call_id, std::string_view local_tag) {
    std::string key;
    key.reserve(call_id.size() + local_tag.size() + 1);
    key.append(call_id).push_back('\x1f');
    key.append(local_tag);
    return key;
}

void UasAgent::attach(sip::TransactionLayer& layer, const std::string& sent_by) {
    layer_ = &layer;
    sent_by_ = sent_by;
    contact_uri_ = "sip:" + config_.user + "@" + sent_by;
    if (config_.registration) {
        sip::RegistrationConfig rc = *config_.registration;
        rc.contact_uri = contact_uri_;
        registration_ =
            std::make_unique<sip::Registration>(layer, sent_by, std::move(rc), registration_cookie);
    }
}

void UasAgent::forward_to_registration(const std::function<void(sip::Registration&)>& f) {
    if (!registration_) return;
    auto before = registration_->state();
    auto successes = registration_->successes();
    f(*registration_);
    if (registration_->successes() != successes) ++counters_.registrations_ok;
    if (registration_->state() == sip::Registration::State::failed &&
        before != sip::Registration::State::failed) {
        ++counters_.registrations_failed;
    }
    if (auto next = registration_->next_deadline()) schedule(*next);
    if (on_registration_event) on_registration_event(*this);
}

void UasAgent::start_registration(sip::TimePoint now) {
    forward_to_registration([now](sip::Registration& r) { r.start(now); });
}

void UasAgent::unregister(sip::TimePoint now) {
    forward_to_registration([now](sip::Registration& r) { r.unregister(now); });
}

void UasAgent::on_response(sip::TransactionId id, std::uint64_t cookie,
                           const sip::Message& response) {
    // We send REGISTER and session refreshes (UPDATE, no ACK); a retransmitted final (id 0)
    // needs nothing from us.
    if (id == 0) return;
    sip::TimePoint now = now_();
    if (cookie == session_refresh_cookie) {
        on_refresh_response(response, now);
        return;
    }
    if (cookie != registration_cookie) return;
    forward_to_registration([&](sip::Registration& r) { r.on_response(response, now); });
}

void UasAgent::on_client_timeout(sip::TransactionId id, std::uint64_t cookie,
                                 sip::TransactionTimer timer) {
    if (cookie == session_refresh_cookie) ++counters_.session_refreshes_failed;
    if (cookie != registration_cookie) return;
    forward_to_registration([&](sip::Registration& r) { r.on_timeout(id, timer); });
}

void UasAgent::on_transport_error(sip::TransactionId id, std::uint64_t cookie) {
    if (cookie != registration_cookie) return;
    forward_to_registration([&](sip::Registration& r) { r.on_transport_error(id); });
}

void UasAgent::schedule(sip::TimePoint when) {
    if (on_wake) on_wake(when);
}

void UasAgent::advance(sip::TimePoint now) {
    while (!ring_due_.empty() && ring_due_.top().when <= now) {
        sip::TransactionId id = ring_due_.top().id;
        ring_due_.pop();
        auto it = pending_.find(id);
        if (it == pending_.end()) continue;  // cancelled meanwhile
        PendingCall call = std::move(it->second);
        pending_.erase(it);
        auto invite = sip::Message::parse(call.invite);
        if (invite) answer(id, *invite, std::move(call), now);
    }
    send_due_refreshes(now);
    if (registration_ && registration_->next_deadline() && *registration_->next_deadline() <= now) {
        forward_to_registration([now](sip::Registration& r) { r.advance(now); });
    }
}

std::optional<sip::TimePoint> UasAgent::next_deadline() const {
    std::optional<sip::TimePoint> next;
    if (!ring_due_.empty()) next = ring_due_.top().when;
    if (!session_due_.empty() && (!next || session_due_.top().when < *next))
        next = session_due_.top().when;
    if (registration_) {
        auto r = registration_->next_deadline();
        if (r && (!next || *r < *next)) next = r;
    }
    return next;
}

UasCounters UasAgent::counters() const {
    UasCounters c = counters_;
    if (layer_) {
        c.retransmissions_sent = layer_->counters().retransmissions_sent;
        c.retransmissions_received = layer_->counters().retransmissions_received;
        c.parse_errors = layer_->counters().parse_errors;
    }
    return c;
}

void UasAgent::on_request(sip::TransactionId id, const sip::Message& request, const sip::Address&) {
    sip::TimePoint now = now_();
    const bool in_dialog = !request.to().tag().empty();
    switch (request.method()) {
        case sip::Method::invite:
            in_dialog ? on_reinvite(id, request, now) : on_invite(id, request, now);
            return;
        case sip::Method::cancel:
            on_cancel(id, request, now);
            return;
        case sip::Method::bye:
            on_bye(id, request, now);
            return;
        case sip::Method::options:
            if (in_dialog) {
                on_in_dialog(id, request, now);
                return;
            }
            ++counters_.options;
            reply(id, request, 200, {}, now);
            return;
        case sip::Method::message:
            if (!in_dialog) {
                on_message(id, request, now);
                return;
            }
            on_in_dialog(id, request, now);
            return;
        default:
            if (in_dialog) {
                on_in_dialog(id, request, now);
                return;
            }
            reply(id, request, 405, {}, now);
            return;
    }
}

void UasAgent::on_invite(sip::TransactionId id, const sip::Message& invite, sip::TimePoint now) {
    ++counters_.invites_received;
    const std::uint64_t k = invite_seq_++;
    // 100 at once stops the caller's INVITE retransmissions (§17.1.1.2), even while ringing.
    reply(id, invite, 100, {}, now);
    std::string to_tag = tag_prefix_;
    sip::append_uint(to_tag, ++tag_counter_);
    if (stopping_) {
        ++counters_.refused_stopping;
        reply(id, invite, 503, to_tag, now);
        return;
    }
    if (rejects_call(k, config_.reject_ratio_ppm)) {
        ++counters_.rejected;
        reply(id, invite, config_.reject_code, to_tag, now);
        return;
    }
    auto dialog = sip::make_uas_dialog(invite, to_tag);
    if (!dialog) {
        reply(id, invite, 400, to_tag, now);  // no usable Contact: no dialog possible
        return;
    }
    std::uint16_t port = 0;
    std::optional<std::uint32_t> ssrc;
    std::uint32_t media_id = 0;
    if (config_.media) {
        auto slot = config_.media->allocate();
        if (!slot) {
            ++counters_.media_ports_exhausted;
            reply(id, invite, 503, to_tag, now);
            return;
        }
        port = slot->port;
        ssrc = slot->ssrc;
        media_id = slot->id;
    } else {
        port = next_media_port();
    }
    const std::uint64_t session_id = session_base_ + tag_counter_;
    auto sdp = make_sdp(invite.body(), port, session_id, 1, ssrc);
    if (!sdp) {
        ++counters_.offers_refused;
        end_media(media_id, now);
        reply(id, invite, 488, to_tag, now);
        return;
    }
    PendingCall call{std::string(invite.raw()),
                     std::move(to_tag),
                     std::move(*sdp),
                     std::move(*dialog),
                     port,
                     session_id,
                     media_id,
                     false,
                     {},
                     false};
    if (!accept_session_expires(id, invite, call.to_tag, call, now)) {
        end_media(media_id, now);
        return;
    }
    if (config_.early_media.count() > 0 && !invite.body().empty()) {
        // 183 Session Progress with the answer, and the echo from now: the caller hears
        // (its own) media before the 200 (RFC 3261 §13.3.1.1, early media without PRACK).
        reply(id, invite, 183, call.to_tag, now, call.sdp);
        ++counters_.early_media_calls;
        if (config_.media && call.media_id != 0) {
            config_.media->start(call.media_id, invite.body(), now);
            call.media_started = true;
        }
        pending_.emplace(id, std::move(call));
        ring_due_.push({now + config_.early_media, id});
        schedule(now + config_.early_media);
        return;
    }
    if (config_.send_180) reply(id, invite, 180, call.to_tag, now);
    if (config_.ring.count() <= 0) {
        answer(id, invite, std::move(call), now);
        return;
    }
    pending_.emplace(id, std::move(call));
    ring_due_.push({now + config_.ring, id});
    schedule(now + config_.ring);
}

void UasAgent::answer(sip::TransactionId id, const sip::Message& invite, PendingCall call,
                      sip::TimePoint now) {
    // The layer retransmits this 2xx until the ACK comes (§13.3.1.4, see docs/sip.md).
    std::pair<std::string_view, std::string_view> timer[2];
    std::size_t n = 0;
    if (!call.session_expires.empty()) {
        if (call.require_timer) timer[n++] = {"Require", "timer"};
        timer[n++] = {"Session-Expires", call.session_expires};
        ++counters_.session_timers;
    }
    reply(id, invite, 200, call.to_tag, now, call.sdp, -1, std::span(timer, n));
    ++counters_.answered;
    CallDialog d;
    d.dialog = std::move(call.dialog);
    d.invite_txn = id;
    d.invite_cseq = invite.cseq().number;
    d.media_port = call.media_port;
    d.sdp_session_id = call.sdp_session_id;
    d.media_id = call.media_id;
    d.offer_pending = invite.body().empty();  // our 200 carried the offer
    d.session_timer = !call.session_expires.empty();
    d.session_interval_s = call.session_interval_s;
    d.we_refresh = call.we_refresh;
    if (config_.media && call.media_id != 0 && !call.media_started)
        config_.media->start(call.media_id, invite.body(), now);
    std::string key = dialog_key(d.dialog.call_id, d.dialog.local_tag);
    awaiting_ack_[id] = key;
    if (d.we_refresh) arm_session_refresh(d, key, now);
    dialogs_[std::move(key)] = std::move(d);
}

void UasAgent::on_cancel(sip::TransactionId id, const sip::Message& cancel, sip::TimePoint now) {
    sip::TransactionId invite_id = layer_->find_invite_for_cancel(cancel);
    if (invite_id == 0) {
        ++counters_.unknown_dialog;
        reply(id, cancel, 481, {}, now);
        return;
    }
    auto it = pending_.find(invite_id);
    // §9.2: the CANCEL's 200 carries the To tag of our responses to the INVITE.
    std::string_view to_tag =
        it != pending_.end() ? std::string_view(it->second.to_tag) : std::string_view{};
    reply(id, cancel, 200, to_tag, now);
    if (it == pending_.end()) return;  // already answered: the CANCEL has no effect (§9.2)
    auto invite = sip::Message::parse(it->second.invite);
    if (invite) reply(invite_id, *invite, 487, it->second.to_tag, now);
    end_media(it->second.media_id, now);
    pending_.erase(it);
    ++counters_.cancelled;
}

void UasAgent::reply(sip::TransactionId id, const sip::Message& request, int status,
                     std::string_view to_tag, sip::TimePoint now, std::string_view sdp,
                     int retry_after_s,
                     std::span<const std::pair<std::string_view, std::string_view>> extra) {
    sip::MessageBuilder b = sip::response_to(request, status, to_tag);
    const bool invite = request.method() == sip::Method::invite;
    if (invite && status > 100 && status < 300) {
        // §12.1.1: the caller's route set comes from the Record-Route we copy back.
        for (const sip::HeaderField& h : request.headers()) {
            if (h.id == sip::HeaderId::record_route) b.header("Record-Route", h.value);
        }
    }
    if ((invite && status > 100 && status < 300) ||
        (request.method() == sip::Method::update && status == 200)) {
        b.header("Contact", "<", contact_uri_, ">");  // our remote target (§12.1.1, RFC 3311)
    }
    if (status == 405 || (status == 200 && (invite || request.method() == sip::Method::options))) {
        b.header("Allow", allow);
    }
    if (status == 200 && request.method() == sip::Method::options)
        b.header("Accept", "application/sdp");
    if (status == 503) b.header("Retry-After", 5);
    if (retry_after_s >= 0) b.header("Retry-After", retry_after_s);
    for (const auto& [name, value] : extra) b.header(name, value);
    b.header("Server", "pbxbench/" PBXBENCH_VERSION);
    std::string bytes = sdp.empty() ? b.finish() : b.finish(sdp);
    layer_->respond(id, std::move(bytes), status, now);
}

void UasAgent::end_media(std::uint32_t media_id, sip::TimePoint now) {
    if (config_.media && media_id != 0) config_.media->end(media_id, now);
}

std::optional<std::string> UasAgent::make_sdp(std::string_view offer_body, std::uint16_t port,
                                              std::uint64_t session_id, std::uint64_t version,
                                              std::optional<std::uint32_t> ssrc) const {
    if (offer_body.empty()) {
        // No offer in the INVITE: ours goes in the 200 and the answer comes in the ACK (§13.2.1).
        sip::OfferParams p;
        p.address = config_.media_address;
        p.rtp_port = port;
        p.session_id = session_id;
        p.session_version = version;
        p.ssrc = ssrc;
        return sip::build_offer(p);
    }
    auto offer = sip::parse_sdp(offer_body);
    if (!offer) return std::nullopt;
    sip::AnswerParams p;
    p.address = config_.media_address;
    p.rtp_port = port;
    p.session_id = session_id;
    p.session_version = version;
    p.ssrc = ssrc;
    auto answer = sip::build_answer(*offer, p);
    if (!answer) return std::nullopt;
    return std::move(*answer);
}

std::uint16_t UasAgent::next_media_port() {
    // Even ports (RTP), RTCP on the odd one above; the range wraps around.
    const unsigned slots = std::max(1, config_.media_port_count / 2);
    return static_cast<std::uint16_t>(config_.media_first_port + 2 * (media_counter_++ % slots));
}

}  // namespace pbxbench::uas
