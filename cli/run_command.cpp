#include "cli/run_command.hpp"

#include <memory>

#include <CLI/CLI.hpp>

#include "harness/run.hpp"

namespace pbxbench::cli {

namespace {

struct RunArgs {
    harness::RunOptions options;
    std::string levels;
    std::string out;
    std::string pin;
    std::string pids;
};

std::vector<int> parse_levels(const std::string& text) {
    std::vector<int> levels;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        std::string item =
            text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        try {
            std::size_t used = 0;
            int v = std::stoi(item, &used);
            if (used != item.size() || v <= 0) throw std::invalid_argument(item);
            levels.push_back(v);
        } catch (const std::exception&) {
            throw Fatal("--levels: '" + item +
                            "' is not a positive number of calls (expected e.g. 200,500,1000)",
                        ExitCode::usage);
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return levels;
}

}  // namespace

void add_run_command(CLI::App& app, ExitCode& result) {
    auto a = std::make_shared<RunArgs>();
    harness::RunOptions& o = a->options;
    CLI::App* cmd =
        app.add_subcommand("run", "Benchmark a PBX from a profile: every scenario at every level");
    cmd->add_option("--profile", o.profile, "SUT profile (TOML), e.g. profiles/kamailio.toml")
        ->required();
    cmd->add_option("--scenario", o.scenarios, "'all' or scenario names, comma-separated")
        ->capture_default_str();
    auto* total =
        cmd->add_option("-n,--total", o.total, "Calls in the one level when --levels is not given")
            ->capture_default_str()
            ->check(CLI::Range(1, 10'000'000));
    auto* cps = cmd->add_option("-r,--cps", o.cps, "Calls started per second (fast ramp)")
                    ->capture_default_str()
                    ->check(CLI::Range(0.01, 1e6));
    auto* hold = cmd->add_option("--hold", o.hold_s,
                                 "Seconds each call is held (long hold: concurrency = level)")
                     ->capture_default_str()
                     ->check(CLI::Range(0.0, 86400.0));
    cmd->add_option("--hold-at-s", o.hold_at_s,
                    "Put every call on hold (re-INVITE a=sendonly) this many seconds after the "
                    "answer; with --hold-for-s")
        ->check(CLI::Range(0.0, 86400.0));
    cmd->add_option("--hold-for-s", o.hold_for_s,
                    "Resume (re-INVITE a=sendrecv) this many seconds after the hold; must end "
                    "before --hold")
        ->check(CLI::Range(0.0, 86400.0));
    auto* levels =
        cmd->add_option("--levels", a->levels,
                        "Concurrency levels, e.g. 200,500,1000: each scenario once per level");
    cmd->add_flag(
        "--no-media", [&o](std::int64_t) { o.media = false; },
        "Signaling only: the UAC and UAS send no RTP");
    cmd->add_option("--uac-rtp-ports", o.uac_rtp_ports,
                    "RTP port range of the UAC (a pair per call)")
        ->capture_default_str();
    cmd->add_option("--uas-rtp-ports", o.uas_rtp_ports,
                    "RTP port range of the UAS (a pair per call)")
        ->capture_default_str();
    cmd->add_option("--repeat", o.repeat,
                    "Run each scenario x level this many times (compare then weighs the spread)")
        ->capture_default_str()
        ->check(CLI::Range(1, 100));
    cmd->add_option("--uas-count", o.uas_count,
                    "Registered answering endpoints, one per callee (0: one per callee; without "
                    "--callees it sets the number of callees)")
        ->capture_default_str()
        ->check(CLI::Range(0, 10000));
    cmd->add_option("--uac-threads", o.uac_threads,
                    "Threads of pbxbench uac (each owns its callers; one schedule)")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    cmd->add_option("--callers", o.callers,
                    "Callers: the first N of the profile's [users] place the calls (overrides "
                    "[users] callers)")
        ->check(CLI::Range(1ull, 10'000'000ull));
    cmd->add_option("--callees", o.callees,
                    "Callees: the next M users, each registered by pbxbench uas (overrides "
                    "[users] callees)")
        ->check(CLI::Range(1ull, 10'000'000ull));
    cmd->add_option("--out", a->out,
                    "Results directory, new or empty (default "
                    "results/<YYYYmmdd-HHMMSS>-<profile name>/)");
    cmd->add_flag("--append", o.append,
                  "With --out: add this run's rows to the run already there (later repeats of "
                  "its scenario x level)");
    auto* cooldown = cmd->add_option("--cooldown", o.cooldown_s, "Idle seconds between levels")
                         ->capture_default_str()
                         ->check(CLI::Range(0.0, 3600.0));
    cmd->add_option("--pin", a->pin,
                    "CPUs for the SUT (with sidecars) and the generator (uas, uac, monitor), "
                    "e.g. sut=0,gen=1 or sut=0-1,gen=2,3 (sched_setaffinity)");
    auto* attach = cmd->add_flag("--attach", o.attach.enabled,
                                 "Benchmark a PBX that is already running: start, render and "
                                 "stop nothing of the profile's SUT (needs --sip)");
    auto* sip =
        cmd->add_option("--sip", o.attach.sip, "With --attach: HOST:PORT where the PBX takes SIP");
    auto* health = cmd->add_option(
        "--health-url", o.attach.health_url,
        "With --attach: the health/active-calls URL (the profile's [health] method, body and "
        "pointers are kept); without it, no health endpoint");
    auto* pids = cmd->add_option("--pid", a->pids,
                                 "With --attach: PIDs whose process trees are monitored, e.g. "
                                 "1234 or 1234,5678 (the first is the SUT)");
    cmd->add_flag("--quick", o.quick,
                  "Small counts, short holds: levels 20,50 at 50 cps, hold 3 s, cooldown 1 s");
    cmd->callback([a, &result, total, cps, hold, levels, cooldown, attach, sip, health, pids] {
        harness::RunOptions& opts = a->options;
        for (const CLI::Option* needs_attach : {sip, health, pids})
            if (*needs_attach && !*attach)
                throw Fatal(needs_attach->get_name() + " is only for --attach", ExitCode::usage);
        if (*pids) {
            auto list = harness::parse_pid_list(a->pids);
            if (!list) throw Fatal("--pid: " + list.error().message, ExitCode::usage);
            opts.attach.pids = *list;
        }
        // --quick sets defaults; options given explicitly still win.
        if (opts.quick) {
            harness::RunOptions given = opts;
            harness::apply_quick(opts);
            if (*cps) opts.cps = given.cps;
            if (*hold) opts.hold_s = given.hold_s;
            if (*cooldown) opts.cooldown_s = given.cooldown_s;
            if (*total && !*levels) opts.levels.clear();
        }
        if (*levels) opts.levels = parse_levels(a->levels);
        if (opts.hold_for_s > 0 && opts.hold_at_s + opts.hold_for_s >= opts.hold_s)
            throw Fatal("--hold-at-s + --hold-for-s must end before the call does (--hold " +
                            std::to_string(opts.hold_s) + " s): lengthen --hold",
                        ExitCode::usage);
        opts.out = a->out;
        if (!a->pin.empty()) {
            auto pinning = harness::parse_pin_option(a->pin);
            if (!pinning) throw Fatal("--pin: " + pinning.error().message, ExitCode::usage);
            opts.pinning = *pinning;
        }
        result = harness::run_benchmark(opts);
    });
}

}  // namespace pbxbench::cli
