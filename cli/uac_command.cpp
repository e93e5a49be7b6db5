#include "cli/uac_command.hpp"

#include <unistd.h>

#include <csignal>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cli/media_args.hpp"
#include "sip/uri.hpp"
#include "uac/batch_report.hpp"
#include "uac/call_batch.hpp"
#include "uac/sharded_batches.hpp"

namespace pbxbench::cli {

namespace {

struct UacArgs {
    std::string target;
    std::string proxy;
    std::string bind = "127.0.0.1:0";
    std::uint64_t total = 1;
    double cps = 1;
    double hold_s = 0;
    std::uint64_t max_concurrent = 0;
    double cancel_ratio = 0;
    double ring_timeout_s = 0;
    std::string from_user = "pbxbench";
    std::string user;
    std::string password;
    bool register_first = false;
    std::string domain;
    int expires_s = 3600;
    int t1_ms = 500;
    double progress_s = 1;
    double grace_s = 5;
    std::string call_id_prefix;
    std::uint16_t media_base_port = 30000;
    int tick_ms = 10;
    MediaArgs media;
    unsigned threads = 1;
};

constexpr const char* uac_rtp_ports = "20000-29999";

uac::BatchOptions to_options(const UacArgs& a) {
    uac::BatchOptions o;
    auto target = sip::parse_uri(a.target);
    if (!target || !target->is_sip()) {
        throw Fatal("--target '" + a.target + "' is not a SIP URI like sip:bob@127.0.0.1:5060", ExitCode::usage);
    }
    o.target_uri = a.target;
    if (a.proxy.empty()) {
        auto hop = sip::make_address(target->host, target->port_or_default());
        if (!hop) throw Fatal("--target: " + hop.error().message + "; or give --proxy HOST:PORT", ExitCode::usage);
        o.next_hop = *hop;
    } else {
        auto hop = sip::parse_host_port(a.proxy);
        if (!hop) throw Fatal("--proxy: " + hop.error().message, ExitCode::usage);
        o.next_hop = *hop;
    }
    auto bind = sip::parse_host_port(a.bind, 0);
    if (!bind) throw Fatal("--bind: " + bind.error().message, ExitCode::usage);
    o.bind = *bind;
    o.total = a.total;
    o.cps = a.cps;
    o.hold = std::chrono::milliseconds(static_cast<long>(a.hold_s * 1000));
    o.max_concurrent = a.max_concurrent;
    o.cancel_ratio = a.cancel_ratio;
    o.ring_timeout = std::chrono::milliseconds(static_cast<long>(a.ring_timeout_s * 1000));
    o.from_user = a.from_user;
    o.register_first = a.register_first;
    if (a.register_first) {
        if (a.user.empty()) throw Fatal("--register needs --user (and --password)", ExitCode::usage);
        o.register_domain = a.domain.empty() ? std::string(target->host) : a.domain;
        o.register_expires = std::chrono::seconds(a.expires_s);
        if (a.from_user == "pbxbench") o.from_user = a.user;  // register and call as the extension
    }
    o.auth_user = a.user;
    o.auth_password = a.password;
    o.timers.t1 = std::chrono::milliseconds(a.t1_ms);
    o.shutdown_grace = std::chrono::milliseconds(static_cast<long>(a.grace_s * 1000));
    o.call_id_prefix = a.call_id_prefix;
    o.media_base_port = a.media_base_port;
    o.tick = std::chrono::milliseconds(a.tick_ms);
    std::string media_host = o.bind.host();
    if (!media_host.empty() && media_host.front() == '[') media_host = media_host.substr(1, media_host.size() - 2);
    if (media_host == "0.0.0.0") media_host = "127.0.0.1";
    MediaSettings m = to_media_settings(a.media, uac_rtp_ports, media_host);
    o.media = m.enabled;
    o.media_engine = m.engine;
    o.audio = std::move(m.audio);
    o.dtmf = std::move(m.dtmf);
    o.silence_threshold_ms = m.silence_threshold_ms;
    return o;
}

// Runs `stop` on every SIGINT/SIGTERM until release_signals().
void on_stop_signals(boost::asio::signal_set& signals, std::function<void()> stop) {
    signals.async_wait([&signals, stop](const boost::system::error_code& ec, int) {
        if (ec) return;
        stop();
        on_stop_signals(signals, stop);
    });
}

// clear(), not just cancel(): a cancelled set still catches SIGTERM and swallows it, so a hang
// after this point could not be ended by `timeout` or a supervisor.
void release_signals(boost::asio::signal_set& signals) {
    boost::system::error_code ignored;
    signals.clear(ignored);
    signals.cancel();
}

ExitCode exit_code(const uac::CallStats& stats, std::uint64_t total, bool interrupted) {
    if (interrupted) return ExitCode::interrupted;
    if (stats.failed() == 0 && stats.attempted == total) return ExitCode::success;
    std::cerr << "pbxbench uac: " << stats.failed() << " of " << stats.attempted << " calls failed: "
              << stats.outcomes_json().dump() << "\n";
    return ExitCode::failed;
}

// --threads N: the same schedule over N shards, each on its own thread (uac/sharded_batches).
ExitCode run_uac_threads(const UacArgs& args) {
    if (args.register_first) throw Fatal("--threads with --register is not supported: one registration per UAC", ExitCode::usage);
    uac::BatchOptions options = to_options(args);
    uac::ShardedBatches shards(options, args.threads);
    if (auto opened = shards.open(); !opened) throw Fatal(opened.error().message, ExitCode::usage);
    boost::asio::io_context io;
    const bool live = ::isatty(STDERR_FILENO) != 0;
    boost::asio::steady_timer poll_timer(io);
    const auto progress_period = std::chrono::milliseconds(static_cast<long>(args.progress_s * 1000));
    auto next_progress = sip::Clock::now() + progress_period;
    bool interrupted = false;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    on_stop_signals(signals, [&] {
        interrupted = true;
        std::cerr << "\npbxbench uac: stopping every thread's calls, at most " << args.grace_s << " s\n";
        shards.stop();
    });
    // The shards finish on their own threads: poll, and print progress on its period.
    std::function<void()> poll = [&] {
        poll_timer.expires_after(std::chrono::milliseconds(50));
        poll_timer.async_wait([&](const boost::system::error_code& ec) {
            if (ec) return;
            if (shards.finished()) {
                release_signals(signals);
                return;
            }
            if (sip::Clock::now() >= next_progress) {
                next_progress += progress_period;
                nlohmann::json p = shards.progress();
                std::cout << p.dump() << '\n' << std::flush;
                if (live && p.contains("attempted")) std::cerr << "\r" << p["attempted"] << " calls attempted  " << std::flush;
            }
            poll();
        });
    };
    std::cerr << "pbxbench uac: " << options.total << " calls at " << options.cps << " cps, hold " << args.hold_s
              << " s, on " << args.threads << " threads, via " << options.next_hop.to_string() << "\n";
    const auto start = sip::Clock::now();
    shards.start();
    poll();
    io.run();
    shards.join();
    if (live) std::cerr << '\n';
    const double wall_s = std::chrono::duration<double>(sip::Clock::now() - start).count();
    uac::BatchTotals totals = uac::merge_totals(shards.batches());
    std::cout << uac::summary_json(totals, wall_s, uac::process_cpu(), interrupted).dump() << '\n' << std::flush;
    if (!totals.setup_error.empty()) {
        std::cerr << "error: " << totals.setup_error << "\n";
        return ExitCode::failed;
    }
    return exit_code(totals.stats, options.total, interrupted);
}

ExitCode run_uac(const UacArgs& args) {
    if (args.threads > 1) return run_uac_threads(args);
    uac::BatchOptions options = to_options(args);
    boost::asio::io_context io;
    uac::CallBatch batch(io, options);
    if (auto opened = batch.open(); !opened) throw Fatal(opened.error().message, ExitCode::usage);

    const bool live = ::isatty(STDERR_FILENO) != 0;
    uac::ProgressReporter reporter(batch);
    boost::asio::steady_timer progress_timer(io);
    auto progress_period = std::chrono::milliseconds(static_cast<long>(args.progress_s * 1000));
    std::function<void()> tick = [&] {
        progress_timer.expires_after(progress_period);
        progress_timer.async_wait([&](const boost::system::error_code& ec) {
            if (ec || batch.finished()) return;
            nlohmann::json p = reporter.next();
            std::cout << p.dump() << '\n' << std::flush;
            if (live) std::cerr << reporter.human_line(p) << std::flush;
            tick();
        });
    };

    bool interrupted = false;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    on_stop_signals(signals, [&] {
        interrupted = true;
        std::cerr << "\npbxbench uac: stopping: BYE/CANCEL for " << batch.active()
                  << " active calls, at most " << args.grace_s << " s\n";
        batch.stop();
    });

    std::cerr << "pbxbench uac: " << options.total << " calls at " << options.cps << " cps, hold " << args.hold_s
              << " s, from " << batch.local_address().to_string() << " via " << options.next_hop.to_string() << "\n";
    const auto start = sip::Clock::now();
    batch.start([&] {
        progress_timer.cancel();
        release_signals(signals);
    });
    tick();
    io.run();
    if (live) std::cerr << '\n';

    double wall_s = std::chrono::duration<double>(sip::Clock::now() - start).count();
    nlohmann::json summary = uac::summary_json(batch, wall_s, uac::process_cpu(), interrupted);
    std::cout << summary.dump() << '\n' << std::flush;
    const auto& stats = batch.stats();
    if (!batch.setup_error().empty()) {
        std::cerr << "error: " << batch.setup_error() << "\n";
        return ExitCode::failed;
    }
    return exit_code(stats, options.total, interrupted);
}

}  // namespace

void add_uac_command(CLI::App& app, ExitCode& result) {
    auto a = std::make_shared<UacArgs>();
    CLI::App* cmd = app.add_subcommand("uac", "Place a batch of calls: fast ramp, long hold; JSON lines out");
    cmd->add_option("--target", a->target, "Request-URI, e.g. sip:bob@127.0.0.1:5060")->required();
    cmd->add_option("--proxy", a->proxy, "Send to HOST:PORT instead of the target's host (a PBX)");
    cmd->add_option("--bind", a->bind, "Local SIP address (port 0: any free port)")->capture_default_str();
    cmd->add_option("-n,--total", a->total, "Number of calls")->capture_default_str()->check(CLI::Range(0ull, 100'000'000ull));
    cmd->add_option("-r,--cps", a->cps, "Calls started per second")->capture_default_str()->check(CLI::Range(0.001, 1e6));
    cmd->add_option("--hold", a->hold_s, "Seconds from answer to BYE")->capture_default_str()->check(CLI::Range(0.0, 86400.0));
    cmd->add_option("--max-concurrent", a->max_concurrent, "Most calls active at once (0: no limit)")->capture_default_str();
    cmd->add_option("--cancel-ratio", a->cancel_ratio, "Exact share of calls cancelled after the first provisional (0: none)")
        ->capture_default_str()->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--ring-timeout", a->ring_timeout_s, "Cancel calls not answered within this many seconds (0: never)")
        ->capture_default_str()->check(CLI::Range(0.0, 3600.0));
    cmd->add_option("--from-user", a->from_user, "User part of our From and Contact")->capture_default_str();
    cmd->add_option("--user", a->user, "User name for digest challenges to our INVITEs");
    cmd->add_option("--password", a->password, "Password for digest challenges");
    cmd->add_flag("--register", a->register_first, "REGISTER --user at the proxy before calling; un-REGISTER after");
    cmd->add_option("--domain", a->domain, "Registration domain (default: the target's host)");
    cmd->add_option("--expires", a->expires_s, "Requested registration expiry, seconds")->capture_default_str()->check(CLI::Range(10, 86400));
    cmd->add_option("--t1-ms", a->t1_ms, "SIP timer T1 in ms")->capture_default_str()->check(CLI::Range(1, 10000));
    cmd->add_option("--progress-interval", a->progress_s, "Seconds between progress lines")->capture_default_str()->check(CLI::Range(0.05, 3600.0));
    cmd->add_option("--grace", a->grace_s, "Seconds to end active calls after SIGINT/SIGTERM")->capture_default_str()->check(CLI::Range(0.0, 600.0));
    cmd->add_option("--call-id-prefix", a->call_id_prefix, "Call-ID prefix, unique per generator (default: random)");
    cmd->add_option("--media-base-port", a->media_base_port, "First RTP port advertised in SDP offers with --no-media")->capture_default_str();
    cmd->add_option("--tick-ms", a->tick_ms, "Scheduling quantum: calls start at most this late, never drifting")
        ->capture_default_str()->check(CLI::Range(1, 100));
    add_media_options(*cmd, a->media, uac_rtp_ports, true);
    cmd->add_option("--threads", a->threads,
                    "Split the calls over this many threads, each with its own SIP socket and media "
                    "engine (call i on thread i mod N; one schedule). On 2 cores, 1 is usually best")
        ->capture_default_str()
        ->check(CLI::Range(1u, 64u));
    cmd->callback([a, &result] { result = run_uac(*a); });
}

}  // namespace pbxbench::cli
