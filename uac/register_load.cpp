#include "uac/register_load.hpp"

#include <algorithm>

#include "sip/message_builder.hpp"

namespace pbxbench::uac {

using sip::Registration;
using sip::TimePoint;
using State = Registration::State;

namespace {
// Un-REGISTERs per second at least. 2,000 at once cost Kamailio 378 retransmissions; 1,000/s
// went through clean (bench/registration_rate).
constexpr double min_removal_rate = 500;
}  // namespace

RegisterLoad::RegisterLoad(RegisterLoadOptions options, std::function<TimePoint()> clock)
    : options_(std::move(options)), clock_(std::move(clock)) {
    users_.resize(options_.users.size());
    report_.method = "register";
    // Present even when zero, so rows and readers see every counter of this method.
    for (const char* c : {"challenges", "refreshes", "retried_423", "expiry_shortened",
                          "binding_missing", "unregister_sent", "unregistered", "unregister_failed",
                          "peak_bindings", "options_answered"})
        report_.counters[c] = 0;
}

RegisterLoad::~RegisterLoad() = default;

void RegisterLoad::attach(sip::TransactionLayer& layer, std::string sent_by) {
    layer_ = &layer;
    sent_by_ = std::move(sent_by);
}

TimePoint RegisterLoad::due(std::size_t index) const {
    // From t0 each time, so a long schedule never drifts.
    return t0_ + std::chrono::duration_cast<sip::Duration>(
                     std::chrono::duration<double>(static_cast<double>(index) / options_.rate));
}

void RegisterLoad::start(TimePoint now) {
    if (started_) return;
    started_ = true;
    t0_ = now;
    advance(now);
}

void RegisterLoad::note_started(User& u, Pending kind, TimePoint now) {
    if (u.pending == Pending::none) ++in_flight_;
    u.pending = kind;
    u.started = now;
    if (kind == Pending::removal) {
        ++report_.counters["unregister_sent"];
    } else {
        ++report_.sent;
    }
}

void RegisterLoad::begin_user(std::size_t index, TimePoint now) {
    const Subscriber& s = options_.users[index];
    sip::RegistrationConfig c;
    c.registrar = options_.registrar;
    c.registrar_uri = "sip:" + options_.domain;
    c.user = s.user;
    c.password = s.password;
    c.domain = options_.domain;
    c.contact_uri = "sip:" + s.user + "@" + sent_by_;
    c.expires = options_.expires;
    c.refresh_fraction = options_.refresh_fraction;
    User& u = users_[index];
    u.reg = std::make_unique<Registration>(*layer_, sent_by_, std::move(c), index);
    u.reg->start(now);
    note_started(u, Pending::initial, now);
    // The transport refused the first datagram: the request ended at once.
    if (!u.reg->in_flight()) settle(index, 503, "transport", now);
}

void RegisterLoad::advance(TimePoint now) {
    if (!started_) return;
    if (stopping_) {
        // Un-REGISTER user k at stop + k/rate, in the order they registered.
        while (next_removal_ < next_ && removal_due(next_removal_) <= now)
            unregister_user(next_removal_++, now);
        return;
    }
    while (!stopping_ && next_ < users_.size() && due(next_) <= now) begin_user(next_++, now);
    while (!refreshes_.empty() && refreshes_.top().when <= now) {
        const std::size_t index = refreshes_.top().user;
        refreshes_.pop();
        User& u = users_[index];
        if (stopping_ || u.pending != Pending::none || u.reg->state() != State::registered)
            continue;
        u.reg->advance(now);
        if (u.reg->in_flight()) {
            note_started(u, Pending::refresh, now);
        } else if (u.reg->state() == State::failed) {
            note_started(u, Pending::refresh, now);
            settle(index, 503, "transport", now);
        } else if (auto next = u.reg->next_deadline()) {
            // Not due yet (an earlier entry of a binding refreshed since): wait for its time.
            refreshes_.push({*next, index});
        }
    }
}

TimePoint RegisterLoad::removal_due(std::size_t index) const {
    // Never slower than min_removal_rate: a slow storm of many users must not take hours to end.
    const double rate = std::max(options_.rate, min_removal_rate);
    return stop_t0_ + std::chrono::duration_cast<sip::Duration>(
                          std::chrono::duration<double>(static_cast<double>(index) / rate));
}

std::optional<TimePoint> RegisterLoad::next_deadline() const {
    if (!started_) return std::nullopt;
    if (stopping_) {
        if (next_removal_ < next_) return removal_due(next_removal_);
        return std::nullopt;
    }
    std::optional<TimePoint> next;
    if (next_ < users_.size()) next = due(next_);
    if (!refreshes_.empty() && (!next || refreshes_.top().when < *next))
        next = refreshes_.top().when;
    return next;
}

void RegisterLoad::stop(TimePoint now) {
    if (stopping_) return;
    stopping_ = true;
    stop_t0_ = now;
    advance(now);
}

void RegisterLoad::unregister_user(std::size_t index, TimePoint now) {
    User& u = users_[index];
    const State s = u.reg->state();
    if (s != State::registering && s != State::registered) return;
    const bool was_in_flight = u.reg->in_flight();
    u.reg->unregister(now);
    // In flight: Registration sends the un-REGISTER once that request is answered.
    if (was_in_flight) return;
    note_started(u, Pending::removal, now);
    if (!u.reg->in_flight()) settle(index, 503, "transport", now);
}

bool RegisterLoad::finished() const {
    return stopping_ && next_removal_ >= next_ && in_flight_ == 0;
}

void RegisterLoad::set_bound(User& u, bool bound) {
    if (u.bound == bound) return;
    u.bound = bound;
    if (bound) {
        ++bound_;
        auto& peak = report_.counters["peak_bindings"];
        peak = std::max<std::uint64_t>(peak, bound_);
    } else {
        --bound_;
    }
}

void RegisterLoad::count_failure(const std::string& key, Pending kind) {
    if (kind == Pending::removal) {
        ++report_.counters["unregister_failed"];
        return;
    }
    ++report_.failed;
    ++report_.failures[key];
}

void RegisterLoad::settle(std::size_t index, int status, const std::string& failure_key,
                          TimePoint now) {
    User& u = users_[index];
    Registration& reg = *u.reg;
    const Pending kind = u.pending;
    if (kind == Pending::none) return;
    const bool ours_goes_on =
        reg.in_flight() && (kind == Pending::removal) == (reg.state() == State::unregistering);
    if (ours_goes_on) {
        // The same request, sent again: with credentials, or with the registrar's Min-Expires.
        if (status == 401 || status == 407) ++report_.counters["challenges"];
        if (status == 423) ++report_.counters["retried_423"];
        return;
    }
    const bool success = status >= 200 && status < 300;
    if (kind == Pending::removal) {
        if (success && reg.state() == State::unregistered) {
            ++report_.counters["unregistered"];
            set_bound(u, false);
        } else {
            count_failure(failure_key, kind);
        }
    } else if (success) {
        if (kind == Pending::refresh) ++report_.counters["refreshes"];
        // RFC 3261 §10.2.4: a 2xx lists every current binding of the address-of-record. Without
        // ours the registrar did not bind us, whatever its status says.
        const bool echoed = reg.state() != State::registered || !reg.accepted_contact().empty();
        if (echoed) {
            ++report_.ok;
            report_.latency_ms.push_back(
                std::chrono::duration<double, std::milli>(now - u.started).count());
            set_bound(u, true);
        } else {
            ++report_.counters["binding_missing"];
            count_failure("no_binding", kind);
            set_bound(u, false);
        }
        if (reg.state() == State::registered) {
            if (reg.granted_expires() < options_.expires) ++report_.counters["expiry_shortened"];
            // A binding the registrar did not echo is retried at its refresh time too.
            if (auto next = reg.next_deadline()) refreshes_.push({*next, index});
        }
    } else {
        // Stopped while a challenge or 423 was being answered: the un-REGISTER replaced it.
        const bool replaced = reg.in_flight() && reg.state() == State::unregistering;
        count_failure(replaced ? "stopped" : failure_key, kind);
        set_bound(u, false);
    }
    if (kind == Pending::initial && !u.answered) {
        u.answered = true;
        ++answered_;
    }
    u.pending = Pending::none;
    --in_flight_;
    // A queued un-REGISTER went out as soon as this answer came (RFC 3261 §10.2: one at a time).
    if (reg.in_flight() && reg.state() == State::unregistering)
        note_started(u, Pending::removal, now);
}

void RegisterLoad::on_response(sip::TransactionId id, std::uint64_t cookie, const sip::Message& r) {
    if (id == 0 || cookie >= next_ || r.status() < 200) return;
    User& u = users_[cookie];
    if (!u.reg->in_flight() || id != u.reg->transaction()) return;  // stray: not our request
    const TimePoint now = clock_();
    u.reg->on_response(r, now);
    settle(cookie, r.status(), std::to_string(r.status()), now);
}

void RegisterLoad::on_client_timeout(sip::TransactionId id, std::uint64_t cookie,
                                     sip::TransactionTimer timer) {
    if (cookie >= next_) return;
    User& u = users_[cookie];
    if (!u.reg->in_flight() || id != u.reg->transaction()) return;
    u.reg->on_timeout(id, timer);
    settle(cookie, 408, "timeout", clock_());
}

void RegisterLoad::on_transport_error(sip::TransactionId id, std::uint64_t cookie) {
    if (cookie >= next_) return;
    User& u = users_[cookie];
    if (!u.reg->in_flight() || id != u.reg->transaction()) return;
    u.reg->on_transport_error(id);
    settle(cookie, 503, "transport", clock_());
}

void RegisterLoad::on_request(sip::TransactionId id, const sip::Message& request,
                              const sip::Address&) {
    // Our bindings are reachable: answer keepalive OPTIONS like a phone would, refuse the rest.
    const bool options = request.method() == sip::Method::options;
    if (options) ++report_.counters["options_answered"];
    layer_->respond(id, sip::response_to(request, options ? 200 : 405, "rl").finish(),
                    options ? 200 : 405, clock_());
}

MethodLoadReport RegisterLoad::report() const {
    MethodLoadReport r = report_;
    r.counters["users"] = users_.size();
    r.counters["bindings"] = bound_;
    return r;
}

}  // namespace pbxbench::uac
