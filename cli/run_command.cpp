#include "cli/run_command.hpp"

#include <memory>
#include <set>

#include <CLI/CLI.hpp>

#include "base/arg_fields.hpp"
#include "base/common_args.hpp"
#include "cli/progress_option.hpp"
#include "harness/run.hpp"

namespace pbxbench::cli {

namespace {

using args::ArgSpec;
using args::Unit;

struct RunArgs {
    harness::RunOptions options;
    std::string levels;
    std::string out;
    std::string pin;
    std::string pids;
    std::vector<std::string> http_load;  // --http-load URL@RATE, parsed in add_http_load_option
};

// --http-load URL@RATE, repeatable: management-API load beside the calls of every scenario.
CLI::Option* add_http_load_option(CLI::App& cmd, std::vector<std::string>& into) {
    return cmd
        .add_option("--http-load", into,
                    "GET URL at RATE requests/s beside every level's calls (URL@RATE, "
                    "repeatable; ${HTTP_PORT} and other profile variables allowed); "
                    "results under http_load.streams.cli-N")
        // One value per --http-load, so it never swallows the next argument.
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->type_name("URL@RATE");
}

void apply_http_load_option(const std::vector<std::string>& given,
                            std::vector<harness::HttpLoadOption>& into) {
    for (const std::string& text : given) {
        auto o = harness::parse_http_load_option(text);
        if (!o) throw Fatal("--http-load: " + o.error().message, ExitCode::usage);
        into.push_back(*o);
    }
}

// "20,50" -> {20, 50}: positive, each once (a level twice would measure the same thing twice
// under one name; --repeat is how to measure it again).
std::vector<int> parse_levels(const std::string& text) {
    std::vector<int> levels;
    std::set<int> seen;
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
        if (!seen.insert(levels.back()).second)
            throw Fatal("--levels: " + item +
                            " is listed twice; give each level once (--repeat N runs every "
                            "level N times)",
                        ExitCode::usage);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return levels;
}

}  // namespace

void add_run_command(CLI::App& app, ExitCode& result) {
    auto a = std::make_shared<RunArgs>();
    harness::RunOptions& o = a->options;
    CLI::App* cmd = app.add_subcommand(
        "run", "Start here: benchmark a PBX from a profile, every scenario at every level");
    cmd->footer(
        "First run: pbxbench run --profile profiles/kamailio.toml --quick (prints its plan and "
        "expected duration first; --dry-run prints only that)");
    // Groups print in the order they first appear: what a first run needs comes first.
    const std::string start_here = "Start here";
    cmd->add_option("--profile", o.profile, "SUT profile (TOML), e.g. profiles/kamailio.toml")
        ->required()
        ->group(start_here);
    cmd->add_flag("--quick", o.quick,
                  "A first look in about a minute: levels 20,50 at 50 calls/s, hold 3s, cooldown "
                  "1s (options given explicitly still win)")
        ->group(start_here);
    cmd->add_flag("--dry-run", o.dry_run,
                  "Print the plan (scenarios x levels, expected duration) and start nothing")
        ->group(start_here);
    cmd->add_option("--scenario", o.scenarios, "'all' or scenario names, comma-separated")
        ->capture_default_str()
        ->group(start_here);
    auto* levels =
        cmd->add_option("--levels", a->levels,
                        "Concurrency levels, e.g. 200,500,1000: each scenario once per level "
                        "(each level places that many calls)")
            ->group(start_here);

    const std::string load = "Load";
    auto* total =
        args::add_arg(*cmd,
                      ArgSpec{"-n,--total", "Calls in the one level run when --levels is not given",
                              args::common::total.min, args::common::total.max},
                      o.total)
            ->group(load);
    auto* cps = args::add_arg(*cmd, args::common::cps, o.cps)->group(load);
    auto* hold = args::add_arg(*cmd, args::common::hold, o.hold_s)->group(load);
    args::add_arg(*cmd, args::common::hold_at, o.hold_at_s)->group(load);
    args::add_arg(*cmd, args::common::hold_for, o.hold_for_s)->group(load);
    auto* cooldown = args::add_arg(*cmd, args::common::cooldown, o.cooldown_s)->group(load);
    cmd->add_option("--repeat", o.repeat,
                    "Run each scenario x level this many times (compare then weighs the spread)")
        ->capture_default_str()
        ->check(CLI::Range(1, 100))
        ->group(load);
    args::add_arg(*cmd,
                  ArgSpec{args::common::messages.names,
                          "MESSAGEs per level beside the calls (RFC 3428 page mode, caller to "
                          "callee through the SUT; the row's `messages`: sent vs delivered)",
                          args::common::messages.min, args::common::messages.max},
                  o.messages)
        ->group(load);
    args::add_arg(*cmd, args::common::message_rate, o.message_rate)->group(load);
    args::add_arg(*cmd, args::common::message_bytes, o.message_bytes)->group(load);
    cmd->add_option("--callers", o.callers,
                    "Callers: the first N of the profile's [users] place the calls (0: the "
                    "profile's [users] callers)")
        ->check(CLI::Range(0.0, args::common::max_users))
        ->group(load);
    cmd->add_option("--callees", o.callees,
                    "Callees: the next M users, each registered by pbxbench uas (0: the "
                    "profile's [users] callees)")
        ->check(CLI::Range(0.0, args::common::max_users))
        ->group(load);
    args::add_arg(*cmd,
                  ArgSpec{.names = "--endpoints",
                          .help = "Registered answering endpoints, one per callee (without "
                                  "--callees it sets the number of callees)",
                          .min = 1,
                          .max = args::common::max_endpoints,
                          .old_names = "--uas-count"},
                  o.uas_count)
        ->default_str("one per callee")
        ->group(load);
    args::add_arg(*cmd,
                  ArgSpec{.names = args::common::threads.names,
                          .help = args::common::threads.help,
                          .min = args::common::threads.min,
                          .max = args::common::threads.max,
                          .old_names = "--uac-threads"},
                  o.uac_threads)
        ->group(load);

    const std::string media = "Media";
    cmd->add_flag(
           "--no-media", [&o](std::int64_t) { o.media = false; },
           "Signaling only: the UAC and UAS send no RTP")
        ->group(media);
    cmd->add_option("--uac-rtp-ports", o.uac_rtp_ports,
                    "RTP port range of the UAC (a pair per call)")
        ->capture_default_str()
        ->group(media);
    cmd->add_option("--uas-rtp-ports", o.uas_rtp_ports,
                    "RTP port range of the UAS (a pair per call)")
        ->capture_default_str()
        ->group(media);

    const std::string output = "Output and machine";
    cmd->add_option("--out", a->out,
                    "Results directory, new or empty (default "
                    "results/<YYYYmmdd-HHMMSS>-<profile name>/)")
        ->group(output);
    cmd->add_flag("--append", o.append,
                  "With --out: add this run's rows to the run already there (later repeats of "
                  "its scenario x level)")
        ->group(output);
    cmd->add_option("--pin", a->pin,
                    "CPUs for the SUT (with sidecars) and the generator (uas, uac, monitor), "
                    "e.g. sut=0,gen=1 or sut=0-1,gen=2,3 (sched_setaffinity)")
        ->group(output);

    const std::string attached = "A PBX already running";
    auto* attach = cmd->add_flag("--attach", o.attach.enabled,
                                 "Benchmark a PBX that is already running: start, render and "
                                 "stop nothing of the profile's SUT (needs --sip)")
                       ->group(attached);
    auto* sip =
        cmd->add_option("--sip", o.attach.sip, "With --attach: HOST:PORT where the PBX takes SIP")
            ->group(attached);
    auto* health = cmd->add_option("--health-url", o.attach.health_url,
                                   "With --attach: the health/active-calls URL (the profile's "
                                   "[health] method, body and pointers are kept); without it, "
                                   "no health endpoint")
                       ->group(attached);
    auto* pids = cmd->add_option("--pid", a->pids,
                                 "With --attach: PIDs whose process trees are monitored, e.g. "
                                 "1234 or 1234,5678 (the first is the SUT)")
                     ->group(attached);
    add_http_load_option(*cmd, a->http_load)->group(load);
    add_progress_option(*cmd, o.progress)->group(output);
    cmd->callback([a, &result, total, cps, hold, levels, cooldown, attach, sip, health, pids] {
        harness::RunOptions& opts = a->options;
        for (const CLI::Option* needs_attach : {sip, health, pids})
            if (*needs_attach && !*attach)
                throw Fatal(needs_attach->get_name() + " is only for --attach", ExitCode::usage);
        if (*total && *levels)
            throw Fatal(
                "--total and --levels: give one. --levels 20,50 runs a level of 20 calls and "
                "one of 50; --total N is the one level run without --levels",
                ExitCode::usage);
        if (*total && opts.total == 0)
            throw Fatal("--total 0 places no calls: give 1 or more", ExitCode::usage);
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
            if (*total) opts.levels.clear();
        }
        if (*levels) opts.levels = parse_levels(a->levels);
        if (opts.hold_for_s > 0 && opts.hold_at_s + opts.hold_for_s >= opts.hold_s)
            throw Fatal("--hold-at + --hold-for must end before the call does (--hold " +
                            std::to_string(opts.hold_s) + " s): lengthen --hold",
                        ExitCode::usage);
        if (opts.messages > 0 && opts.uac_threads > 1)
            throw Fatal("--messages runs on one UAC thread: leave out --threads", ExitCode::usage);
        opts.out = a->out;
        apply_http_load_option(a->http_load, opts.http_load);
        if (!a->pin.empty()) {
            auto pinning = harness::parse_pin_option(a->pin);
            if (!pinning) throw Fatal("--pin: " + pinning.error().message, ExitCode::usage);
            opts.pinning = *pinning;
        }
        result = harness::run_benchmark(opts);
    });
}

}  // namespace pbxbench::cli
