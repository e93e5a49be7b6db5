#include "cli/uac_loads.hpp"

#include <csignal>
#include <iostream>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "uac/batch_report.hpp"

namespace pbxbench::cli {

uac::MethodLoadPlan method_load_plan(const uac::UacArgs& args) {
    auto plan = uac::plan_method_loads(args);
    if (!plan) throw Fatal(plan.error().message, ExitCode::usage);
    if (!plan->loads.empty() && plan->calls && args.threads > 1)
        throw Fatal("method loads run beside --threads 1 only: leave out --threads",
                    ExitCode::usage);
    return std::move(*plan);
}

std::unique_ptr<uac::MethodLoadRunner> open_method_loads(boost::asio::io_context& io,
                                                         const uac::UacArgs& args,
                                                         const uac::MethodLoadPlan& plan) {
    if (plan.loads.empty()) return nullptr;
    uac::MethodLoadRunnerOptions o;
    auto bind = sip::parse_host_port(args.bind, 0);
    if (!bind) throw Fatal("--bind: " + bind.error().message, ExitCode::usage);
    o.bind = *bind;
    o.timers.t1 = std::chrono::milliseconds(args.t1_ms);
    o.tick = std::chrono::milliseconds(args.tick_ms);
    o.min_duration = std::chrono::milliseconds(static_cast<long>(plan.min_duration_s * 1000));
    o.grace = std::max(std::chrono::milliseconds(static_cast<long>(args.grace_s * 1000)),
                       std::chrono::milliseconds(5000));
    auto runner = std::make_unique<uac::MethodLoadRunner>(io, o);
    for (const auto& [method, config] : plan.loads) {
        auto load = uac::make_method_load(method, config, [] { return sip::Clock::now(); });
        if (!load) throw Fatal(load.error().message, ExitCode::usage);
        if (auto added = runner->add(std::move(*load)); !added)
            throw Fatal(method + " load: " + added.error().message, ExitCode::usage);
    }
    return runner;
}

ExitCode run_method_loads_only(const uac::UacArgs& args, const uac::MethodLoadPlan& plan) {
    boost::asio::io_context io;
    auto runner = open_method_loads(io, args, plan);
    bool interrupted = false;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        interrupted = true;
        std::cerr << "\npbxbench uac: stopping the method loads\n";
        runner->stop();
    });
    boost::asio::steady_timer progress_timer(io);
    const auto start = sip::Clock::now();
    const auto period = std::chrono::milliseconds(static_cast<long>(args.progress_s * 1000));
    std::function<void()> tick = [&] {
        progress_timer.expires_after(period);
        progress_timer.async_wait([&](const boost::system::error_code& ec) {
            if (ec || runner->finished()) return;
            nlohmann::json p = {
                {"event", "progress"},
                {"elapsed_s", std::chrono::duration<double>(sip::Clock::now() - start).count()},
                {"methods", runner->progress_json()}};
            std::cout << p.dump() << '\n' << std::flush;
            tick();
        });
    };
    std::cerr << "pbxbench uac: method loads";
    for (const auto& [method, config] : plan.loads)
        std::cerr << " " << method << " at " << config.rate << "/s (" << config.users.size()
                  << " users)";
    std::cerr << ", via " << plan.loads.front().second.next_hop.to_string() << "\n";
    runner->start([&] {
        progress_timer.cancel();
        boost::system::error_code ignored;
        signals.cancel(ignored);
    });
    // No calls: the loads may stop as soon as their own conditions allow.
    runner->release();
    tick();
    io.run();
    const double wall_s = std::chrono::duration<double>(sip::Clock::now() - start).count();
    const uac::ProcessCpu cpu = uac::process_cpu();
    const double cpu_s = cpu.user_s + cpu.system_s;
    std::uint64_t requests = 0;
    for (const auto& r : runner->reports()) requests += r.sent;
    nlohmann::json summary = {
        {"event", "summary"},
        {"schema_version", 1},
        {"interrupted", interrupted},
        {"config", {{"calls", false}, {"load_duration_s", plan.min_duration_s}}},
        {"setup_error", nullptr},
        {"attempted", 0},
        {"completed", 0},
        {"failed", 0},
        {"methods", runner->summary_json()},
        {"generator",
         {{"wall_s", wall_s},
          {"cpu_user_s", cpu.user_s},
          {"cpu_system_s", cpu.system_s},
          {"cpu_s", cpu_s},
          {"cpu_s_per_1000_requests",
           requests ? cpu_s * 1000.0 / static_cast<double>(requests) : 0.0},
          {"cpu_percent", wall_s > 0 ? cpu_s / wall_s * 100.0 : 0.0}}}};
    std::cout << summary.dump() << '\n' << std::flush;
    if (interrupted) return ExitCode::interrupted;
    if (const std::uint64_t failed = runner->failed(); failed != 0) {
        std::cerr << "pbxbench uac: " << failed << " method-load requests failed\n";
        return ExitCode::failed;
    }
    return ExitCode::success;
}

}  // namespace pbxbench::cli
