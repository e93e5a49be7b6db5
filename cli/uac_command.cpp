#include "cli/uac_command.hpp"

#include <unistd.h>

#include <csignal>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cli/config_file.hpp"
#include "cli/uac_loads.hpp"
#include "cli/uac_messages.hpp"
#include "sip/uri.hpp"
#include "uac/batch_report.hpp"
#include "uac/call_batch.hpp"
#include "uac/sharded_batches.hpp"
#include "uac/uac_args.hpp"

namespace pbxbench::cli {

namespace {

using uac::UacArgs;

uac::BatchOptions batch_options(const UacArgs& a) {
    auto o = uac::to_options(a);
    if (!o) throw Fatal(o.error().message, ExitCode::usage);
    return std::move(*o);
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
    std::cerr << "pbxbench uac: " << stats.failed() << " of " << stats.attempted
              << " calls failed: " << stats.outcomes_json().dump() << "\n";
    return ExitCode::failed;
}

// --threads N: the same schedule over N shards, each on its own thread (uac/sharded_batches).
ExitCode run_uac_threads(const UacArgs& args) {
    uac::BatchOptions options = batch_options(args);
    uac::ShardedBatches shards(options, args.threads);
    if (auto opened = shards.open(); !opened) throw Fatal(opened.error().message, ExitCode::usage);
    boost::asio::io_context io;
    const bool live = ::isatty(STDERR_FILENO) != 0;
    boost::asio::steady_timer poll_timer(io);
    const auto progress_period =
        std::chrono::milliseconds(static_cast<long>(args.progress_s * 1000));
    auto next_progress = sip::Clock::now() + progress_period;
    bool interrupted = false;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    on_stop_signals(signals, [&] {
        interrupted = true;
        std::cerr << "\npbxbench uac: stopping every thread's calls, at most " << args.grace_s
                  << " s\n";
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
                if (live && p.contains("attempted"))
                    std::cerr << "\r" << p["attempted"] << " calls attempted  " << std::flush;
            }
            poll();
        });
    };
    std::cerr << "pbxbench uac: " << options.total << " calls at " << options.cps << " cps, hold "
              << args.hold_s << " s, on " << args.threads << " threads, via "
              << options.next_hop.to_string() << "\n";
    const auto start = sip::Clock::now();
    shards.start();
    poll();
    io.run();
    shards.join();
    if (live) std::cerr << '\n';
    const double wall_s = std::chrono::duration<double>(sip::Clock::now() - start).count();
    uac::BatchTotals totals = uac::merge_totals(shards.batches());
    std::cout << uac::summary_json(totals, wall_s, uac::process_cpu(), interrupted).dump() << '\n'
              << std::flush;
    if (!totals.setup_error.empty()) {
        std::cerr << "error: " << totals.setup_error << "\n";
        return ExitCode::failed;
    }
    return exit_code(totals.stats, options.total, interrupted);
}

ExitCode run_uac(const UacArgs& given) {
    // Method loads (REGISTER, OPTIONS, a --mix) run beside the calls or alone.
    const uac::MethodLoadPlan plan = method_load_plan(given);
    if (!plan.loads.empty() && !plan.calls) {
        if (given.messages > 0)
            throw Fatal(
                "--messages runs beside calls: give the --mix an invite share (or leave "
                "out --mix and use --total 0 for MESSAGEs only)",
                ExitCode::usage);
        return run_method_loads_only(given, plan);
    }
    UacArgs args = given;
    args.cps = plan.cps;
    if (args.threads > 1) return run_uac_threads(args);
    uac::BatchOptions options = batch_options(args);
    if (options.total == 0 && args.messages > 0) options.media = false;  // MESSAGEs only: no RTP
    boost::asio::io_context io;
    uac::CallBatch batch(io, options);
    if (auto opened = batch.open(); !opened) throw Fatal(opened.error().message, ExitCode::usage);
    auto messages = UacMessages::open(io, args, batch.options());
    auto loads = open_method_loads(io, args, plan);

    const bool live = ::isatty(STDERR_FILENO) != 0;
    uac::ProgressReporter reporter(batch);
    boost::asio::steady_timer progress_timer(io);
    auto progress_period = std::chrono::milliseconds(static_cast<long>(args.progress_s * 1000));
    std::function<void()> tick = [&] {
        progress_timer.expires_after(progress_period);
        progress_timer.async_wait([&](const boost::system::error_code& ec) {
            if (ec || (batch.finished() && (!messages || messages->finished()))) return;
            nlohmann::json p = reporter.next();
            if (messages) messages->add_progress(p);
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
        if (messages)
            messages->stop(std::chrono::milliseconds(static_cast<long>(args.grace_s * 1000)));
        if (loads) loads->stop();
    });

    std::cerr << "pbxbench uac: " << options.total << " calls at " << options.cps << " cps, hold "
              << args.hold_s << " s, from " << batch.local_address().to_string() << " via "
              << options.next_hop.to_string() << "\n";
    const auto start = sip::Clock::now();
    if (messages)
        std::cerr << "pbxbench uac: and " << args.messages << " MESSAGEs at " << args.message_rate
                  << "/s\n";
    bool loads_released = false;
    auto all_done = [&] {
        if (!batch.finished() || (messages && !messages->finished())) return;
        progress_timer.cancel();
        // The method loads end on their own schedule once the calls and MESSAGEs are over.
        if (loads && !loads_released) {
            loads_released = true;
            loads->release();
        }
        if (!loads || loads->finished()) release_signals(signals);
    };
    if (loads) {
        loads->start([&] {
            if (batch.finished() && (!messages || messages->finished())) release_signals(signals);
        });
    }
    if (messages) {
        // MESSAGEs begin with the calls, once the callers are registered (a PBX that
        // authenticates senders, like callauth, refuses MESSAGEs from unregistered ones).
        batch.start_held(
            [&] {
                batch.begin(options.t0 ? *options.t0 : sip::Clock::now());
                messages->start(all_done);
            },
            all_done);
    } else {
        batch.start(all_done);
    }
    tick();
    io.run();
    if (live) std::cerr << '\n';

    double wall_s = std::chrono::duration<double>(sip::Clock::now() - start).count();
    nlohmann::json summary = uac::summary_json(batch, wall_s, uac::process_cpu(), interrupted);
    if (loads) summary["methods"] = loads->summary_json();
    if (messages) messages->add_summary(summary, options.total > 0);
    std::cout << summary.dump() << '\n' << std::flush;
    const auto& stats = batch.stats();
    if (!batch.setup_error().empty()) {
        std::cerr << "error: " << batch.setup_error() << "\n";
        return ExitCode::failed;
    }
    if (messages && !messages->all_ok() && !interrupted) {
        std::cerr << "pbxbench uac: " << messages->describe() << "\n";
        return ExitCode::failed;
    }
    const ExitCode calls = exit_code(stats, options.total, interrupted);
    if (calls == ExitCode::success && loads && loads->failed() != 0) {
        std::cerr << "pbxbench uac: " << loads->failed() << " method-load requests failed\n";
        return ExitCode::failed;
    }
    return calls;
}

}  // namespace

void add_uac_command(CLI::App& app, ExitCode& result) {
    auto a = std::make_shared<UacArgs>();
    auto config = std::make_shared<std::string>();
    CLI::App* cmd =
        app.add_subcommand("uac", "Place a batch of calls: fast ramp, long hold; JSON lines out");
    cmd->add_option("--config", *config,
                    "Read every option from this JSON file first (keys: option names with "
                    "underscores, e.g. {\"total\": 100, \"from_user\": \"alice\"}); options "
                    "given here override it. Keeps passwords off the command line");
    uac::add_uac_options(*cmd, *a);
    cmd->callback([a, config, cmd, &result] {
        if (!config->empty()) {
            auto merged = merge_config_file(*cmd, *config, uac::to_json(*a));
            auto loaded = uac::uac_args_from_json(merged, "--config " + *config);
            if (!loaded) throw Fatal(loaded.error().message, ExitCode::usage);
            *a = std::move(*loaded);
        }
        result = run_uac(*a);
    });
}

}  // namespace pbxbench::cli
