#pragma once
// One non-INVITE method's load (REGISTER, OPTIONS, MESSAGE), sans-IO like UacCore: the driver
// gives it time and the transaction layer's events; it sends through that layer and reports
// per-method figures. Each load owns its transaction layer and socket (no demultiplexing).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sip/transaction_layer.hpp"

namespace pbxbench::uac {

struct MethodLoadReport {
    std::string method;        // "register", "options", "message"
    std::uint64_t sent = 0;    // requests started (a challenge answered is the same request)
    std::uint64_t ok = 0;      // ended with a 2xx
    std::uint64_t failed = 0;  // ended otherwise
    // "403", "503", "timeout", "transport": why the failed ones failed
    std::map<std::string, std::uint64_t> failures;
    // Request to final 2xx, challenge round trip included, per successful request.
    std::vector<double> latency_ms;
    // Method-specific counts, e.g. "refreshes", "unregistered", "retried_423", "accepted_202".
    std::map<std::string, std::uint64_t> counters;
};

class MethodLoad : public sip::TransactionUser {
  public:
    // Binds the load to its layer (which must outlive it); `sent_by` is our "host:port".
    virtual void attach(sip::TransactionLayer& layer, std::string sent_by) = 0;
    // Starts the schedule at `now` (request i due at now + i/rate).
    virtual void start(sip::TimePoint now) = 0;
    // Fires what is due at `now`.
    virtual void advance(sip::TimePoint now) = 0;
    // When advance() next has work; nullopt when nothing is scheduled.
    virtual std::optional<sip::TimePoint> next_deadline() const = 0;
    // No new requests; wind down (e.g. un-REGISTER what is bound).
    virtual void stop(sip::TimePoint now) = 0;
    // Every request ended and the wind-down is over.
    virtual bool finished() const = 0;
    virtual MethodLoadReport report() const = 0;
};

}  // namespace pbxbench::uac
