#include "uac/call_core.hpp"

#include <cmath>
#include <random>

#include "sip/message_builder.hpp"
#include "sip/text.hpp"
#include "sip/uri.hpp"

namespace pbxbench::uac {

namespace {

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

constexpr std::string_view allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, NOTIFY";

}  // namespace

UacCore::UacCore(BatchOptions options, UacMedia* media, NowFn now)
    : options_(std::move(options)), media_(media), now_(std::move(now)) {
    if (options_.call_id_prefix.empty()) {
        std::random_device rd;
        char prefix[20];
        std::snprintf(prefix, sizeof prefix, "pbx%08x", rd());
        options_.call_id_prefix = prefix;
    }
    if (options_.shards == 0) options_.shards = 1;
}

UacCore::~UacCore() = default;

void UacCore::attach(sip::TransactionLayer& layer, std::string sent_by, std::string sdp_host) {
    layer_ = &layer;
    sent_by_ = std::move(sent_by);
    sdp_host_ = std::move(sdp_host);
    build_callers();
}

bool UacCore::owns(std::uint64_t index) const {
    // With a population every call of a caller runs on the caller's shard, so its registration
    // and its nonce live in one place; the single-target form splits calls round robin.
    if (options_.population.empty()) return index % options_.shards == options_.shard;
    return options_.population.pick(index).caller % options_.shards == options_.shard;
}

void UacCore::skip_to_owned() {
    while (next_index_ < options_.total && !owns(next_index_)) ++next_index_;
}

std::string UacCore::call_id(std::uint64_t index) const {
    std::string id = options_.call_id_prefix;
    id.push_back('-');
    sip::append_uint(id, index);
    id.append("@pbxbench");
    return id;
}

bool UacCore::is_ours(std::string_view id) const {
    std::string_view prefix = options_.call_id_prefix;
    return id.substr(0, prefix.size()) == prefix && id.size() > prefix.size() + 1;
}

std::optional<std::uint64_t> UacCore::index_of(std::string_view id) const {
    // The inverse of call_id(): "<prefix>-<index>@pbxbench".
    if (!is_ours(id)) return std::nullopt;
    std::string_view digits = id.substr(options_.call_id_prefix.size() + 1);
    return sip::parse_uint(digits.substr(0, digits.find('@')), UINT64_MAX - 1);
}

TimePoint UacCore::due(std::uint64_t index) const {
    // From t0 every time, never by accumulation, so rounding cannot drift.
    return t0_ + std::chrono::duration_cast<sip::Duration>(
                     std::chrono::duration<double>(static_cast<double>(index) / options_.cps));
}

UacCore::Call* UacCore::find(std::uint64_t index) {
    auto it = calls_.find(index);
    return it == calls_.end() ? nullptr : &it->second;
}

void UacCore::push(Event e) {
    events_.push(e);
}

void UacCore::changed(TimePoint now) {
    check_finished();
    if (!finished_ && on_wake) on_wake(now);
}

void UacCore::start(TimePoint now) {
    started_ = true;
    if (!options_.register_callers) {
        ready_ = true;
        if (on_ready) on_ready();
        return;
    }
    // Rate-limited: caller k of this shard registers at now + k/rate.
    registrations_pending_ = owned_callers_.size();
    const double rate = options_.register_rate > 0 ? options_.register_rate : 1e9;
    std::uint64_t k = 0;
    for (std::uint32_t caller : owned_callers_) {
        auto at = now + std::chrono::duration_cast<sip::Duration>(
                            std::chrono::duration<double>(static_cast<double>(k++) / rate));
        push({at, caller, EventKind::register_caller});
    }
    if (registrations_pending_ == 0) {
        ready_ = true;
        if (on_ready) on_ready();
    }
    changed(now);
}

void UacCore::begin_calls(TimePoint t0, TimePoint now) {
    t0_ = t0;
    calls_begun_ = true;
    next_index_ = 0;
    skip_to_owned();
    advance(now);
}

std::optional<TimePoint> UacCore::next_deadline() const {
    if (finished_) return std::nullopt;
    std::optional<TimePoint> earliest;
    auto consider = [&](TimePoint t) {
        if (!earliest || t < *earliest) earliest = t;
    };
    if (!events_.empty()) consider(events_.top().when);
    if (!reg_due_.empty()) consider(reg_due_.top().when);
    const bool room = options_.max_concurrent == 0 || calls_.size() < options_.max_concurrent;
    if (calls_begun_ && !stopping_ && next_index_ < options_.total && room)
        consider(due(next_index_));
    return earliest;
}

void UacCore::advance(TimePoint now) {
    advance_registrations(now);
    while (calls_begun_ && !stopping_ && next_index_ < options_.total && due(next_index_) <= now &&
           (options_.max_concurrent == 0 || calls_.size() < options_.max_concurrent)) {
        start_call(next_index_, now);
        ++next_index_;
        skip_to_owned();
    }
    while (!events_.empty() && events_.top().when <= now) {
        Event e = events_.top();
        events_.pop();
        switch (e.kind) {
            case EventKind::media_drained:
                media_drained_ = true;
                continue;
            case EventKind::unregister_deadline:
                unregister_deadline_passed_ = true;  // check_finished() then gives up waiting
                continue;
            case EventKind::register_caller:
                // Not after a stop: the un-REGISTERs went out already and would miss this one.
                if (!stopping_ && !unregister_sent_)
                    register_caller(static_cast<std::uint32_t>(e.index), now);
                continue;
            case EventKind::grace_over: {
                std::vector<std::uint64_t> left;
                for (const auto& [index, call] : calls_) left.push_back(index);
                for (std::uint64_t index : left) end(index, Outcome::interrupted);
                continue;
            }
            case EventKind::bye:
            case EventKind::ring_timeout:
            case EventKind::cancel_timeout:
            case EventKind::hold:
            case EventKind::resume:
            case EventKind::reinvite_retry:
            case EventKind::session_refresh:
            case EventKind::session_expiry:
                break;
        }
        Call* c = find(e.index);
        if (c == nullptr) continue;
        if (e.kind == EventKind::hold || e.kind == EventKind::resume ||
            e.kind == EventKind::reinvite_retry) {
            on_midcall_event(*c, e.kind, now);
            continue;
        }
        if (e.kind == EventKind::session_refresh || e.kind == EventKind::session_expiry) {
            on_session_event(*c, e.kind, now);
            continue;
        }
        if (e.kind == EventKind::cancel_timeout) {
            // §9.1: no final response 64*T1 after our CANCEL: consider the INVITE cancelled
            // rather than hold the call until Timer C.
            if (c->phase == Phase::cancelling) end(e.index, c->cancel_outcome);
            continue;
        }
        if (e.kind == EventKind::bye && c->phase == Phase::answered) {
            send_bye(*c, now);
        } else if (e.kind == EventKind::ring_timeout &&
                   (c->phase == Phase::inviting || c->phase == Phase::ringing)) {
            c->cancel_outcome = Outcome::ring_timeout;
            send_cancel(*c, now);
        }
    }
    check_finished();
}

void UacCore::start_call(std::uint64_t index, TimePoint now) {
    ++stats_.attempted;
    Call& c = calls_[index];
    c.index = index;
    if (!options_.population.empty()) {
        CallPair pair = options_.population.pick(index);
        c.caller = pair.caller;
        c.callee = pair.callee;
    }
    ++stats_.subscribers.calls_per_callee[c.callee];
    c.cancel_planned = chosen(index, options_.cancel_ratio);
    if (options_.session_expires_s > 0) {
        c.session_expires_s = options_.session_expires_s;
        ++stats_.midcall.session_timer.calls;
    }
    c.from = callers_[c.caller].from_prefix;
    c.from.push_back('t');
    sip::append_uint(c.from, index);
    if (media_) {
        auto slot = media_->allocate();
        if (!slot) {
            end(index, Outcome::transport_error);  // no free RTP port: counted by the engine
            return;
        }
        c.media_id = slot->id;
        c.media_port = slot->port;
        c.media_ssrc = slot->ssrc;
    } else {
        c.media_port = static_cast<std::uint16_t>(options_.media_base_port + 2 * (index % 10000));
    }
    if (options_.reuse_nonce) {
        c.authorization =
            cached_authorization(callers_[c.caller], "INVITE", callee_uris_[c.callee]);
        c.sent_cached_credentials = !c.authorization.empty();
    }
    send_invite(c, now);
    if (find(index) && options_.ring_timeout.count() > 0)
        push({now + options_.ring_timeout, index, EventKind::ring_timeout});
}

void UacCore::send_invite(Call& c, TimePoint now) {
    sip::OfferParams offer;
    offer.address = sdp_host_;
    offer.rtp_port = c.media_port;
    if (media_) offer.ssrc = c.media_ssrc;
    offer.session_id = c.index + 1;
    offer.session_version = c.sdp_version;
    const std::string sdp = sip::build_offer(offer);

    c.branch = layer_->new_branch();
    const std::string& target = callee_uris_[c.callee];
    sip::Dialog d = sip::initial_request_dialog(call_id(c.index), c.from, target, c.invite_cseq);
    std::pair<std::string_view, std::string_view> extra[5];
    std::size_t n = 0;
    std::string_view auth = c.authorization;
    if (!auth.empty())
        extra[n++] = {auth.substr(0, auth.find(':')), auth.substr(auth.find(':') + 2)};
    extra[n++] = {"Allow", allow};
    std::string session_expires;
    if (c.session_expires_s > 0) {
        // RFC 4028 §7.1: ask for the interval; the 2xx names the refresher.
        session_expires = std::to_string(c.session_expires_s);
        extra[n++] = {"Supported", "timer"};
        extra[n++] = {"Session-Expires", session_expires};
    }
    extra[n++] = {"User-Agent", "pbxbench/" PBXBENCH_VERSION};
    std::string invite =
        sip::build_in_dialog_request(d, {"INVITE", sent_by_, c.branch, c.invite_cseq,
                                         callers_[c.caller].contact, sdp, std::span(extra, n)});
    c.invite_sent = now;
    auto id = layer_->send_request(std::move(invite), options_.next_hop, sip::Method::invite,
                                   c.branch, cookie(c.index, Kind::invite), now);
    if (id == 0) end(c.index, Outcome::transport_error);
}

void UacCore::send_cancel(Call& c, TimePoint now) {
    if (!c.provisional) {
        c.cancel_pending = true;  // §9.1: no CANCEL before a provisional response
        return;
    }
    c.phase = Phase::cancelling;
    // §9.1: the CANCEL copies the INVITE's Request-URI, Call-ID, From, To, CSeq number and Via.
    sip::Dialog d = sip::initial_request_dialog(call_id(c.index), c.from, callee_uris_[c.callee],
                                                c.invite_cseq);
    std::string cancel =
        sip::build_in_dialog_request(d, {"CANCEL", sent_by_, c.branch, c.invite_cseq, {}, {}});
    layer_->send_request(std::move(cancel), options_.next_hop, sip::Method::cancel, c.branch,
                         cookie(c.index, Kind::cancel), now);
    push({now + 64 * layer_->timers().t1, c.index, EventKind::cancel_timeout});
}

void UacCore::send_bye(Call& c, TimePoint now, std::string_view authorization) {
    c.phase = Phase::byeing;
    if (media_ && c.media_id) media_->stop_sending(c.media_id);
    std::string branch = layer_->new_branch();
    std::pair<std::string_view, std::string_view> extra[1];
    std::size_t n = 0;
    if (!authorization.empty())
        extra[n++] = {authorization.substr(0, authorization.find(':')),
                      authorization.substr(authorization.find(':') + 2)};
    std::string bye = sip::build_in_dialog_request(
        *c.dialog, {"BYE", sent_by_, branch, {}, {}, {}, std::span(extra, n)});
    c.bye_sent = now;
    auto id = layer_->send_request(std::move(bye), c.hop, sip::Method::bye, branch,
                                   cookie(c.index, Kind::bye), now);
    if (id == 0) end(c.index, Outcome::transport_error);
}

void UacCore::on_response(sip::TransactionId id, std::uint64_t cookie_value,
                          const sip::Message& r) {
    const TimePoint now = now_();
    if (id == 0) {
        if (r.cseq().method == sip::Method::invite && r.status() >= 200 && r.status() < 300) {
            on_retransmitted_2xx(r);
        } else if (r.cseq().method == sip::Method::invite && r.status() < 200) {
            ++stats_.late_provisionals;  // e.g. a 180 forwarded after the 200 (several workers)
        }
        return;
    }
    const Kind kind = kind_of(cookie_value);
    if (kind == Kind::register_) {
        on_registration_event(static_cast<std::uint32_t>(index_in(cookie_value)),
                              [&](sip::Registration& reg) { reg.on_response(r, now); });
        changed(now);
        return;
    }
    Call* c = find(index_in(cookie_value));
    if (c == nullptr) {
        // The call ended while its re-INVITE ran: its 2xx still needs an ACK (§13.2.2.4).
        if (kind == Kind::reinvite && r.status() >= 200) {
            if (r.status() < 300) ack_reinvite_2xx(r);
            orphan_reinvites_.erase(index_in(cookie_value));
        }
        return;
    }
    if (kind == Kind::invite) on_invite_response(*c, r, now);
    if (kind == Kind::bye) on_bye_response(*c, r, now);
    if (kind == Kind::reinvite) on_reinvite_response(*c, r, now);
    if (kind == Kind::refresh) on_refresh_response(*c, r, now);
    // A CANCEL's own answer says nothing: the INVITE's 487 (or 2xx) tells what happened.
    changed(now);
}

void UacCore::on_invite_response(Call& c, const sip::Message& r, TimePoint now) {
    const int status = r.status();
    if (status < 200) {
        // The first 18x, whether or not a 100 came before it (a proxy's 100 is not ringing).
        if (status > 100 && !c.post_dial_recorded) {
            c.post_dial_recorded = true;
            stats_.post_dial_delay_us.push_back(micros(now - c.invite_sent));
        }
        if (status > 100 && !c.early_media && !r.body().empty()) on_early_answer(c, r, now);
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
    if ((status == 401 || status == 407) && c.phase != Phase::cancelling &&
        answer_invite_challenge(c, r, now))
        return;
    if (status == 422 && c.phase != Phase::cancelling && retry_with_min_se(c, r, now)) return;
    ++stats_.final_status[status];
    if (status == 487 && c.phase == Phase::cancelling) {
        end(c.index, c.cancel_outcome);
    } else {
        end(c.index, Outcome::failed_status);
    }
}

void UacCore::on_answer(Call& c, const sip::Message& r, TimePoint now) {
    ++stats_.final_status[r.status()];
    stats_.setup_us.push_back(micros(now - c.invite_sent));
    std::string id = call_id(c.index);
    auto dialog = sip::make_uac_dialog(
        sip::UacRequestInfo{id, c.from, std::string_view(c.from).substr(c.from.rfind("tag=") + 4),
                            callee_uris_[c.callee], c.invite_cseq},
        r);
    if (!dialog) {
        // A 2xx we cannot build a dialog from (no Contact) still gets no BYE we could route.
        end(c.index, Outcome::failed_status);
        return;
    }
    c.dialog = std::make_unique<sip::Dialog>(std::move(*dialog));
    c.hop = hop_of(*c.dialog, options_.next_hop);
    if (c.early_media) {
        on_answer_after_early_media(c, r);
    } else if (media_) {
        start_media(c, r, now);
    } else if (auto sdp = sip::parse_sdp(r.body())) {
        // Signaling only: still remember where the far end's media is, so that a re-INVITE
        // moving it is counted (a direct-media PBX is visible without --media).
        if (auto ep = sip::remote_audio_endpoint(*sdp)) c.remote_media = std::move(*ep);
    }
    std::string branch = layer_->new_branch();
    c.ack =
        sip::build_in_dialog_request(*c.dialog, {"ACK", sent_by_, branch, c.invite_cseq, {}, {}});
    layer_->send_stateless(c.ack, c.hop);
    const bool raced_cancel = c.phase == Phase::cancelling;
    c.phase = Phase::answered;
    if (raced_cancel) ++stats_.cancel_races;
    if (raced_cancel || stopping_ || options_.hold.count() == 0) {
        send_bye(c, now);
    } else {
        push({now + options_.hold, c.index, EventKind::bye});
        schedule_hold(c, now);
        start_session_timer(c, r, now);
    }
}

void UacCore::start_media(Call& c, const sip::Message& r, TimePoint now) {
    auto sdp = sip::parse_sdp(r.body());
    std::optional<sip::MediaEndpoint> remote;
    if (sdp) {
        if (auto ep = sip::remote_audio_endpoint(*sdp)) remote = std::move(*ep);
    }
    if (!remote || !sip::make_address(remote->address, remote->rtp_port) ||
        !sip::make_address(remote->rtcp_address, remote->rtcp_port)) {
        ++stats_.media_unusable_answers;
        return;  // the stream stays unstarted and is freed when the call ends
    }
    media_->start(c.media_id, *remote, now);
    c.remote_media = std::move(*remote);
}

void UacCore::refresh_target(Call& c, const sip::Message& request) {
    sip::CommaList contacts(request.header(sip::HeaderId::contact));
    auto first = contacts.next();
    if (!first || !c.dialog) return;
    auto contact = sip::parse_name_addr(*first);
    if (!contact) return;
    c.dialog->remote_target = std::string(contact->uri);
    c.hop = hop_of(*c.dialog, options_.next_hop);
}

void UacCore::on_retransmitted_2xx(const sip::Message& r) {
    // The 2xx was retransmitted because our ACK was lost: ACK it again (§13.2.2.4).
    if (ack_reinvite_2xx(r)) return;
    auto index = index_of(r.call_id());
    if (!index) return;
    Call* c = find(*index);
    if (c != nullptr && !c->ack.empty()) layer_->send_stateless(c->ack, c->hop);
}

void UacCore::on_bye_response(Call& c, const sip::Message& r, TimePoint now) {
    const int status = r.status();
    if (status < 200) return;
    if (status < 300) {
        stats_.bye_us.push_back(micros(now - c.bye_sent));
        end(c.index, Outcome::completed);
        return;
    }
    if ((status == 401 || status == 407) && !c.bye_auth_tried) {
        // A PBX may challenge the BYE too; answer once with the caller's credentials.
        c.bye_auth_tried = true;
        if (auto line = authorization_for(callers_[c.caller], r, "BYE", c.dialog->remote_target)) {
            send_bye(c, now, *line);
            return;
        }
    }
    end(c.index, Outcome::failed_bye);
}

void UacCore::on_client_timeout(sip::TransactionId id, std::uint64_t cookie_value,
                                sip::TransactionTimer t) {
    const TimePoint now = now_();
    const Kind kind = kind_of(cookie_value);
    if (kind == Kind::register_) {
        on_registration_event(static_cast<std::uint32_t>(index_in(cookie_value)),
                              [&](sip::Registration& reg) { reg.on_timeout(id, t); });
        changed(now);
        return;
    }
    if (kind == Kind::reinvite) orphan_reinvites_.erase(index_in(cookie_value));
    Call* c = find(index_in(cookie_value));
    if (c == nullptr || kind == Kind::cancel) return;  // the INVITE's own timers decide
    if (kind == Kind::reinvite || kind == Kind::refresh) {
        if (kind == Kind::reinvite) on_reinvite_timeout(*c, now);
        if (kind == Kind::refresh) on_refresh_timeout(*c, now);
        changed(now);
        return;
    }
    std::string key =
        std::string(kind == Kind::invite ? "invite:" : "bye:") + std::string(sip::timer_name(t));
    ++stats_.timeouts[key];
    end(c->index, kind == Kind::bye ? Outcome::failed_bye : Outcome::timeout);
    changed(now);
}

void UacCore::on_transport_error(sip::TransactionId id, std::uint64_t cookie_value) {
    const TimePoint now = now_();
    if (kind_of(cookie_value) == Kind::register_) {
        on_registration_event(static_cast<std::uint32_t>(index_in(cookie_value)),
                              [&](sip::Registration& reg) { reg.on_transport_error(id); });
        changed(now);
        return;
    }
    if (find(index_in(cookie_value)) != nullptr)
        end(index_in(cookie_value), Outcome::transport_error);
    changed(now);
}

void UacCore::end(std::uint64_t index, Outcome outcome) {
    auto it = calls_.find(index);
    if (it == calls_.end()) return;
    abandon_midcall(it->second);
    if (media_ && it->second.media_id != 0) {
        record_media_path(it->second);
        media_->end(it->second.media_id, now_());
    }
    calls_.erase(it);
    stats_.add(outcome);
}

void UacCore::stop(TimePoint now) {
    if (stopping_ || finished_) return;
    stopping_ = true;
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
    push({now + options_.shutdown_grace, 0, EventKind::grace_over});
    changed(now);
}

void UacCore::check_finished() {
    if (finished_ || !started_ || !calls_.empty()) return;
    if (!ready_ && !stopping_) return;
    if (!stopping_ && (!calls_begun_ || next_index_ < options_.total)) return;
    if (options_.register_callers && !owned_callers_.empty()) {
        // Remove the bindings, waiting a bounded time for the registrar's answers.
        const TimePoint now = now_();
        if (!unregister_sent_) {
            unregister_sent_ = true;
            unregister_callers(now);
            push({now + std::chrono::seconds(3), 0, EventKind::unregister_deadline});
        }
        if (!registrations_settled() && !unregister_deadline_passed_) return;
    }
    if (media_ && media_->streams() > 0 && !media_drained_) {
        // Late echoes still count: wait out the engine's linger once, then end what is left.
        if (!media_drain_pending_) {
            media_drain_pending_ = true;
            push({now_() + media_->linger() + std::chrono::milliseconds(50), 0,
                  EventKind::media_drained});
        }
        return;
    }
    finished_ = true;
    if (on_finished) on_finished();
}

}  // namespace pbxbench::uac
