#include "sip/transaction_layer.hpp"

#include <random>

#include "sip/message_builder.hpp"

namespace pbxbench::sip {

namespace {

enum class State : std::uint8_t { calling, trying, proceeding, completed, accepted, confirmed };

constexpr TimePoint never = TimePoint::max();

std::string client_key(std::string_view branch, Method method) {
    std::string key;
    key.reserve(branch.size() + 2);
    key.append(branch);
    key.push_back('\x01');
    key.push_back(static_cast<char>(method));
    return key;
}

// RFC 3261 §17.2.3: branch + sent-by + method, with ACK matching its INVITE. Requests from
// RFC 2543 peers (no magic cookie) fall back to Call-ID, CSeq number, From tag and sent-by.
std::string server_key(const Message& m, Method method) {
    const Via& via = m.top_via();
    std::string key;
    if (via.has_rfc3261_branch()) {
        key.append(via.branch());
    } else {
        key.append("2543|").append(m.call_id()).push_back('|');
        append_uint(key, m.cseq().number);
        key.push_back('|');
        key.append(m.from().tag());
    }
    key.push_back('|');
    key.append(via.sent_by);
    key.push_back('\x02');
    key.push_back(static_cast<char>(method));
    return key;
}

std::string dialog_key(const Message& m) {
    std::string key(m.call_id());
    key.push_back('|');
    append_uint(key, m.cseq().number);
    key.push_back('|');
    key.append(m.from().tag());
    return key;
}

}  // namespace

struct TransactionLayer::Transaction {
    TransactionId id = 0;
    bool client = false;
    bool invite = false;
    State state = State::trying;
    std::uint64_t cookie = 0;
    std::string key;
    std::string dialog_key;  // server INVITE: where a 2xx ACK finds it
    std::string last;        // client: the request, then the ACK; server: the last response
    Address peer;
    Duration interval{};
    TimePoint retransmit_at = never;
    TimePoint timeout_at = never;
};

std::string_view timer_name(TransactionTimer t) {
    switch (t) {
        case TransactionTimer::b:
            return "B";
        case TransactionTimer::c:
            return "C";
        case TransactionTimer::f:
            return "F";
        case TransactionTimer::h:
            return "H";
        case TransactionTimer::l:
            return "L";
    }
    return "?";
}

TransactionLayer::TransactionLayer(DatagramSink& sink, TransactionUser& user, TimerSettings timers)
    : sink_(sink), user_(user), timers_(timers) {
    std::random_device rd;
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%08x", rd());
    branch_prefix_ = std::string(branch_cookie) + prefix + ".";
}

TransactionLayer::~TransactionLayer() = default;

std::string TransactionLayer::new_branch() {
    std::string b = branch_prefix_;
    append_uint(b, ++branch_counter_);
    return b;
}

std::size_t TransactionLayer::active() const {
    return txns_.size();
}

bool TransactionLayer::send_stateless(std::string_view bytes, const Address& to) {
    bool ok = sink_.send(bytes, to);
    if (!ok) ++counters_.transport_errors;
    return ok;
}

bool TransactionLayer::transmit(Transaction& t, std::string_view bytes) {
    bool ok = sink_.send(bytes, t.peer);
    if (!ok) ++counters_.transport_errors;
    return ok;
}

void TransactionLayer::schedule(Transaction& t, TimePoint when) {
    if (when != never) due_.push({when, t.id});
}

void TransactionLayer::destroy(TransactionId id) {
    auto it = txns_.find(id);
    if (it == txns_.end()) return;
    Transaction& t = *it->second;
    index_.erase(t.key);
    if (!t.dialog_key.empty()) {
        auto d = awaiting_2xx_ack_.find(t.dialog_key);
        if (d != awaiting_2xx_ack_.end() && d->second == id) awaiting_2xx_ack_.erase(d);
    }
    txns_.erase(it);
}

TransactionId TransactionLayer::send_request(std::string request, const Address& to, Method method,
                                             std::string_view branch, std::uint64_t cookie,
                                             TimePoint now) {
    auto t = std::make_unique<Transaction>();
    t->id = next_id_++;
    t->client = true;
    t->invite = method == Method::invite;
    t->state = t->invite ? State::calling : State::trying;
    t->cookie = cookie;
    t->key = client_key(branch, method);
    t->peer = to;
    t->last = std::move(request);
    if (!transmit(*t, t->last)) return 0;
    if (!timers_.reliable_transport) {
        t->interval = timers_.t1;
        t->retransmit_at = now + timers_.t1;  // Timer A or E
    }
    t->timeout_at = now + 64 * timers_.t1;  // Timer B or F
    ++counters_.client_started;
    schedule(*t, std::min(t->retransmit_at, t->timeout_at));
    TransactionId id = t->id;
    index_[t->key] = id;
    txns_.emplace(id, std::move(t));
    return id;
}

void TransactionLayer::respond(TransactionId id, std::string response, int status, TimePoint now) {
    auto it = txns_.find(id);
    if (it == txns_.end() || it->second->client) return;
    Transaction& t = *it->second;
    if (t.state == State::completed || t.state == State::accepted || t.state == State::confirmed)
        return;
    transmit(t, response);
    t.last = std::move(response);
    if (status < 200) {
        if (!t.invite) t.state = State::proceeding;
        return;
    }
    bool unreliable = !timers_.reliable_transport;
    if (t.invite) {
        // 2xx: retransmitted until the ACK (§13.3.1.4); non-2xx: Timer G until the ACK.
        t.state = status < 300 ? State::accepted : State::completed;
        if (unreliable) {
            t.interval = timers_.t1;
            t.retransmit_at = now + timers_.t1;
        }
        t.timeout_at = now + 64 * timers_.t1;  // Timer L or H
        if (status < 300) awaiting_2xx_ack_[t.dialog_key] = t.id;
    } else {
        t.state = State::completed;
        if (!unreliable) {
            destroy(id);
            return;
        }
        t.timeout_at = now + 64 * timers_.t1;  // Timer J
    }
    schedule(t, std::min(t.retransmit_at, t.timeout_at));
}

void TransactionLayer::receive(std::string_view datagram, const Address& from, TimePoint now) {
    auto msg = Message::parse(datagram);
    if (!msg) {
        ++counters_.parse_errors;
        user_.on_parse_error(datagram, from, msg.error());
        return;
    }
    if (msg->is_request()) {
        on_request(std::move(*msg), from, now);
    } else {
        on_response(std::move(*msg), now);
    }
}

void TransactionLayer::on_response(Message msg, TimePoint now) {
    auto found = index_.find(client_key(msg.top_via().branch(), msg.cseq().method));
    if (found == index_.end()) {
        ++counters_.stray_responses;
        user_.on_response(0, 0, msg);
        return;
    }
    Transaction& t = *txns_.at(found->second);
    const TransactionId id = t.id;
    const std::uint64_t cookie = t.cookie;
    const int status = msg.status();

    if (t.state == State::completed) {
        // A retransmitted final: the INVITE's ACK is re-sent; anything else is absorbed.
        ++counters_.retransmissions_received;
        if (t.invite && status >= 300) transmit(t, t.last);
        return;
    }
    if (status < 200) {
        if (t.invite && t.state == State::calling) {
            // Timer A and B stop (§17.1.1.2); a Timer C-like bound keeps a silent peer from
            // holding the transaction forever.
            t.retransmit_at = never;
            t.timeout_at = now + timers_.proceeding_timeout;
            schedule(t, t.timeout_at);
        }
        t.state = State::proceeding;  // Timer E continues at T2
        user_.on_response(id, cookie, msg);
        return;
    }
    if (t.invite && status < 300) {
        destroy(id);
        user_.on_response(id, cookie, msg);
        return;
    }
    if (t.invite) {
        t.last = build_non2xx_ack(t, msg);
        transmit(t, t.last);
    }
    t.state = State::completed;
    t.retransmit_at = never;
    if (timers_.reliable_transport) {
        destroy(id);
    } else {
        t.timeout_at =
            now + (t.invite ? Duration(std::chrono::seconds(32)) : timers_.t4);  // Timer D or K
        schedule(t, t.timeout_at);
    }
    user_.on_response(id, cookie, msg);
}

void TransactionLayer::on_request(Message msg, const Address& from, TimePoint now) {
    if (msg.method() == Method::ack) {
        auto found = index_.find(server_key(msg, Method::invite));
        if (found != index_.end()) {
            Transaction& t = *txns_.at(found->second);
            if (t.state == State::completed) {
                t.state = State::confirmed;  // the ACK of our non-2xx; Timer I absorbs repeats
                t.retransmit_at = never;
                t.timeout_at = now + (timers_.reliable_transport ? Duration{} : timers_.t4);
                schedule(t, t.timeout_at);
                return;
            }
            if (t.state == State::confirmed) {
                ++counters_.retransmissions_received;
                return;
            }
        }
        auto waiting = awaiting_2xx_ack_.find(dialog_key(msg));
        if (waiting != awaiting_2xx_ack_.end()) {
            Transaction& t = *txns_.at(waiting->second);
            if (t.state == State::confirmed) {
                ++counters_.retransmissions_received;  // a repeated ACK of the same 2xx
                return;
            }
            // The mapping stays until the transaction ends, to absorb repeated ACKs.
            t.state = State::confirmed;
            t.retransmit_at = never;
            t.timeout_at = now + timers_.t4;
            schedule(t, t.timeout_at);
        }
        user_.on_ack(msg, from);
        return;
    }

    std::string key = server_key(msg, msg.method());
    auto found = index_.find(key);
    if (found != index_.end()) {
        Transaction& t = *txns_.at(found->second);
        ++counters_.retransmissions_received;
        // Proceeding re-sends the last provisional, Completed the final; others absorb.
        bool resend = t.state == State::proceeding || t.state == State::completed;
        if (resend && !t.last.empty()) transmit(t, t.last);
        return;
    }

    auto t = std::make_unique<Transaction>();
    t->id = next_id_++;
    t->invite = msg.method() == Method::invite;
    t->state = t->invite ? State::proceeding : State::trying;
    t->key = std::move(key);
    t->peer = response_target(msg, from);
    if (t->invite) t->dialog_key = dialog_key(msg);
    ++counters_.server_started;
    TransactionId id = t->id;
    index_[t->key] = id;
    txns_.emplace(id, std::move(t));
    user_.on_request(id, msg, from);
}

void TransactionLayer::advance(TimePoint now) {
    while (!due_.empty() && due_.top().when <= now) {
        TransactionId id = due_.top().id;
        due_.pop();
        auto it = txns_.find(id);
        if (it != txns_.end()) service(*it->second, now);
    }
}

std::optional<TimePoint> TransactionLayer::next_deadline() const {
    if (due_.empty()) return std::nullopt;
    return due_.top().when;
}

void TransactionLayer::service(Transaction& t, TimePoint now) {
    const TransactionId id = t.id;
    if (t.timeout_at <= now) {
        const std::uint64_t cookie = t.cookie;
        const bool client = t.client;
        const bool invite = t.invite;
        const State state = t.state;
        destroy(id);
        if (client && state != State::completed) {
            ++counters_.timeouts;
            TransactionTimer timer = !invite                      ? TransactionTimer::f
                                     : state == State::proceeding ? TransactionTimer::c
                                                                  : TransactionTimer::b;
            user_.on_client_timeout(id, cookie, timer);
        } else if (!client && invite && (state == State::completed || state == State::accepted)) {
            ++counters_.timeouts;
            user_.on_server_timeout(
                id, state == State::completed ? TransactionTimer::h : TransactionTimer::l);
        }
        return;
    }
    if (t.retransmit_at > now) return;
    if (!transmit(t, t.last) && t.client) {
        // §17.1.4: a transport failure ends the client transaction and is reported.
        const std::uint64_t cookie = t.cookie;
        destroy(id);
        user_.on_transport_error(id, cookie);
        return;
    }
    ++counters_.retransmissions_sent;
    if (t.client && t.invite) {
        t.interval *= 2;  // Timer A doubles without a cap
    } else if (t.client && t.state == State::proceeding) {
        t.interval = timers_.t2;
    } else {
        t.interval = std::min(t.interval * 2, timers_.t2);  // Timer E, G, 2xx
    }
    t.retransmit_at = now + t.interval;
    schedule(t, std::min(t.retransmit_at, t.timeout_at));
}

TransactionId TransactionLayer::find_invite_for_cancel(const Message& cancel) const {
    auto found = index_.find(server_key(cancel, Method::invite));
    return found == index_.end() ? 0 : found->second;
}

Address TransactionLayer::response_target(const Message& request, const Address& from) const {
    // RFC 3581: with rport, reply to the source port; otherwise to the sent-by port.
    const Via& via = request.top_via();
    Address to = from;
    if (!via.params.has("rport")) to.port = via.port.value_or(5060);
    return to;
}

std::string TransactionLayer::build_non2xx_ack(const Transaction& t,
                                               const Message& response) const {
    // §17.1.1.3: same Request-URI, Call-ID, From, CSeq number and top Via as the INVITE,
    // the response's To, and the INVITE's Route headers.
    auto request = Message::parse(t.last);
    if (!request) return {};
    MessageBuilder b;
    b.request_line("ACK", request->request_uri());
    CommaList vias(request->header(HeaderId::via));
    b.header("Via", vias.next().value_or(std::string_view{}));
    for (const HeaderField& h : request->headers()) {
        if (h.id == HeaderId::route) b.header("Route", h.value);
    }
    b.header("Max-Forwards", 70);
    b.header("From", request->header(HeaderId::from));
    b.header("To", response.header(HeaderId::to));
    b.header("Call-ID", request->call_id());
    b.header("CSeq", request->cseq().number, " ACK");
    return b.finish();
}

}  // namespace pbxbench::sip
