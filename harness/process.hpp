#pragma once
// The seam to child processes: the SUT, its sidecars, setup steps and (later) pbxbench's own
// UAC/UAS/monitor children are all started through ProcessLauncher, so the orchestration can be
// tested with FakeProcessLauncher (tests/unit/support/fake_process.hpp) and never leaks a real
// process: each child leads its own process group, which stop() signals as a whole.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace pbxbench::harness {

// Where a child's stdout goes; stderr always goes to the log.
enum class StdoutTo { log, pipe };

struct LaunchSpec {
    std::string name;                            // for messages ("kamailio", "rtpengine")
    std::vector<std::string> argv;               // argv[0] is looked up on PATH; never a shell string
    std::filesystem::path workdir;               // empty: the caller's
    std::map<std::string, std::string> env;      // added to (or replacing in) our environment
    std::filesystem::path log_path;              // stdout/stderr appended; empty: /dev/null
    StdoutTo stdout_to = StdoutTo::log;          // pipe: read with Process::read_line (JSON events)
    int stop_signal = SIGTERM;
    std::chrono::milliseconds stop_grace{5000};  // after stop_signal, before SIGKILL
    std::vector<int> cpus;  // sched_setaffinity in the child before exec; empty: inherit ours
};

// How a process ended: an exit code, or the signal that killed it.
struct ExitStatus {
    int code = 0;    // valid when signal == 0
    int signal = 0;  // the terminating signal, 0 if it exited
    bool core_dumped = false;
    // It ended, but its status could not be read: not our child (--attach), or reaped
    // elsewhere. Never a success.
    bool unknown = false;
    // stop() sent SIGKILL after the stop signal's grace ran out (signal is then SIGKILL); a
    // SIGKILL without it came from someone else (the OOM killer, a user).
    bool killed_after_grace = false;

    bool success() const { return !unknown && signal == 0 && code == 0; }
    // "exit code 3", "signal SIGSEGV (core dumped)".
    std::string describe() const;
    bool operator==(const ExitStatus&) const = default;
};

// The result of waiting for one line of a child's piped stdout.
struct LineRead {
    enum class Status { line, timeout, eof };
    Status status = Status::eof;
    std::string text;  // without the newline
};

// One started child. Not thread-safe: one owner drives it.
class Process {
  public:
    virtual ~Process() = default;
    virtual const std::string& name() const = 0;
    virtual pid_t pid() const = 0;  // also the process group id
    // The exit status if the child has exited (reaping it), without blocking.
    virtual std::optional<ExitStatus> poll() = 0;
    // Waits up to `timeout` for the child to exit on its own.
    virtual std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout) = 0;
    // Sends the stop signal to the whole group, waits up to the grace period for the group to
    // empty, then SIGKILLs the group; returns the leader's status (killed_after_grace when
    // that SIGKILL ended it; unknown, never "exit code 0", if it could not be read). Idempotent.
    virtual ExitStatus stop() = 0;
    // The next stdout line (StdoutTo::pipe only), waiting up to `timeout`.
    virtual LineRead read_line(std::chrono::milliseconds timeout) = 0;
    // The last `n_lines` lines of the log (for error messages).
    virtual std::vector<std::string> log_tail(std::size_t n_lines) const = 0;
    virtual bool log_contains(std::string_view text) const = 0;
};

class ProcessLauncher {
  public:
    virtual ~ProcessLauncher() = default;
    // Starts `spec`; an error when the command is not found or cannot be executed (the child
    // reports execve's errno back before we return, so a typo never looks like a crash).
    virtual Result<std::unique_ptr<Process>> launch(const LaunchSpec& spec) = 0;
};

// fork/execve with setpgid and PR_SET_PDEATHSIG(SIGKILL). Making one makes this process a child
// subreaper, so descendants orphaned inside a stopped group come back to us and are reaped.
// Launch from a long-lived thread: the kernel sends PDEATHSIG when the *thread* that forked exits.
std::unique_ptr<ProcessLauncher> make_real_launcher();

// "SIGTERM" for 15; "signal N" for unknown numbers.
std::string signal_name(int signal);

// Children started through it are stopped, newest first, by stop_all() or the destructor, so a
// sidecar outlives the SUT that uses it and nothing outlives the run (also on exceptions).
class ChildSet {
  public:
    explicit ChildSet(ProcessLauncher& launcher) : launcher_(launcher) {}
    ~ChildSet() { stop_all(); }
    ChildSet(const ChildSet&) = delete;
    ChildSet& operator=(const ChildSet&) = delete;

    // Launches `spec` and keeps the child; the pointer stays valid until stop_all().
    Result<Process*> start(const LaunchSpec& spec);
    // Stops every child, newest first; returns each one's name and status in that order.
    std::vector<std::pair<std::string, ExitStatus>> stop_all();
    std::size_t size() const { return children_.size(); }

  private:
    ProcessLauncher& launcher_;
    std::vector<std::unique_ptr<Process>> children_;
};

// Runs `spec` to completion (a setup step): an error naming the step, its exit status and the
// last log lines if it fails, or if it runs longer than `timeout`, or when `interrupted` is set
// meanwhile (it is then stopped; looked at every 100 ms).
Result<void> run_to_completion(ProcessLauncher& launcher, const LaunchSpec& spec,
                               std::chrono::milliseconds timeout,
                               const std::atomic<bool>* interrupted = nullptr);

// "\n  | line" for each line: how log tails are appended to error messages.
std::string format_log_tail(const std::vector<std::string>& lines);

}  // namespace pbxbench::harness
