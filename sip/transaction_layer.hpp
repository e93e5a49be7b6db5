#pragma once
// RFC 3261 §17 transactions, sans-IO: the caller feeds received datagrams and the current
// time, and sends what the layer hands to its DatagramSink. A fake clock and a fake sink
// therefore test every timer and loss path deterministically.
//
// Deliberate choices (each documented in docs/sip.md):
// - A client INVITE transaction ends on a 2xx (RFC 3261 §17.1.1.2); retransmitted 2xx then
//   reach the TU through on_response with no transaction, and the TU re-sends its ACK.
// - A server INVITE transaction that sent a 2xx retransmits it (the UAS core's duty of
//   §13.3.1.4, done here) until the ACK arrives (matched by Call-ID, CSeq and From tag) or
//   64*T1 passes; after the ACK it absorbs INVITE and ACK repeats for T4 (RFC 6026 Accepted).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sip/address.hpp"
#include "sip/header_id.hpp"
#include "sip/message.hpp"

namespace pbxbench::sip {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

struct TimerSettings {
    Duration t1 = std::chrono::milliseconds(500);
    Duration t2 = std::chrono::seconds(4);
    Duration t4 = std::chrono::seconds(5);
    // How long an INVITE may stay in Proceeding without a final response (like a proxy's
    // Timer C, RFC 3261 §16.6); the client transaction then times out with timer C.
    Duration proceeding_timeout = std::chrono::minutes(3);
    bool reliable_transport = false;  // true for TCP/TLS: no retransmissions, zero linger timers
};

// Where the layer sends bytes. Returns false when the transport refused the datagram.
class DatagramSink {
  public:
    virtual ~DatagramSink() = default;
    virtual bool send(std::string_view bytes, const Address& to) = 0;
};

using TransactionId = std::uint64_t;

enum class TransactionTimer : std::uint8_t { b, c, f, h, l };
std::string_view timer_name(TransactionTimer t);

// The transaction user: a UA core. Calls arrive synchronously from receive() and advance().
class TransactionUser {
  public:
    virtual ~TransactionUser() = default;
    // A response for a client transaction, or (id 0) a response matching none, e.g. a
    // retransmitted 2xx after the INVITE transaction ended.
    virtual void on_response(TransactionId id, std::uint64_t cookie, const Message& response) = 0;
    // Timer B, C or F fired: no final response came.
    virtual void on_client_timeout(TransactionId id, std::uint64_t cookie,
                                   TransactionTimer timer) = 0;
    virtual void on_transport_error(TransactionId id, std::uint64_t cookie) = 0;
    // A new request created a server transaction (never an ACK).
    virtual void on_request(TransactionId id, const Message& request, const Address& from) = 0;
    // An ACK that belongs to no server transaction: the ACK of a 2xx.
    virtual void on_ack(const Message& ack, const Address& from) = 0;
    // Timer H (no ACK for a non-2xx final) or Timer L (no ACK for a 2xx) fired.
    virtual void on_server_timeout(TransactionId /*id*/, TransactionTimer /*timer*/) {}
    // A datagram that is not a valid SIP message.
    virtual void on_parse_error(std::string_view /*bytes*/, const Address& /*from*/,
                                const Error& /*e*/) {}
};

struct TransactionCounters {
    std::uint64_t client_started = 0;
    std::uint64_t server_started = 0;
    std::uint64_t retransmissions_sent = 0;      // requests (A, E) and responses (G, 2xx) we resent
    std::uint64_t retransmissions_received = 0;  // duplicates absorbed by a transaction
    std::uint64_t timeouts = 0;                  // B, F, H, L
    std::uint64_t transport_errors = 0;
    std::uint64_t parse_errors = 0;
    std::uint64_t stray_responses = 0;  // responses matching no client transaction
};

class TransactionLayer {
  public:
    TransactionLayer(DatagramSink& sink, TransactionUser& user, TimerSettings timers = {});
    ~TransactionLayer();

    // Starts a client transaction and sends `request`. `branch` is the top Via branch and
    // `method` the request's method; `cookie` is handed back with every event. Returns 0 if
    // the transport refused the first send (on_transport_error is not called then).
    TransactionId send_request(std::string request, const Address& to, Method method,
                               std::string_view branch, std::uint64_t cookie, TimePoint now);

    // Sends a response through server transaction `id` (ignored if it has ended).
    void respond(TransactionId id, std::string response, int status, TimePoint now);

    // Sends bytes outside any transaction: the ACK of a 2xx, or a stateless reply.
    bool send_stateless(std::string_view bytes, const Address& to);

    // Handles one received datagram.
    void receive(std::string_view datagram, const Address& from, TimePoint now);

    // Fires every timer due at `now`.
    void advance(TimePoint now);
    // The earliest pending timer, if any.
    std::optional<TimePoint> next_deadline() const;

    // The INVITE server transaction that a CANCEL targets (same branch and sent-by), or 0.
    TransactionId find_invite_for_cancel(const Message& cancel) const;

    // A fresh RFC 3261 branch ("z9hG4bK" + unique suffix).
    std::string new_branch();

    const TransactionCounters& counters() const { return counters_; }
    std::size_t active() const;
    const TimerSettings& timers() const { return timers_; }

  private:
    struct Transaction;
    struct Due {
        TimePoint when;
        TransactionId id;
        bool operator>(const Due& o) const { return when > o.when; }
    };

    void on_request(Message msg, const Address& from, TimePoint now);
    void on_response(Message msg, TimePoint now);
    void service(Transaction& t, TimePoint now);
    void schedule(Transaction& t, TimePoint when);
    void destroy(TransactionId id);
    bool transmit(Transaction& t, std::string_view bytes);
    Address response_target(const Message& request, const Address& from) const;
    std::string build_non2xx_ack(const Transaction& t, const Message& response) const;

    DatagramSink& sink_;
    TransactionUser& user_;
    TimerSettings timers_;
    TransactionCounters counters_;
    std::unordered_map<TransactionId, std::unique_ptr<Transaction>> txns_;
    std::unordered_map<std::string, TransactionId> index_;  // match key -> id
    std::unordered_map<std::string, TransactionId>
        awaiting_2xx_ack_;  // dialog key -> INVITE that sent a 2xx
    std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
    TransactionId next_id_ = 1;
    std::uint64_t branch_counter_ = 0;
    std::string branch_prefix_;
};

}  // namespace pbxbench::sip
