// The UacCore's callers: identities, digest answers with nonce reuse, and registrations.
#include "sip/message_builder.hpp"
#include "uac/call_core.hpp"

namespace pbxbench::uac {

namespace {

std::string header_line(bool proxy, std::string value) {
    return std::string(proxy ? "Proxy-Authorization" : "Authorization") + ": " + std::move(value);
}

}  // namespace

void UacCore::build_callers() {
    callers_.clear();
    callee_uris_.clear();
    owned_callers_.clear();
    const Population& p = options_.population;
    if (p.empty()) {
        // The single-target form: one caller (an anonymous From unless credentials were given).
        Caller c;
        c.user = options_.from_user;
        c.auth_user = options_.auth_user;
        c.password = options_.auth_password;
        c.from_prefix = "<sip:" + c.user + "@" + sent_by_ + ">;tag=";
        c.contact = "sip:" + c.user + "@" + sent_by_;
        callers_.push_back(std::move(c));
        callee_uris_.push_back(options_.target_uri);
        // --register: the one extension registers once, on shard 0.
        if ((options_.register_callers || options_.register_first) && options_.shard == 0)
            owned_callers_.push_back(0);
        options_.register_callers = !owned_callers_.empty();
    } else {
        for (std::uint32_t i = 0; i < p.callers.size(); ++i) {
            Caller c;
            c.user = p.callers[i].user;
            c.auth_user = c.user;
            c.password = p.callers[i].password;
            c.from_prefix = "<sip:" + c.user + "@" + p.domain + ">;tag=";
            c.contact = "sip:" + c.user + "@" + sent_by_;
            callers_.push_back(std::move(c));
            if (i % options_.shards == options_.shard) owned_callers_.push_back(i);
        }
        for (const auto& e : p.callees) callee_uris_.push_back("sip:" + e + "@" + p.domain);
        stats_.subscribers.callers = p.callers.size();
        stats_.subscribers.callees = p.callees.size();
        stats_.subscribers.mapping = std::string(to_string(p.mapping));
        stats_.subscribers.seed = p.seed;
    }
    stats_.subscribers.calls_per_callee.assign(callee_uris_.size(), 0);
    if (!options_.register_callers) return;
    const std::string domain = options_.register_domain.empty()
                                   ? (p.empty() ? options_.next_hop.host() : p.domain)
                                   : options_.register_domain;
    for (std::uint32_t i : owned_callers_) {
        Caller& c = callers_[i];
        sip::RegistrationConfig rc;
        rc.registrar = options_.next_hop;
        rc.domain = domain;
        rc.registrar_uri = "sip:" + domain;
        rc.user = c.auth_user.empty() ? c.user : c.auth_user;
        rc.password = c.password;
        rc.contact_uri = c.contact;
        rc.expires = options_.register_expires;
        c.registration = std::make_unique<sip::Registration>(*layer_, sent_by_, std::move(rc),
                                                             cookie(i, Kind::register_));
    }
    stats_.subscribers.registrations.callers = owned_callers_.size();
}

const sip::Registration* UacCore::first_registration() const {
    for (std::uint32_t i : owned_callers_)
        if (callers_[i].registration) return callers_[i].registration.get();
    return nullptr;
}

std::string UacCore::cached_authorization(Caller& caller, std::string_view method,
                                          std::string_view uri) {
    if (!caller.challenge || caller.password.empty()) return {};
    ++stats_.subscribers.auth.nonce_reused;
    return header_line(
        caller.challenge_is_proxy,
        sip::build_authorization(*caller.challenge, {caller.auth_user, caller.password}, method,
                                 uri, ++caller.nonce_count, sip::make_cnonce()));
}

std::optional<std::string> UacCore::authorization_for(Caller& caller, const sip::Message& r,
                                                      std::string_view method,
                                                      std::string_view uri) {
    const bool proxy = r.status() == 407;
    auto challenge = sip::parse_challenge(
        r.header(proxy ? sip::HeaderId::proxy_authenticate : sip::HeaderId::www_authenticate));
    if (!challenge) {
        ++stats_.subscribers.auth.unsupported;  // another scheme or an algorithm we lack
        return std::nullopt;
    }
    if (caller.auth_user.empty() || caller.password.empty()) return std::nullopt;
    if (challenge->stale) ++stats_.subscribers.auth.stale;
    ++stats_.subscribers.auth.fresh_challenges;
    caller.challenge = std::move(*challenge);
    caller.challenge_is_proxy = proxy;
    caller.nonce_count = 1;
    return header_line(
        proxy, sip::build_authorization(*caller.challenge, {caller.auth_user, caller.password},
                                        method, uri, 1, sip::make_cnonce()));
}

bool UacCore::answer_invite_challenge(Call& c, const sip::Message& r, sip::TimePoint now) {
    ++stats_.subscribers.auth.challenges[r.status()];
    ++stats_.auth_challenges;
    Caller& caller = callers_[c.caller];
    // One challenge per INVITE is answered; a second only when the first INVITE carried a
    // reused nonce the server no longer takes (stale, or it wants a fresh one). stale=true
    // says our credentials were right and only the nonce was refused (RFC 7616 §3.3: e.g. two
    // INVITEs of this caller reordered past the server's nc check), so it earns one more
    // answer, whatever came before; one only, so a server that is always stale cannot loop us.
    const bool proxy = r.status() == 407;
    auto peek = sip::parse_challenge(
        r.header(proxy ? sip::HeaderId::proxy_authenticate : sip::HeaderId::www_authenticate));
    const int allowed = (c.sent_cached_credentials ? 2 : 1) + (peek && peek->stale ? 1 : 0);
    if (c.auth_tries >= allowed) {
        ++stats_.subscribers.auth.failures_by_user[caller.user];
        caller.challenge.reset();  // the next call starts from a fresh challenge
        return false;
    }
    auto line = authorization_for(caller, r, "INVITE", callee_uris_[c.callee]);
    if (!line) return false;
    ++c.auth_tries;
    ++c.invite_cseq;
    c.authorization = std::move(*line);
    c.provisional = false;
    c.phase = Phase::inviting;
    send_invite(c, now);
    return true;
}

void UacCore::register_caller(std::uint32_t caller, sip::TimePoint now) {
    on_registration_event(caller, [now](sip::Registration& r) { r.start(now); });
}

void UacCore::on_registration_event(std::uint32_t index,
                                    const std::function<void(sip::Registration&)>& f) {
    if (index >= callers_.size() || !callers_[index].registration) return;
    Caller& c = callers_[index];
    sip::Registration& reg = *c.registration;
    using State = sip::Registration::State;
    const State before = reg.state();
    const std::uint32_t successes = reg.successes();
    f(reg);
    RegistrationStats& s = stats_.subscribers.registrations;
    if (reg.successes() > successes) {
        if (successes == 0)
            ++s.registered;
        else
            s.refreshes += reg.successes() - successes;
    }
    // Only a binding that existed was removed: a caller whose registration failed (or never
    // started) turns `unregistered` at once without a REGISTER and is not counted.
    if (reg.state() == State::unregistered && before == State::unregistering) ++s.unregistered;
    const bool settled_now = reg.state() == State::registered || reg.state() == State::failed;
    const bool was_pending = before == State::idle || before == State::registering;
    if (reg.state() == State::failed && before != State::failed && !unregister_sent_) {
        ++s.failed;
        c.registration_failed = true;
        if (!ready_) {
            const std::string hint =
                reg.failure_hint().empty() ? "" : " (" + reg.failure_hint() + ")";
            // Kept apart from auth.failures_by_user, which counts calls.
            stats_.subscribers.registrations.failed_users.push_back(c.user);
            if (setup_error_.empty())
                setup_error_ = "registration of " + reg.config().user + " at " +
                               options_.next_hop.to_string() +
                               " failed: " + std::to_string(reg.last_status()) + " " +
                               reg.last_reason() + hint;
        }
    }
    if (!ready_ && settled_now && was_pending && registrations_pending_ > 0) {
        if (--registrations_pending_ == 0) {
            ready_ = true;
            // Only when no caller could register is the batch unable to run; otherwise the
            // failed callers' calls go on and fail (or pass) on their own.
            if (s.failed < owned_callers_.size()) setup_error_.clear();
            if (!setup_error_.empty()) stopping_ = true;
            if (on_ready) on_ready();
        }
    }
    schedule_registration(index);
}

void UacCore::schedule_registration(std::uint32_t caller) {
    if (auto next = callers_[caller].registration->next_deadline()) reg_due_.push({*next, caller});
}

void UacCore::advance_registrations(sip::TimePoint now) {
    // Lazy heap: an entry may be stale (the deadline moved); advance() is a no-op then.
    while (!reg_due_.empty() && reg_due_.top().when <= now) {
        const std::uint32_t caller = reg_due_.top().caller;
        reg_due_.pop();
        on_registration_event(caller, [now](sip::Registration& r) { r.advance(now); });
    }
}

void UacCore::unregister_callers(sip::TimePoint now) {
    for (std::uint32_t i : owned_callers_) {
        if (!callers_[i].registration) continue;
        on_registration_event(i, [now](sip::Registration& r) { r.unregister(now); });
    }
}

bool UacCore::registrations_settled() const {
    using State = sip::Registration::State;
    for (std::uint32_t i : owned_callers_) {
        const auto& reg = callers_[i].registration;
        if (reg && reg->state() != State::unregistered && reg->state() != State::failed)
            return false;
    }
    return true;
}

}  // namespace pbxbench::uac
