#pragma once
// A REGISTER client (RFC 3261 §10.2) for one binding, sans-IO like the transaction layer.
// It is not a TransactionUser: its owner (a UA core) forwards the responses and timeouts of
// the transactions started with `cookie`, and calls advance() so refreshes go out on time.
// UAS endpoints and UAC callers share it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sip/address.hpp"
#include "sip/digest.hpp"
#include "sip/transaction_layer.hpp"

namespace pbxbench::sip {

struct RegistrationConfig {
    Address registrar;          // where REGISTERs are sent
    std::string registrar_uri;  // Request-URI, "sip:DOMAIN"
    std::string user;
    std::string password;
    std::string domain;       // the address-of-record is sip:USER@DOMAIN
    std::string contact_uri;  // "sip:USER@HOST:PORT", the binding we ask for
    std::chrono::seconds expires{3600};
    // Refresh at this fraction of the granted expiry (0: refresh_delay's rule). Load tests
    // choose it so refreshes happen within a short run.
    double refresh_fraction = 0;
};

class Registration {
  public:
    enum class State { idle, registering, registered, unregistering, unregistered, failed };

    // `layer` must outlive this object; `sent_by` is our Via host:port. Every transaction it
    // starts carries `cookie`, so the owner can route that transaction's events back here.
    Registration(TransactionLayer& layer, const std::string& sent_by, RegistrationConfig config,
                 std::uint64_t cookie);

    // Sends the first REGISTER (idle, failed or unregistered only; otherwise ignored).
    void start(TimePoint now);
    // Removes the binding with Expires: 0. From idle or failed there is nothing to remove and
    // the state becomes unregistered at once.
    void unregister(TimePoint now);

    // A response to one of our transactions (stray ones, with another CSeq, are ignored).
    void on_response(const Message& response, TimePoint now);
    // Timer F fired or the transport failed for transaction `id`: if it is the current
    // REGISTER, the attempt fails as a local 408 (RFC 3261 §8.1.3.1) or 503.
    void on_timeout(TransactionId id, TransactionTimer timer);
    void on_transport_error(TransactionId id);
    // Sends the refresh REGISTER when it is due.
    void advance(TimePoint now);
    // When advance() next has work to do (the refresh), if anything is scheduled.
    std::optional<TimePoint> next_deadline() const;

    State state() const { return state_; }
    // True once a REGISTER was sent and no final response for it has arrived yet.
    bool in_flight() const { return in_flight_; }
    // The transaction of the REGISTER in flight (0 when none was started), so an owner can
    // tell a response to the current request from a stray one.
    TransactionId transaction() const { return txn_; }
    // The last final status (0 before any; 408 for a local timeout) and its reason phrase.
    int last_status() const { return last_status_; }
    const std::string& last_reason() const { return last_reason_; }
    // What the failure probably means, for humans ("wrong password?"); empty when the
    // status says it all.
    const std::string& failure_hint() const { return failure_hint_; }
    // The Contact element the registrar returned for our binding, e.g. "<sip:bob@h:p>;expires=60".
    const std::string& accepted_contact() const { return accepted_contact_; }
    std::chrono::seconds granted_expires() const { return granted_expires_; }
    // Successful REGISTER rounds (initial and refreshes, not the un-REGISTER).
    std::uint32_t successes() const { return successes_; }
    const RegistrationConfig& config() const { return config_; }

  private:
    struct Auth {
        Challenge challenge;
        bool proxy = false;  // 407: Proxy-Authorization instead of Authorization
        std::uint32_t nonce_count = 0;
    };

    void new_round();
    void send(TimePoint now);
    void finish_round(const Message& response, TimePoint now);
    void fail_with(int status, std::string_view reason, std::string hint = {});
    // Adopts the challenge in a 401/407; false (with the failure recorded) if we must give up.
    bool answer_challenge(const Message& response);
    bool is_our_contact(std::string_view uri) const;

    TransactionLayer& layer_;
    std::string sent_by_;
    RegistrationConfig config_;
    std::uint64_t cookie_;
    std::string call_id_;
    std::string from_tag_;
    std::uint32_t cseq_ = 0;
    State state_ = State::idle;
    bool in_flight_ = false;
    TransactionId txn_ = 0;
    bool unregister_queued_ = false;        // §10.2: wait for the in-flight REGISTER first
    bool removing_ = false;                 // the in-flight REGISTER asks for Expires: 0
    std::chrono::seconds request_expires_;  // raised by 423 Min-Expires
    std::optional<Auth> auth_;
    bool credentials_fresh_ = false;  // the last request answered a challenge to its predecessor
    int challenges_this_round_ = 0;
    int interval_retries_ = 0;  // 423 answers followed this round
    std::optional<TimePoint> refresh_at_;
    int last_status_ = 0;
    std::string last_reason_;
    std::string failure_hint_;
    std::string accepted_contact_;
    std::chrono::seconds granted_expires_{0};
    std::uint32_t successes_ = 0;
};

// "registered", "failed", ...
std::string_view to_string(Registration::State s);

// When to refresh a binding granted for `expires`: at 80% of it, or 5 s before the end if
// that is sooner, but never before half of it (a tiny grant would otherwise spin).
std::chrono::milliseconds refresh_delay(std::chrono::seconds expires);

}  // namespace pbxbench::sip
