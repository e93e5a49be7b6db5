#pragma once
// Sends SIP OPTIONS pings through a real transaction layer and reports each answer:
// the liveness check for a SUT, and the smallest end-to-end use of the SIP stack.
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "sip/address.hpp"

namespace pbxbench::uac {

struct PingOptions {
    sip::Address target;
    std::string target_uri;  // Request-URI; defaults to sip:HOST:PORT of the target
    sip::Address bind;       // local address (port 0: any free port)
    int count = 1;
    std::chrono::milliseconds interval{1000};
    std::chrono::milliseconds t1{500};   // timeout is Timer F = 64*T1
    std::string from_user = "pbxbench";  // a PBX may answer only users it knows
    std::string password;                // answers one 401/407 per ping as from_user when set
};

struct PingReply {
    int sequence = 0;
    int status = 0;      // 0 when it timed out or could not be sent
    std::string reason;  // reason phrase, or what went wrong
    double rtt_ms = 0;
    int retransmissions = 0;
    bool answered_challenge = false;  // the status came after our credentials
};

struct PingSummary {
    int sent = 0;
    int answered = 0;  // any final response
    int ok = 0;        // 2xx
    std::uint64_t retransmissions = 0;
};

// Pings `count` times, calling `on_reply` for each answer or timeout. Runs its own io_context.
Result<PingSummary> ping(const PingOptions& options,
                         const std::function<void(const PingReply&)>& on_reply);

}  // namespace pbxbench::uac
