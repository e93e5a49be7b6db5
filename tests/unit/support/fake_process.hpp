#pragma once
// A scripted ProcessLauncher: records what would have been started and lets the test decide
// when each "process" exits, what it logs and what it prints, without forking anything.
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/process.hpp"

namespace pbxbench::harness::testing {

// What the test controls and observes about one fake child.
struct FakeProcessState {
    LaunchSpec spec;
    pid_t pid = 0;
    std::optional<ExitStatus> exited;  // set by the test: the child "dies"
    ExitStatus status_when_stopped{0, SIGTERM};
    int stop_calls = 0;
    std::deque<std::string> stdout_lines;  // handed out by read_line
    bool stdout_closed = false;
    std::vector<std::string> log;
};

class FakeProcess final : public Process {
  public:
    FakeProcess(std::shared_ptr<FakeProcessState> state, std::vector<std::string>* stop_order)
        : state_(std::move(state)), stop_order_(stop_order) {}

    const std::string& name() const override { return state_->spec.name; }
    pid_t pid() const override { return state_->pid; }
    std::optional<ExitStatus> poll() override { return state_->exited; }
    std::optional<ExitStatus> wait_for(std::chrono::milliseconds) override {
        return state_->exited;
    }
    ExitStatus stop() override {
        if (state_->stop_calls++ == 0) stop_order_->push_back(state_->spec.name);
        if (!state_->exited) state_->exited = state_->status_when_stopped;
        return *state_->exited;
    }
    LineRead read_line(std::chrono::milliseconds) override {
        if (!state_->stdout_lines.empty()) {
            LineRead r{LineRead::Status::line, state_->stdout_lines.front()};
            state_->stdout_lines.pop_front();
            return r;
        }
        return {state_->stdout_closed ? LineRead::Status::eof : LineRead::Status::timeout, {}};
    }
    std::vector<std::string> log_tail(std::size_t n) const override {
        const auto& log = state_->log;
        return {log.end() - static_cast<long>(std::min(n, log.size())), log.end()};
    }
    bool log_contains(std::string_view text) const override {
        for (const auto& line : state_->log)
            if (line.find(text) != std::string::npos) return true;
        return false;
    }

  private:
    std::shared_ptr<FakeProcessState> state_;
    std::vector<std::string>* stop_order_;
};

class FakeProcessLauncher final : public ProcessLauncher {
  public:
    std::vector<std::shared_ptr<FakeProcessState>> launched;
    std::vector<std::string> stop_order;  // names, in the order stop() first reached them
    std::map<std::string, std::string> fail_launch;  // argv[0] -> error message
    // Scripts a child as it is launched (e.g. make a setup step exit 0 at once).
    std::function<void(FakeProcessState&)> on_launch;

    Result<std::unique_ptr<Process>> launch(const LaunchSpec& spec) override {
        if (spec.argv.empty()) return fail(spec.name + ": empty command");
        if (auto it = fail_launch.find(spec.argv.front()); it != fail_launch.end())
            return fail(it->second);
        auto state = std::make_shared<FakeProcessState>();
        state->spec = spec;
        state->pid = 1000 + static_cast<pid_t>(launched.size());
        if (on_launch) on_launch(*state);
        launched.push_back(state);
        return std::make_unique<FakeProcess>(state, &stop_order);
    }
};

}  // namespace pbxbench::harness::testing
