#include "cli/ping_command.hpp"

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "uac/options_ping.hpp"

namespace pbxbench::cli {

namespace {

struct PingArgs {
    std::string target = "127.0.0.1:5060";
    std::string bind = "127.0.0.1:0";
    int count = 3;
    double interval_s = 1.0;
    int t1_ms = 500;
};

ExitCode run_ping(const PingArgs& args) {
    uac::PingOptions options;
    std::string target = args.target;
    if (target.rfind("sip:", 0) == 0) target = target.substr(4);
    auto address = sip::parse_host_port(target);
    if (!address) throw Fatal("--target: " + address.error().message, ExitCode::usage);
    auto bind = sip::parse_host_port(args.bind, 0);
    if (!bind) throw Fatal("--bind: " + bind.error().message, ExitCode::usage);
    options.target = *address;
    options.bind = *bind;
    options.count = args.count;
    options.interval = std::chrono::milliseconds(static_cast<long>(args.interval_s * 1000));
    options.t1 = std::chrono::milliseconds(args.t1_ms);

    auto summary = uac::ping(options, [](const uac::PingReply& r) {
        nlohmann::json line = {{"event", "reply"}, {"sequence", r.sequence}, {"status", r.status},
                               {"reason", r.reason}, {"rtt_ms", r.rtt_ms}};
        std::cout << line.dump() << std::endl;
    });
    if (!summary) throw Fatal(summary.error().message, ExitCode::usage);
    nlohmann::json line = {{"event", "summary"},  {"target", options.target.to_string()},
                           {"sent", summary->sent}, {"answered", summary->answered},
                           {"ok", summary->ok},     {"retransmissions", summary->retransmissions}};
    std::cout << line.dump() << std::endl;
    if (summary->ok == summary->sent) return ExitCode::success;
    std::cerr << "pbxbench ping: " << summary->sent - summary->ok << " of " << summary->sent
              << " pings got no 2xx from " << options.target.to_string()
              << "; is the SIP server running and listening there?\n";
    return ExitCode::failed;
}

}  // namespace

void add_ping_command(CLI::App& app, ExitCode& result) {
    auto args = std::make_shared<PingArgs>();
    CLI::App* cmd = app.add_subcommand("ping", "Send SIP OPTIONS pings and report each answer as JSON lines");
    cmd->add_option("target", args->target, "SIP server as HOST:PORT or sip:HOST:PORT")->capture_default_str();
    cmd->add_option("--bind", args->bind, "Local address to send from (port 0: any)")->capture_default_str();
    cmd->add_option("-c,--count", args->count, "Number of pings")->capture_default_str()->check(CLI::Range(1, 1000000));
    cmd->add_option("-i,--interval", args->interval_s, "Seconds between pings")->capture_default_str()->check(CLI::Range(0.0, 3600.0));
    cmd->add_option("--t1-ms", args->t1_ms, "SIP timer T1 in ms; a ping times out after 64*T1")->capture_default_str()->check(CLI::Range(1, 10000));
    cmd->callback([args, &result] { result = run_ping(*args); });
}

}  // namespace pbxbench::cli
