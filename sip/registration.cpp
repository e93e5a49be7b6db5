#include "sip/registration.hpp"

#include <algorithm>

#include "sip/message_builder.hpp"
#include "sip/uri.hpp"

namespace pbxbench::sip {

namespace {

// A challenge round that keeps asking (stale nonces, or 423s) is a broken registrar.
constexpr int max_challenges_per_round = 3;
constexpr int max_interval_retries = 2;

}  // namespace

std::string_view to_string(Registration::State s) {
    switch (s) {
        case Registration::State::idle:
            return "idle";
        case Registration::State::registering:
            return "registering";
        case Registration::State::registered:
            return "registered";
        case Registration::State::unregistering:
            return "unregistering";
        case Registration::State::unregistered:
            return "unregistered";
        case Registration::State::failed:
            return "failed";
    }
    return "?";
}

std::chrono::milliseconds refresh_delay(std::chrono::seconds expires) {
    using std::chrono::milliseconds;
    auto full = std::chrono::duration_cast<milliseconds>(expires);
    milliseconds delay = std::min(full * 8 / 10, full - milliseconds(5000));
    return std::max(delay, full / 2);
}

Registration::Registration(TransactionLayer& layer, const std::string& sent_by,
                           RegistrationConfig config, std::uint64_t cookie)
    : layer_(layer),
      sent_by_(sent_by),
      config_(std::move(config)),
      cookie_(cookie),
      // One Call-ID for every REGISTER of this binding (§10.2), so the registrar orders them by
      // CSeq.
      call_id_(make_cnonce() + "@pbxbench"),
      from_tag_(make_cnonce().substr(0, 12)),
      request_expires_(config_.expires) {}

void Registration::new_round() {
    credentials_fresh_ = false;
    challenges_this_round_ = 0;
    interval_retries_ = 0;
    failure_hint_.clear();
}

void Registration::start(TimePoint now) {
    if (state_ == State::registering || state_ == State::registered ||
        state_ == State::unregistering)
        return;
    state_ = State::registering;
    removing_ = false;
    request_expires_ = config_.expires;
    new_round();
    send(now);
}

void Registration::unregister(TimePoint now) {
    switch (state_) {
        case State::idle:
        case State::failed:
            state_ = State::unregistered;
            return;
        case State::unregistered:
        case State::unregistering:
            return;
        case State::registering:
        case State::registered:
            break;
    }
    state_ = State::unregistering;
    refresh_at_.reset();
    if (in_flight_) {
        unregister_queued_ = true;
        return;
    }
    removing_ = true;
    new_round();
    send(now);
}

void Registration::send(TimePoint now) {
    std::string branch = layer_.new_branch();
    ++cseq_;
    MessageBuilder b;
    b.request_line("REGISTER", config_.registrar_uri);
    b.header("Via", "SIP/2.0/UDP ", sent_by_, ";branch=", branch, ";rport");
    b.header("Max-Forwards", 70);
    b.header("From", "<sip:", config_.user, "@", config_.domain, ">;tag=", from_tag_);
    b.header("To", "<sip:", config_.user, "@", config_.domain, ">");
    b.header("Call-ID", call_id_);
    b.header("CSeq", cseq_, " REGISTER");
    b.header("Contact", "<", config_.contact_uri, ">");
    b.header("Expires", removing_ ? 0u : static_cast<std::uint32_t>(request_expires_.count()));
    if (auth_) {
        // Refreshes reuse the last nonce with the next nonce count and skip a round trip; a
        // registrar that wants a new nonce challenges again, which answer_challenge accepts.
        ++auth_->nonce_count;
        b.header(auth_->proxy ? "Proxy-Authorization" : "Authorization",
                 build_authorization(auth_->challenge, {config_.user, config_.password}, "REGISTER",
                                     config_.registrar_uri, auth_->nonce_count, make_cnonce()));
    }
    b.header("User-Agent", "pbxbench/" PBXBENCH_VERSION);
    in_flight_ = true;
    txn_ =
        layer_.send_request(b.finish(), config_.registrar, Method::register_, branch, cookie_, now);
    if (txn_ == 0) fail_with(503, "Service Unavailable", "the transport refused the REGISTER");
}

void Registration::on_response(const Message& r, TimePoint now) {
    if (!in_flight_ || r.cseq().number != cseq_ || r.call_id() != call_id_ || r.status() < 200)
        return;
    in_flight_ = false;
    const int status = r.status();
    if (unregister_queued_) {
        // Whatever became of the last REGISTER, the binding has to go now.
        unregister_queued_ = false;
        removing_ = true;
        new_round();
        send(now);
        return;
    }
    if (status == 401 || status == 407) {
        if (answer_challenge(r)) send(now);
        return;
    }
    if (status == 423 && !removing_) {
        auto min = parse_uint(trim(r.header(HeaderId::min_expires)));
        if (min && std::chrono::seconds(*min) > request_expires_ &&
            ++interval_retries_ <= max_interval_retries) {
            request_expires_ = std::chrono::seconds(*min);
            send(now);
            return;
        }
        fail_with(status, r.reason(), "the registrar's Min-Expires could not be satisfied");
        return;
    }
    if (status >= 300) {
        fail_with(status, r.reason());
        return;
    }
    finish_round(r, now);
}

bool Registration::answer_challenge(const Message& r) {
    const bool proxy = r.status() == 407;
    const HeaderId id = proxy ? HeaderId::proxy_authenticate : HeaderId::www_authenticate;
    std::optional<Challenge> challenge;
    // A registrar may offer several algorithms; take the first we implement.
    for (const HeaderField& h : r.headers()) {
        if (h.id != id) continue;
        auto c = parse_challenge(h.value);
        if (c) {
            challenge = std::move(*c);
            break;
        }
    }
    if (!challenge) {
        fail_with(r.status(), r.reason(), "no Digest challenge we can answer");
        return false;
    }
    if (credentials_fresh_ && !challenge->stale) {
        // The credentials answered the previous challenge and were refused, not a stale nonce.
        fail_with(r.status(), r.reason(), "wrong password?");
        return false;
    }
    if (++challenges_this_round_ > max_challenges_per_round) {
        fail_with(r.status(), r.reason(), "the registrar keeps challenging");
        return false;
    }
    auth_ = Auth{std::move(*challenge), proxy, 0};
    credentials_fresh_ = true;
    return true;
}

bool Registration::is_our_contact(std::string_view uri) const {
    if (uri == config_.contact_uri) return true;
    auto theirs = parse_uri(uri);
    auto ours = parse_uri(config_.contact_uri);
    return theirs && ours && theirs->user == ours->user && iequals(theirs->host, ours->host) &&
           theirs->port_or_default() == ours->port_or_default();
}

void Registration::finish_round(const Message& r, TimePoint now) {
    last_status_ = r.status();
    last_reason_ = r.reason();
    if (removing_) {
        state_ = State::unregistered;
        refresh_at_.reset();
        return;
    }
    // Granted expiry: our Contact's expires param, else the Expires header, else what we asked.
    std::optional<std::uint64_t> granted;
    accepted_contact_.clear();
    r.for_each_element(HeaderId::contact, [&](std::string_view element) {
        auto na = parse_name_addr(element);
        if (!na || !accepted_contact_.empty() || !is_our_contact(na->uri)) return;
        accepted_contact_ = element;
        if (auto e = na->params.get("expires")) granted = parse_uint(*e);
    });
    if (!granted) granted = parse_uint(trim(r.header(HeaderId::expires)));
    granted_expires_ = granted ? std::chrono::seconds(*granted) : request_expires_;
    state_ = State::registered;
    ++successes_;
    if (config_.refresh_fraction > 0) {
        refresh_at_ =
            now + std::chrono::duration_cast<Duration>(granted_expires_ * config_.refresh_fraction);
    } else {
        refresh_at_ = now + refresh_delay(granted_expires_);
    }
}

void Registration::fail_with(int status, std::string_view reason, std::string hint) {
    state_ = State::failed;
    in_flight_ = false;
    unregister_queued_ = false;
    refresh_at_.reset();
    last_status_ = status;
    last_reason_ = reason;
    failure_hint_ = std::move(hint);
}

void Registration::on_timeout(TransactionId id, TransactionTimer timer) {
    if (!in_flight_ || id != txn_) return;
    fail_with(408, "Request Timeout",
              "no response from the registrar (timer " + std::string(timer_name(timer)) + ")");
}

void Registration::on_transport_error(TransactionId id) {
    if (!in_flight_ || id != txn_) return;
    fail_with(503, "Service Unavailable", "the transport failed while retransmitting the REGISTER");
}

void Registration::advance(TimePoint now) {
    if (state_ != State::registered || in_flight_ || !refresh_at_ || now < *refresh_at_) return;
    refresh_at_.reset();
    new_round();
    send(now);
}

std::optional<TimePoint> Registration::next_deadline() const {
    if (state_ != State::registered || in_flight_) return std::nullopt;
    return refresh_at_;
}

}  // namespace pbxbench::sip
