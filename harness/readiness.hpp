#pragma once
// Waiting until a started SUT or sidecar can serve: answered SIP OPTIONS, a healthy health
// endpoint, a bound port or a line in its log; with a deadline, and failing at once (with the
// exit status and the log's last lines) if the process dies while we wait.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "harness/process.hpp"
#include "monitor/clock.hpp"
#include "monitor/health_probe.hpp"
#include "sip/address.hpp"

namespace pbxbench::harness {

struct PortProbe {
    enum class Protocol { udp, tcp };
    Protocol protocol = Protocol::udp;
    std::uint16_t port = 0;
};

// Who the OPTIONS probe says it is: a PBX that knows only its subscribers (Asterisk's PJSIP)
// answers an unknown From user 401 and never 200.
struct SipIdentity {
    std::string user = "pbxbench";  // From user: the first caller in a run
    std::string password;           // answers one 401/407 when set
    bool auth_ok = false;           // [readiness] options_auth_ok: a 401/407 counts as alive
};

// The final answer to one OPTIONS exchange (after our credentials, if we sent them).
struct OptionsAnswer {
    int status = 0;
    std::string reason;
    bool answered_challenge = false;  // we sent credentials after a 401/407
};

// Every check that is set must pass (once) before the process counts as ready.
struct ReadinessChecks {
    std::optional<sip::Address> sip_options;  // an OPTIONS answered with 2xx
    SipIdentity sip_identity;
    std::optional<monitor::HealthConfig>
        health;                     // healthy, and the call count readable if configured
    std::optional<PortProbe> port;  // something bound (UDP) or listening (TCP) there
    std::string log_contains;       // this text in the process's log
};

// The seam to the network and /proc for readiness checks.
class ReadinessProbe {
  public:
    virtual ~ReadinessProbe() = default;
    // One OPTIONS exchange as `who` (answering a 401/407 with its credentials once): the
    // final status, or an error when none came (timeout, transport).
    virtual Result<OptionsAnswer> sip_options(const sip::Address& target,
                                              const SipIdentity& who) = 0;
    virtual monitor::HealthResult health(const monitor::HealthConfig& config) = 0;
    virtual bool port_bound(const PortProbe& port) = 0;
};

// Whether `answer` proves the PBX alive; else why not, saying what to change for a 401/407.
Result<void> judge_options_answer(const sip::Address& target, const SipIdentity& who,
                                  const OptionsAnswer& answer);

// OPTIONS through pbxbench's own SIP stack with T1 = 20 ms (so one attempt gives up within
// 1.3 s), libcurl for health, /proc/net/{udp,udp6,tcp,tcp6} for ports.
std::unique_ptr<ReadinessProbe> make_real_readiness_probe();

// True if `proc_net_text` (the text of /proc/net/udp, tcp, udp6 or tcp6) lists a socket bound
// to `port` (for TCP: in LISTEN state), on any local address.
bool proc_net_lists_port(std::string_view proc_net_text, const PortProbe& port);

struct ReadyReport {
    double elapsed_s = 0;
    int rounds = 0;
};

// Repeats the checks every `interval` until all have passed, `process` exits (error with its
// exit status and last 20 log lines) or `timeout` passes (error naming the check still failing
// and its last reason, plus the log tail). A check in progress may overrun the deadline by
// its own bound (1.3 s for OPTIONS, the request timeout for health).
Result<ReadyReport> wait_ready(Process& process, const ReadinessChecks& checks,
                               ReadinessProbe& probe, monitor::Clock& clock,
                               std::chrono::milliseconds timeout,
                               std::chrono::milliseconds interval = std::chrono::milliseconds(100));

}  // namespace pbxbench::harness
