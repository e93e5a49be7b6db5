#include "harness/process.hpp"

#include <string.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace pbxbench::harness {

std::string signal_name(int signal) {
    // sigabbrev_np (glibc 2.32) names signals without the SIG prefix and is thread-safe,
    // unlike strsignal, which also describes rather than names.
    if (const char* abbrev = sigabbrev_np(signal)) return std::string("SIG") + abbrev;
    return "signal " + std::to_string(signal);
}

std::string ExitStatus::describe() const {
    if (unknown) return "status unknown: not our child, or reaped elsewhere";
    if (signal == 0) return "exit code " + std::to_string(code);
    if (killed_after_grace) return "killed by SIGKILL after ignoring its stop signal";
    return "killed by " + signal_name(signal) + (core_dumped ? " (core dumped)" : "");
}

std::string format_log_tail(const std::vector<std::string>& lines) {
    if (lines.empty()) return "\n  (the log is empty)";
    std::string out;
    for (const auto& line : lines) out += "\n  | " + line;
    return out;
}

Result<Process*> ChildSet::start(const LaunchSpec& spec) {
    auto child = launcher_.launch(spec);
    if (!child) return fail(child.error().message);
    children_.push_back(std::move(*child));
    return children_.back().get();
}

std::vector<std::pair<std::string, ExitStatus>> ChildSet::stop_all() {
    std::vector<std::pair<std::string, ExitStatus>> statuses;
    while (!children_.empty()) {
        auto& child = children_.back();
        statuses.emplace_back(child->name(), child->stop());
        children_.pop_back();
    }
    return statuses;
}

Result<void> run_to_completion(ProcessLauncher& launcher, const LaunchSpec& spec,
                               std::chrono::milliseconds timeout,
                               const std::atomic<bool>* interrupted) {
    auto child = launcher.launch(spec);
    if (!child) return fail(child.error().message);
    Process& p = **child;
    // In slices, so Ctrl-C is honoured within 100 ms however long the step may take.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::optional<ExitStatus> status;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        status = p.wait_for(
            std::clamp(left, std::chrono::milliseconds(0), std::chrono::milliseconds(100)));
        if (status || left.count() <= 0) break;
        if (interrupted && interrupted->load()) {
            p.stop();
            return fail("interrupted while " + spec.name + " ran");
        }
    }
    if (!status) {
        p.stop();
        return fail(spec.name + " did not finish within " + std::to_string(timeout.count() / 1000.0).substr(0, 5) +
                    " s and was stopped; its log ends with:" + format_log_tail(p.log_tail(20)));
    }
    if (!status->success()) {
        p.stop();  // reaps anything it left in its group
        return fail(spec.name + " failed (" + status->describe() + "); its log ends with:" + format_log_tail(p.log_tail(20)));
    }
    p.stop();
    return {};
}

}  // namespace pbxbench::harness
