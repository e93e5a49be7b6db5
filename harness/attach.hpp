#pragma once
// `pbxbench run --attach`: benchmark a PBX that is already running. Nothing of the profile's
// SUT, sidecars, templates or setup steps is started, rendered or stopped; the readiness checks
// still run against the given SIP address (and health URL), the given PIDs' process trees are
// monitored, and everything else (users, UAS, UAC, results) is the same as a managed run.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "harness/process.hpp"
#include "sip/address.hpp"

namespace pbxbench::harness {

struct AttachOptions {
    bool enabled = false;
    std::string sip;          // --sip HOST:PORT: where the UAC and UAS send SIP
    std::string health_url;   // --health-url: replaces [health].url; empty: no health endpoint
    std::vector<pid_t> pids;  // --pid: process trees to monitor (the first is "the SUT")
};

// The checked form of AttachOptions: the address parsed, every PID alive.
struct AttachTarget {
    sip::Address sip;
    std::string health_url;
    std::vector<pid_t> pids;
};

// Parses --sip and checks every --pid exists; errors say which option is wrong and why.
Result<AttachTarget> check_attach(const AttachOptions& options);

// For `run.attach`: null for a managed run, else {"sip", "health_url", "pids"}.
nlohmann::json attach_json(const std::optional<AttachTarget>& target);

// "1234,5678" -> PIDs (each a positive number); an error naming the bad item.
Result<std::vector<pid_t>> parse_pid_list(std::string_view text);

// The attached PBX seen through the Process interface, so readiness and the mid-run watch
// treat it like a SUT we started: poll() reports it gone once any of its PIDs has exited
// (with an unknown status: it is not our child). It is never signalled: stop() does nothing.
class AttachedPbx final : public Process {
  public:
    AttachedPbx(std::string name, std::vector<pid_t> pids)
        : name_(std::move(name)), pids_(std::move(pids)) {}
    const std::string& name() const override { return name_; }
    pid_t pid() const override { return pids_.empty() ? 0 : pids_.front(); }
    std::optional<ExitStatus> poll() override;
    std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout) override;
    ExitStatus stop() override;
    LineRead read_line(std::chrono::milliseconds) override { return {}; }
    std::vector<std::string> log_tail(std::size_t) const override;
    bool log_contains(std::string_view) const override { return false; }

  private:
    std::string name_;
    std::vector<pid_t> pids_;
    std::optional<ExitStatus> gone_;
};

// True if `pid` exists and is not a zombie.
bool pid_alive(pid_t pid);

}  // namespace pbxbench::harness
