#include "uac/call_batch.hpp"

#include <cmath>
#include <random>

#include "sip/digest.hpp"
#include "sip/message_builder.hpp"
#include "sip/sdp.hpp"
#include "sip/text.hpp"
#include "sip/uri.hpp"

namespace pbxbench::uac {

namespace {

using sip::Clock;
using sip::TimePoint;

std::uint32_t micros(sip::Duration d) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    return static_cast<std::uint32_t>(std::clamp<long long>(us, 0, UINT32_MAX));
}

// Calls chosen for a share r: call k is chosen iff floor((k+1)r) > floor(kr), which picks
// exactly floor(n*r) of the first n calls, evenly spread, and none at all when r is 0.
bool chosen(std::uint64_t k, double r) {
    return r > 0 &&
           std::floor(static_cast<double>(k + 1) * r) > std::floor(static_cast<double>(k) * r);
}

// Resolves where a dialog's requests go: the first route or the remote target, numerically.
sip::Address hop_of(const sip::Dialog& d, const sip::Address& fallback) {
    auto uri = sip::parse_uri(sip::next_hop_uri(d));
    if (!uri || !uri->is_sip()) return fallback;
    auto a = sip::make_address(uri->host, uri->port_or_default());
    return a ? *a : fallback;
}

}  // namespace

CallBatch::CallBatch(boost::asio::io_context& io, BatchOptions options)
    : io_(io), options_(std::move(options)), timer_(io) {
    if (options_.call_id_prefix.empty()) {
        std::random_device rd;
        char prefix[20];
        std::snprintf(prefix, sizeof prefix, "pbx%08x", rd());
        options_.call_id_prefix = prefix;
    }
}

CallBatch::~CallBatch() = default;

Result<void> CallBatch::open() {
    sip::EndpointOptions eo;
    eo.bind = options_.bind;
    eo.timers = options_.timers;
    eo.udp.receive_buffer_bytes = options_.receive_buffer_bytes;
    auto e = sip::Endpoint::open(io_, *this, eo);
    if (!e) return tl::unexpected(e.error());
    endpoint_ = std::move(*e);
    sdp_host_ = endpoint_->local_address().host();
    if (!sdp_host_.empty() && sdp_host_.front() == '[')
        sdp_host_ = sdp_host_.substr(1, sdp_host_.size() - 2);
    if (options_.media) {
        if (options_.media_engine.bind_host.empty()) options_.media_engine.bind_host = sdp_host_;
        sdp_host_ = options_.media_engine.bind_host;
        auto m = media::MediaEngine::open(io_, options_.media_engine,
                                          options_.audio ? *options_.audio
                                                         : media::make_tone_source());
        if (!m) return tl::unexpected(m.error());
        media_ = std::move(*m);
    }
    return {};
}

const sip::TransactionCounters& CallBatch::transaction_counters() const {
    return endpoint_->layer().counters();
}
const sip::Address& CallBatch::local_address() const {
    return endpoint_->local_address();
}
std::uint64_t CallBatch::kernel_drops() const {
    return endpoint_->transport().kernel_drops();
}

std::string CallBatch::call_id(std::uint64_t index) const {
    std::string id = options_.call_id_prefix;
    id.push_back('-');
    sip::append_uint(id, index);
    id.append("@pbxbench");
    return id;
}

bool CallBatch::is_ours(std::string_view call_id) const {
    std::string_view prefix = options_.call_id_prefix;
    return call_id.substr(0, prefix.size()) == prefix && call_id.size() > prefix.size() + 1;
}

std::optional<std::uint64_t> CallBatch::index_of(std::string_view call_id) const {
    // The inverse of call_id(): "<prefix>-<index>@pbxbench".
    if (!is_ours(call_id)) return std::nullopt;
    std::string_view digits = call_id.substr(options_.call_id_prefix.size() + 1);
    return sip::parse_uint(digits.substr(0, digits.find('@')), UINT64_MAX - 1);
}

TimePoint CallBatch::due(std::uint64_t index) const {
    // From t0 every time, never by accumulation, so rounding cannot drift.
    return t0_ + std::chrono::duration_cast<sip::Duration>(
                     std::chrono::duration<double>(static_cast<double>(index) / options_.cps));
}

void CallBatch::start(std::function<void()> on_finished) {
    on_finished_ = std::move(on_finished);
    started_ = true;
    const TimePoint now = Clock::now();
    if (!options_.register_first) {
        begin_calls(now);
        return;
    }
    sip::RegistrationConfig rc;
    rc.registrar = options_.next_hop;
    rc.domain = options_.register_domain;
    rc.registrar_uri = "sip:" + rc.domain;
    rc.user = options_.auth_user;
    rc.password = options_.auth_password;
    rc.contact_uri = "sip:" + options_.from_user + "@" + endpoint_->sent_by();
    rc.expires = options_.register_expires;
    registration_ = std::make_unique<sip::Registration>(endpoint_->layer(), endpoint_->sent_by(),
                                                        rc, cookie(0, Kind::register_));
    awaiting_registration_ = true;
    registration_->start(now);
    rearm(now);
}

void CallBatch::begin_calls(TimePoint now) {
    t0_ = options_.t0 ? *options_.t0 : now;
    next_index_ = options_.shard;
    if (options_.total == 0) {
        check_finished();
        return;
    }
    wake(now);
}

void CallBatch::on_registration_event(TimePoint now) {
    using State = sip::Registration::State;
    State state = registration_->state();
    if (awaiting_registration_ && state == State::registered) {
        awaiting_registration_ = false;
        begin_calls(now);
        return;
    }
    if (awaiting_registration_ && state == State::failed) {
        awaiting_registration_ = false;
        setup_error_ = "registration of " + options_.auth_user + " at " +
                       options_.next_hop.to_string() +
                       " failed: " + std::to_string(registration_->last_status()) + " " +
                       registration_->last_reason();
        if (!registration_->failure_hint().empty())
            setup_error_ += " (" + registration_->failure_hint() + ")";
        stopping_ = true;
    }
    check_finished();
    rearm(now);
}

void CallBatch::push(Event e, TimePoint now) {
    events_.push(e);
    if (e.when < armed_at_) rearm(now);
}

void CallBatch::rearm(TimePoint now) {
    if (finished_) return;
    TimePoint earliest = TimePoint::max();
    if (!events_.empty()) earliest = events_.top().when;
    if (registration_) {
        if (auto refresh = registration_->next_deadline()) earliest = std::min(earliest, *refresh);
    }
    bool room = options_.max_concurrent == 0 || calls_.size() < options_.max_concurrent;
    if (!stopping_ && !awaiting_registration_ && next_index_ < options_.total && room) {
        earliest = std::min(earliest, due(next_index_));
    }
    if (earliest == TimePoint::max()) {
        armed_at_ = earliest;
        timer_.cancel();
        return;
    }
    // At most one wake-up per tick: a call starts at most one tick late, and since every start
    // time is computed from t0 the schedule never drifts. Fewer, larger bursts matter on VMs,
    // where waking the peer across CPUs dominates the cost of a datagram (docs/uac.md).
    TimePoint target = std::max({earliest, now, last_wake_ + options_.tick});
    // A pending wake-up at or before the target recomputes everything when it fires, so only an
    // earlier target re-arms. Re-arming for "now" on every response once behind cost a
    // timerfd_settime each (61% of the UAC's time at 20,000 calls/s) and the lag snowballed.
    if (armed_at_ <= target) return;
    armed_at_ = target;
    timer_.expires_at(armed_at_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;  // re-armed or cancelled
        armed_at_ = TimePoint::max();
        wake(Clock::now());
    });
}

void CallBatch::wake(TimePoint now) {
    last_wake_ = now;
    if (registration_) registration_->advance(now);
    while (!stopping_ && !awaiting_registration_ && next_index_ < options_.total &&
           due(next_index_) <= now &&
           (options_.max_concurrent == 0 || calls_.size() < options_.max_concurrent)) {
        start_call(next_index_, now);
        next_index_ += std::max<std::uint64_t>(options_.shards, 1);
    }
    while (!events_.empty() && events_.top().when <= now) {
        Event e = events_.top();
        events_.pop();
        if (e.kind == EventKind::media_drained) {
            media_drained_ = true;
            continue;
        }
        if (e.kind == EventKind::unregister_deadline) {
            unregister_deadline_passed_ = true;  // check_finished() below then gives up waiting
            continue;
        }
        if (e.kind == EventKind::grace_over) {
            std::vector<std::uint64_t> left;
            for (const auto& [index, call] : calls_) left.push_back(index);
            for (std::uint64_t index : left) end(index, Outcome::interrupted);
            continue;
        }
        Call* c = find(e.index);
        if (c == nullptr) continue;
        if (e.kind == EventKind::bye && c->phase == Phase::answered) {
            send_bye(*c, now);
        } else if (e.kind == EventKind::ring_timeout &&
                   (c->phase == Phase::inviting || c->phase == Phase::ringing)) {
            c->cancel_outcome = Outcome::ring_timeout;
            send_cancel(*c, now);
        }
    }
    check_finished();
    rearm(now);
}

CallBatch::Call* CallBatch::find(std::uint64_t index) {
    auto it = calls_.find(index);
    return it == calls_.end() ? nullptr : &it->second;
}

void CallBatch::start_call(std::uint64_t index, TimePoint now) {
    ++stats_.attempted;
    Call& c = calls_[index];
    c.index = index;
    c.cancel_planned = chosen(index, options_.cancel_ratio);
    c.from = "<sip:" + options_.from_user + "@" + endpoint_->sent_by() + ">;tag=t";
    sip::append_uint(c.from, index);
    send_invite(c, now, {});
    if (calls_.count(index) && options_.ring_timeout.count() > 0) {
        push({now + options_.ring_timeout, index, EventKind::ring_timeout}, now);
    }
}

void CallBatch::send_invite(Call& c, TimePoint now, std::string_view authorization) {
    sip::OfferParams offer;
    offer.address = sdp_host_;
    offer.rtp_port = static_cast<std::uint16_t>(options_.media_base_port + 2 * (c.index % 10000));
    if (media_ && c.media_id == 0) {
        auto a = media_->allocate();
        if (!a) {
            end(c.index, Outcome::transport_error);  // no free RTP port: counted by the engine
            return;
        }
        c.media_id = a->id;
        c.media_port = a->port;
        c.media_ssrc = a->ssrc;
    }
    if (media_) {
        offer.rtp_port = c.media_port;
        offer.ssrc = c.media_ssrc;
    }
    offer.session_id = c.index + 1;
    offer.session_version = c.invite_cseq;
    std::string sdp = sip::build_offer(offer);

    c.branch = endpoint_->layer().new_branch();
    const std::string& me = endpoint_->sent_by();
    sip::MessageBuilder b(900);
    b.request_line("INVITE", options_.target_uri);
    b.header("Via", "SIP/2.0/UDP ", me, ";branch=", c.branch, ";rport");
    b.header("Max-Forwards", 70);
    b.header("From", c.from);
    b.header("To", "<", options_.target_uri, ">");
    b.header("Call-ID", call_id(c.index));
    b.header("CSeq", c.invite_cseq, " INVITE");
    b.header("Contact", "<sip:", options_.from_user, "@", me, ">");
    if (!authorization.empty())
        b.header(authorization.substr(0, authorization.find(':')),
                 authorization.substr(authorization.find(':') + 2));
    b.header("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS");
    b.header("User-Agent", "pbxbench/" PBXBENCH_VERSION);
    c.invite_sent = now;
    auto id = endpoint_->layer().send_request(b.finish(sdp), options_.next_hop, sip::Method::invite,
                                              c.branch, cookie(c.index, Kind::invite), now);
    if (id == 0) end(c.index, Outcome::transport_error);
}

void CallBatch::send_cancel(Call& c, TimePoint now) {
    if (!c.provisional) {
        c.cancel_pending = true;  // §9.1: no CANCEL before a provisional response
        return;
    }
    c.phase = Phase::cancelling;
    sip::MessageBuilder b(400);
    b.request_line("CANCEL", options_.target_uri);
    b.header("Via", "SIP/2.0/UDP ", endpoint_->sent_by(), ";branch=", c.branch, ";rport");
    b.header("Max-Forwards", 70);
    b.header("From", c.from);
    b.header("To", "<", options_.target_uri, ">");
    b.header("Call-ID", call_id(c.index));
    b.header("CSeq", c.invite_cseq, " CANCEL");
    endpoint_->layer().send_request(b.finish(), options_.next_hop, sip::Method::cancel, c.branch,
                                    cookie(c.index, Kind::cancel), now);
}

void CallBatch::send_bye(Call& c, TimePoint now) {
    c.phase = Phase::byeing;
    if (media_) media_->stop_sending(c.media_id);
    std::string branch = endpoint_->layer().new_branch();
    std::string bye =
        sip::build_in_dialog_request(*c.dialog, {"BYE", endpoint_->sent_by(), branch, {}, {}, {}});
    c.bye_sent = now;
    auto id = endpoint_->layer().send_request(std::move(bye), c.hop, sip::Method::bye, branch,
                                              cookie(c.index, Kind::bye), now);
    if (id == 0) end(c.index, Outcome::transport_error);
}

void CallBatch::on_response(sip::TransactionId id, std::uint64_t cookie_value,
                            const sip::Message& r) {
    const TimePoint now = Clock::now();
    if (id == 0) {
        if (r.cseq().method == sip::Method::invite && r.status() >= 200 && r.status() < 300) {
            on_retransmitted_2xx(r);
        } else if (r.cseq().method == sip::Method::invite && r.status() < 200) {
            ++stats_.late_provisionals;  // e.g. a 180 forwarded after the 200 (several workers)
        }
        return;
    }
    if (static_cast<Kind>(cookie_value & 3) == Kind::register_) {
        if (registration_) registration_->on_response(r, now);
        on_registration_event(now);
        return;
    }
    Call* c = find(cookie_value >> 2);
    if (c == nullptr) return;
    switch (static_cast<Kind>(cookie_value & 3)) {
        case Kind::invite:
            on_invite_response(*c, r, now);
            break;
        case Kind::bye:
            on_bye_response(*c, r);
            break;
        case Kind::cancel:
            break;  // the INVITE's 487 (or 2xx) tells what happened
        case Kind::register_:
            break;
    }
    check_finished();
    rearm(now);
}

void CallBatch::on_invite_response(Call& c, const sip::Message& r, TimePoint now) {
    const int status = r.status();
    if (status < 200) {
        if (status > 100 && !c.provisional)
            stats_.post_dial_delay_us.push_back(micros(now - c.invite_sent));
        c.provisional = true;
        if (c.phase == Phase::inviting) c.phase = Phase::ringing;
        if (c.cancel_pending || (c.cancel_planned && c.phase == Phase::ringing)) {
            c.cancel_pending = false;
            if (c.cancel_planned) c.cancel_outcome = Outcome::cancelled;
            send_cancel(c, now);
        }
        return;
    }
    if (status < 300) {
        on_answer(c, r, now);
        return;
    }
    if ((status == 401 || status == 407) && !c.auth_tried && !options_.auth_user.empty()) {
        ++stats_.auth_challenges;
        std::string_view header = status == 401 ? r.header(sip::HeaderId::www_authenticate)
                                                : r.header(sip::HeaderId::proxy_authenticate);
        auto challenge = sip::parse_challenge(header);
        if (challenge) {
            c.auth_tried = true;
            ++c.invite_cseq;
            std::string value =
                sip::build_authorization(*challenge, {options_.auth_user, options_.auth_password},
                                         "INVITE", options_.target_uri, 1, sip::make_cnonce());
            std::string line =
                std::string(status == 401 ? "Authorization" : "Proxy-Authorization") + ": " + value;
            c.provisional = false;
            c.phase = Phase::inviting;
            send_invite(c, now, line);
            return;
        }
    }
    ++stats_.final_status[status];
    if (status == 487 && c.phase == Phase::cancelling) {
        end(c.index, c.cancel_outcome);
    } else {
        end(c.index, Outcome::failed_status);
    }
}

void CallBatch::on_answer(Call& c, const sip::Message& r, TimePoint now) {
    ++stats_.final_status[r.status()];
    stats_.setup_us.push_back(micros(now - c.invite_sent));
    std::string id = call_id(c.index);
    auto dialog = sip::make_uac_dialog(
        sip::UacRequestInfo{id, c.from, std::string_view(c.from).substr(c.from.rfind("tag=") + 4),
                            options_.target_uri, c.invite_cseq},
        r);
    if (!dialog) {
        // A 2xx we cannot build a dialog from (no Contact) still gets no BYE we could route.
        end(c.index, Outcome::failed_status);
        return;
    }
    c.dialog = std::make_unique<sip::Dialog>(std::move(*dialog));
    c.hop = hop_of(*c.dialog, options_.next_hop);
    if (media_) start_media(c, r, now);
    std::string branch = endpoint_->layer().new_branch();
    c.ack = sip::build_in_dialog_request(
        *c.dialog, {"ACK", endpoint_->sent_by(), branch, c.invite_cseq, {}, {}});
    endpoint_->layer().send_stateless(c.ack, c.hop);
    const bool raced_cancel = c.phase == Phase::cancelling;
    c.phase = Phase::answered;
    if (raced_cancel) ++stats_.cancel_races;
    if (raced_cancel || stopping_ || options_.hold.count() == 0) {
        send_bye(c, now);
    } else {
        push({now + options_.hold, c.index, EventKind::bye}, now);
    }
}

void CallBatch::start_media(Call& c, const sip::Message& r, TimePoint now) {
    auto sdp = sip::parse_sdp(r.body());
    std::optional<sip::MediaEndpoint> remote;
    if (sdp) {
        if (auto ep = sip::remote_audio_endpoint(*sdp)) remote = std::move(*ep);
    }
    std::optional<sip::Address> rtp;
    std::optional<sip::Address> rtcp;
    if (remote) {
        auto a = sip::make_address(remote->address, remote->rtp_port);
        auto b = sip::make_address(remote->rtcp_address, remote->rtcp_port);
        if (a && b) {
            rtp = *a;
            rtcp = *b;
        }
    }
    if (!rtp) {
        ++stats_.media_unusable_answers;
        return;  // the stream stays unstarted and is freed when the call ends
    }
    media::StreamSpec spec;
    spec.config.role = media::StreamRole::source;
    spec.config.may_send = sip::may_send(sip::Direction::sendrecv, remote->direction);
    spec.config.expect_receive = sip::expects_receive(sip::Direction::sendrecv, remote->direction);
    spec.config.peer_echoes = options_.media_peer_echoes;
    spec.config.event_payload_type = sip::telephone_event_payload_type(remote->formats);
    spec.config.dtmf = options_.dtmf;
    spec.config.silence_threshold_ms = options_.silence_threshold_ms;
    spec.remote_rtp = *rtp;
    spec.remote_rtcp = *rtcp;
    spec.rtcp_mux = remote->rtcp_mux;
    spec.peer_ssrc = remote->ssrc;
    media_->start(c.media_id, std::move(spec), media::to_us(now));
}

void CallBatch::on_retransmitted_2xx(const sip::Message& r) {
    // The 2xx was retransmitted because our ACK was lost: ACK it again (§13.2.2.4).
    auto index = index_of(r.call_id());
    if (!index) return;
    Call* c = find(*index);
    if (c != nullptr && !c->ack.empty()) endpoint_->layer().send_stateless(c->ack, c->hop);
}

void CallBatch::on_bye_response(Call& c, const sip::Message& r) {
    if (r.status() < 200) return;
    if (r.status() < 300) {
        stats_.bye_us.push_back(micros(Clock::now() - c.bye_sent));
        end(c.index, Outcome::completed);
    } else {
        end(c.index, Outcome::failed_bye);
    }
}

void CallBatch::on_client_timeout(sip::TransactionId id, std::uint64_t cookie_value,
                                  sip::TransactionTimer t) {
    const TimePoint now = Clock::now();
    if (static_cast<Kind>(cookie_value & 3) == Kind::register_) {
        if (registration_) registration_->on_timeout(id, t);
        on_registration_event(now);
        return;
    }
    Call* c = find(cookie_value >> 2);
    if (c == nullptr) return;
    Kind kind = static_cast<Kind>(cookie_value & 3);
    if (kind == Kind::cancel) return;  // the INVITE's own timers decide
    std::string key =
        std::string(kind == Kind::invite ? "invite:" : "bye:") + std::string(sip::timer_name(t));
    ++stats_.timeouts[key];
    end(c->index, kind == Kind::bye ? Outcome::failed_bye : Outcome::timeout);
    check_finished();
    rearm(now);
}

void CallBatch::on_transport_error(sip::TransactionId id, std::uint64_t cookie_value) {
    if (static_cast<Kind>(cookie_value & 3) == Kind::register_) {
        if (registration_) registration_->on_transport_error(id);
        on_registration_event(Clock::now());
        return;
    }
    if (find(cookie_value >> 2) != nullptr) end(cookie_value >> 2, Outcome::transport_error);
    check_finished();
    rearm(Clock::now());
}

void CallBatch::on_request(sip::TransactionId id, const sip::Message& request,
                           const sip::Address&) {
    // A UAC gets BYEs from the far end, or requests we do not serve; answer rather than let
    // the peer retransmit. A BYE from the callee ends the call as completed from our side.
    const TimePoint now = Clock::now();
    int status = request.method() == sip::Method::bye || request.method() == sip::Method::options
                     ? 200
                     : 405;
    if (request.method() == sip::Method::bye) {
        auto index = index_of(request.call_id());
        if (index && find(*index) != nullptr) {
            end(*index, Outcome::completed);
        } else if (is_ours(request.call_id())) {
            status = 481;
        }
    }
    endpoint_->layer().respond(id, sip::response_to(request, status, "uac").finish(), status, now);
    check_finished();
    rearm(now);
}

void CallBatch::end(std::uint64_t index, Outcome outcome) {
    auto it = calls_.find(index);
    if (it == calls_.end()) return;
    if (media_ && it->second.media_id != 0)
        media_->end(it->second.media_id, media::to_us(Clock::now()));
    calls_.erase(it);
    stats_.add(outcome);
}

void CallBatch::stop() {
    if (stopping_ || finished_) return;
    stopping_ = true;
    const TimePoint now = Clock::now();
    std::vector<std::uint64_t> active;
    for (const auto& [index, call] : calls_) active.push_back(index);
    for (std::uint64_t index : active) {
        Call* c = find(index);
        if (c == nullptr) continue;
        if (c->phase == Phase::answered) {
            send_bye(*c, now);
        } else if (c->phase == Phase::ringing || c->phase == Phase::inviting) {
            c->cancel_outcome = Outcome::interrupted;
            send_cancel(*c, now);
        }
    }
    push({now + options_.shutdown_grace, 0, EventKind::grace_over}, now);
    check_finished();
}

void CallBatch::check_finished() {
    if (finished_ || !started_ || awaiting_registration_ || !calls_.empty()) return;
    if (!stopping_ && next_index_ < options_.total) return;
    if (registration_ && setup_error_.empty()) {
        // Remove our binding, waiting a bounded time for the registrar's answer.
        const TimePoint now = Clock::now();
        if (!unregister_sent_) {
            unregister_sent_ = true;
            registration_->unregister(now);
            push({now + std::chrono::seconds(3), 0, EventKind::unregister_deadline}, now);
        }
        using State = sip::Registration::State;
        bool done = registration_->state() == State::unregistered ||
                    registration_->state() == State::failed;
        if (!done && !unregister_deadline_passed_) return;
    }
    if (media_ && media_->streams() > 0 && !media_drained_) {
        // Late echoes still count: wait out the engine's linger once, then end what is left.
        if (!media_drain_pending_) {
            media_drain_pending_ = true;
            const TimePoint now = Clock::now();
            push({now + options_.media_engine.linger + std::chrono::milliseconds(50), 0,
                  EventKind::media_drained},
                 now);
        }
        return;
    }
    if (media_) media_->close();
    finished_ = true;
    timer_.cancel();
    endpoint_->close();
    if (on_finished_) on_finished_();
}

}  // namespace pbxbench::uac
