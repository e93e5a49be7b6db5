#include "cli/monitor_command.hpp"

#include <signal.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "monitor/duration.hpp"
#include "monitor/monitor.hpp"

namespace pbxbench::cli {

namespace {

using monitor::Role;

struct MonitorArgs {
    std::vector<std::string> pids;
    std::vector<std::string> generator_pids;
    std::string interval = "1s";
    std::string duration;
    std::string out = "-";
    std::string detail_interval = "5s";
    std::string health_url;
    std::string health_method = "GET";
    std::string health_body;
    std::vector<std::string> health_headers;
    std::string health_timeout = "1s";
    std::string calls_pointer;
    std::string calls_metric;
    std::string ok_pointer;
    std::string ok_value = "true";
};

std::chrono::milliseconds duration_arg(const std::string& option, const std::string& text) {
    auto d = monitor::parse_duration(text);
    if (!d) throw Fatal(option + ": " + d.error().message, ExitCode::usage);
    return *d;
}

// "[NAME=]PID"; the name defaults to "pid<PID>". The process must exist now.
monitor::TreeConfig tree_arg(const std::string& option, const std::string& text, Role role,
                             monitor::ProcReader& proc) {
    monitor::TreeConfig t;
    t.role = role;
    const auto eq = text.find('=');
    const std::string number = eq == std::string::npos ? text : text.substr(eq + 1);
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), t.root_pid);
    if (ec != std::errc() || end != number.data() + number.size() || t.root_pid <= 0)
        throw Fatal(option + ": '" + text + "' is not a PID: write 1234 or name=1234",
                    ExitCode::usage);
    t.name = eq == std::string::npos ? "pid" + number : text.substr(0, eq);
    auto st = proc.stat(t.root_pid);
    if (!st || st->state == 'Z')
        throw Fatal("no process with PID " + number + " (" + option + ")", ExitCode::usage);
    return t;
}

monitor::MonitorConfig config_from(const MonitorArgs& args, monitor::ProcReader& proc) {
    monitor::MonitorConfig c;
    // The first --pid is the system under test; further ones are its sidecars.
    for (const std::string& p : args.pids)
        c.trees.push_back(tree_arg("--pid", p, c.trees.empty() ? Role::sut : Role::sidecar, proc));
    for (const std::string& p : args.generator_pids)
        c.trees.push_back(tree_arg("--generator-pid", p, Role::generator, proc));
    c.interval = duration_arg("--interval", args.interval);
    if (!args.duration.empty()) c.duration = duration_arg("--duration", args.duration);
    c.detail_interval = duration_arg("--detail-interval", args.detail_interval);
    if (!args.health_url.empty()) {
        monitor::HealthConfig h;
        h.request.url = args.health_url;
        h.request.method = args.health_method;
        h.request.body = args.health_body;
        h.request.headers = args.health_headers;
        h.request.timeout = duration_arg("--health-timeout", args.health_timeout);
        h.calls_pointer = args.calls_pointer;
        h.calls_metric = args.calls_metric;
        h.ok_pointer = args.ok_pointer;
        h.ok_value = args.ok_value;
        c.health = std::move(h);
    }
    if (auto ok = monitor::validate(c); !ok) throw Fatal(ok.error().message, ExitCode::usage);
    return c;
}

// Turns SIGINT/SIGTERM into a stop request. The signals are blocked before any thread starts,
// so only this watcher ever receives them; it polls so it can notice its own end.
class SignalStop {
  public:
    SignalStop() {
        sigemptyset(&set_);
        sigaddset(&set_, SIGINT);
        sigaddset(&set_, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set_, &old_);
        watcher_ = std::jthread([this](std::stop_token own) {
            const timespec poll{0, 100'000'000};
            while (!own.stop_requested()) {
                if (sigtimedwait(&set_, nullptr, &poll) > 0) {
                    interrupted_ = true;
                    stop_.request_stop();
                    return;
                }
            }
        });
    }
    ~SignalStop() {
        watcher_.request_stop();
        watcher_.join();
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    std::stop_token token() const { return stop_.get_token(); }
    bool interrupted() const { return interrupted_; }
    // Ends the monitoring from inside (an output that cannot be written).
    void stop() { stop_.request_stop(); }

  private:
    sigset_t set_{};
    sigset_t old_{};
    std::stop_source stop_;
    std::atomic<bool> interrupted_{false};
    std::jthread watcher_;
};

ExitCode run_monitor(const MonitorArgs& args) {
    monitor::MonitorSeams seams = monitor::make_real_seams();
    monitor::MonitorConfig config = config_from(args, *seams.proc);
    std::ofstream file;
    if (args.out != "-") {
        file.open(args.out);
        if (!file)
            throw Fatal("cannot write " + args.out + ": check the directory exists",
                        ExitCode::usage);
    }
    std::ostream& out = args.out == "-" ? std::cout : file;

    std::cerr << "pbxbench monitor: " << config.trees.size() << " tree(s) every "
              << config.interval.count() << " ms";
    if (config.duration) std::cerr << " for " << config.duration->count() / 1000.0 << " s";
    std::cerr << (config.health ? ", polling " + config.health->request.url : "") << "\n";

    SignalStop signals;
    monitor::Monitor mon(std::move(config), std::move(seams));
    bool write_failed = false;
    mon.run(signals.token(), [&](const monitor::Sample& s) {
        monitor::write_jsonl(out, s);
        // A full disk or a closed pipe: stop now rather than sample into nothing.
        if (!out && !write_failed) {
            write_failed = true;
            signals.stop();
        }
        for (const monitor::ExitEvent& e : s.events)
            std::cerr << "pbxbench monitor: " << e.tree << " (PID " << e.pid << ") exited at "
                      << e.t_s << " s\n";
    });
    const nlohmann::json summary = mon.summary_json();
    out << summary.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
    if (write_failed || !out) {
        std::cerr << "pbxbench monitor: cannot write " << (args.out == "-" ? "stdout" : args.out)
                  << ": " << std::strerror(errno) << "; stopped\n";
        return ExitCode::failed;
    }
    for (const auto& w : summary["warnings"])
        std::cerr << "warning: " << w.get<std::string>() << "\n";
    if (signals.interrupted()) return ExitCode::interrupted;
    if (summary["samples_failed"] == summary["samples_taken"]) {
        std::cerr << "pbxbench monitor: no sample could read any of the processes; did they exit "
                     "before monitoring started?\n";
        return ExitCode::failed;
    }
    return ExitCode::success;
}

}  // namespace

void add_monitor_command(CLI::App& app, ExitCode& result) {
    auto a = std::make_shared<MonitorArgs>();
    CLI::App* cmd = app.add_subcommand(
        "monitor", "Sample CPU, memory and a health endpoint of process trees as JSON lines");
    cmd->add_option("--pid", a->pids,
                    "[NAME=]PID of a tree to watch; the first is the SUT, others are sidecars")
        ->required();
    cmd->add_option("--generator-pid", a->generator_pids, "[NAME=]PID of a load generator tree");
    cmd->add_option("--interval", a->interval, "Sampling interval (100ms .. ; e.g. 100ms, 1s)")
        ->capture_default_str();
    cmd->add_option("--duration", a->duration,
                    "How long to sample (e.g. 60s, 2m); default: until every tree exits or Ctrl-C");
    cmd->add_option("--detail-interval", a->detail_interval,
                    "How often to read PSS and fd counts (they are costly to read)")
        ->capture_default_str();
    cmd->add_option("--out", a->out, "JSON lines file; - for stdout")->capture_default_str();
    cmd->add_option("--health-url", a->health_url, "Health endpoint to poll every interval");
    cmd->add_option("--health-method", a->health_method, "HTTP method")->capture_default_str();
    cmd->add_option("--health-body", a->health_body, "Request body (e.g. a JSON-RPC call)");
    cmd->add_option("--health-header", a->health_headers,
                    "Request header 'Name: value' (repeatable)");
    cmd->add_option("--health-timeout", a->health_timeout, "Per-poll timeout")
        ->capture_default_str();
    cmd->add_option("--calls-pointer", a->calls_pointer,
                    "JSON pointer to the active-call count, e.g. /result/all");
    cmd->add_option("--calls-metric", a->calls_metric,
                    "Prometheus metric holding the active-call count");
    cmd->add_option("--health-ok-pointer", a->ok_pointer,
                    "JSON pointer to a field that must equal --health-ok-value");
    cmd->add_option("--health-ok-value", a->ok_value, "Expected value of that field")
        ->capture_default_str();
    cmd->callback([a, &result] { result = run_monitor(*a); });
}

}  // namespace pbxbench::cli
