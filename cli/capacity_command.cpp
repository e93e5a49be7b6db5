#include "cli/capacity_command.hpp"

#include <memory>

#include <CLI/CLI.hpp>

#include "base/arg_fields.hpp"
#include "base/common_args.hpp"
#include "cli/progress_option.hpp"
#include "harness/capacity.hpp"

namespace pbxbench::cli {

namespace {

using args::ArgSpec;
using args::Unit;

struct CapacityArgs {
    harness::CapacityOptions options;
    std::string find = "cps";
    std::string resolution = "5%";
    double budget_s = 600, trial_s = 0, confirm_s = 60, hold_s = 0.5;
    double start = 0, ramp = 200, max = 0;
    std::string out, pin, pids;
    bool media = false, no_media = false;
};

// "5%" or "0.05": the bisection's relative resolution.
double resolution(const std::string& text) {
    try {
        std::size_t used = 0;
        double v = std::stod(text, &used);
        std::string rest = text.substr(used);
        if (rest == "%")
            v /= 100;
        else if (!rest.empty())
            throw std::invalid_argument(text);
        if (!(v > 0 && v < 1)) throw std::invalid_argument(text);
        return v;
    } catch (const std::exception&) {
        throw Fatal("--resolution '" + text +
                        "': expected a share such as 5% (or 0.05), above "
                        "0% and below 100%",
                    ExitCode::usage);
    }
}

}  // namespace

void add_capacity_command(CLI::App& app, ExitCode& result) {
    auto a = std::make_shared<CapacityArgs>();
    harness::CapacityOptions& o = a->options;
    CLI::App* cmd = app.add_subcommand("capacity",
                                       "Find the highest call rate or concurrent-call level a PBX "
                                       "sustains within its SLOs, and why "
                                       "it broke above");
    cmd->add_option("--profile", o.profile, "SUT profile (TOML), e.g. profiles/kamailio.toml")
        ->required();
    cmd->add_option("--scenario", o.scenarios,
                    "Scenario(s) to search, comma-separated, or 'all' (default: the profile's "
                    "first)");
    cmd->add_option("--find", a->find, "What to find: cps (calls/s) or concurrent (calls)")
        ->capture_default_str()
        ->check(CLI::IsMember({"cps", "concurrent"}));
    cmd->add_option("--slo", o.slos,
                    "Objectives every passing trial meets, over the defaults, e.g. "
                    "failures<=0.1%,setup_p99<=500ms (docs/capacity.md lists them)");
    auto* start =
        cmd->add_option("--start", a->start, "First value offered (default 100 calls/s; 50 calls)");
    cmd->add_option("--resolution", a->resolution, "Bisection stops within this share")
        ->capture_default_str();
    auto duration = [&](const char* names, const char* help, double& field, double max_s) {
        return args::add_arg(
            *cmd,
            ArgSpec{
                .names = names, .help = help, .min = 0, .max = max_s, .duration = Unit::seconds},
            field);
    };
    duration("--budget", "Wall time for each scenario's search, e.g. 3m", a->budget_s, 7 * 86400);
    auto* trial = duration("--trial",
                           "Length of a search trial (cps: offered load, default 10s; "
                           "concurrent: hold, default 20s)",
                           a->trial_s, 86400);
    trial->default_str("");
    auto* confirm = duration("--confirm", "Length of the confirmation trial", a->confirm_s, 86400);
    auto* hold =
        duration("--hold", "cps: how long each call is held", a->hold_s, args::common::hold.max);
    auto* ramp = args::add_arg(
        *cmd,
        ArgSpec{args::common::cps.names, "concurrent: calls/s while ramping up to a level",
                args::common::cps.min, args::common::cps.max},
        a->ramp);
    auto* max = cmd->add_option("--max", a->max,
                                "Never offer more than this (default: what the generator can: "
                                "20000 calls/s per UAC thread; an RTP port pair per call)");
    cmd->add_flag("--media", a->media, "Send RTP (default for --find concurrent)");
    cmd->add_flag("--no-media", a->no_media, "Signaling only (default for --find cps)");
    cmd->add_flag("--warm", o.warm,
                  "Keep one SUT across every trial (default: a fresh SUT per trial)");
    args::add_arg(*cmd, args::common::threads, o.uac_threads);
    args::add_arg(*cmd,
                  ArgSpec{.names = "--endpoints",
                          .help = "Registered answering endpoints, one per callee of the "
                                  "profile",
                          .min = 1,
                          .max = args::common::max_endpoints,
                          .old_names = "--uas-count"},
                  o.uas_count)
        ->default_str("one per callee");
    args::add_arg(*cmd, args::common::cooldown, o.cooldown_s);
    cmd->add_flag("--dry-run", o.dry_run,
                  "Print the search's plan and its longest duration (the budget) and start "
                  "nothing");
    cmd->add_option("--out", a->out,
                    "Results directory (default results/<YYYYmmdd-HHMMSS>-<profile>-capacity/)");
    cmd->add_option("--pin", a->pin, "CPUs for the SUT and the generator, e.g. sut=0,gen=1");
    cmd->add_option("--uac-rtp-ports", o.uac_rtp_ports, "RTP port range of the UAC")
        ->capture_default_str();
    cmd->add_option("--uas-rtp-ports", o.uas_rtp_ports, "RTP port range of the UAS")
        ->capture_default_str();
    auto* attach = cmd->add_flag("--attach", o.attach.enabled,
                                 "Search a PBX that is already running (needs --sip)");
    auto* sip = cmd->add_option("--sip", o.attach.sip, "With --attach: HOST:PORT of the PBX");
    auto* health = cmd->add_option("--health-url", o.attach.health_url,
                                   "With --attach: the health/active-calls URL");
    auto* pids =
        cmd->add_option("--pid", a->pids, "With --attach: PIDs to monitor, the first is the SUT");
    add_progress_option(*cmd, o.progress);
    cmd->callback([a, &result, start, ramp, max, trial, confirm, hold, attach, sip, health, pids] {
        harness::CapacityOptions& opts = a->options;
        for (const CLI::Option* needs_attach : {sip, health, pids})
            if (*needs_attach && !*attach)
                throw Fatal(needs_attach->get_name() + " is only for --attach", ExitCode::usage);
        if (*pids) {
            auto list = harness::parse_pid_list(a->pids);
            if (!list) throw Fatal("--pid: " + list.error().message, ExitCode::usage);
            opts.attach.pids = *list;
        }
        if (a->media && a->no_media)
            throw Fatal("--media and --no-media: pick one", ExitCode::usage);
        opts.find = a->find == "cps" ? harness::FindMode::cps : harness::FindMode::concurrent;
        if (*ramp && opts.find == harness::FindMode::cps)
            throw Fatal(
                "--cps is the ramp of --find concurrent; for --find cps the rate is "
                "what the search varies (use --start)",
                ExitCode::usage);
        if (*hold && opts.find == harness::FindMode::concurrent)
            throw Fatal(
                "--hold is for --find cps; a concurrent trial holds its calls for "
                "--trial (and --confirm)",
                ExitCode::usage);
        if (*start) {
            if (!(a->start > 0)) throw Fatal("--start must be above 0", ExitCode::usage);
            opts.start = a->start;
        }
        if (*ramp) opts.ramp_cps = a->ramp;
        if (*max) {
            if (!(a->max > 0)) throw Fatal("--max must be above 0", ExitCode::usage);
            opts.max_value = a->max;
        }
        if (a->media) opts.media = true;
        if (a->no_media) opts.media = false;
        opts.resolution = resolution(a->resolution);
        opts.budget_s = a->budget_s;
        if (*trial) opts.trial_s = a->trial_s;
        if (*confirm) opts.confirm_s = a->confirm_s;
        if (*hold) opts.hold_s = a->hold_s;
        opts.out = a->out;
        if (!a->pin.empty()) {
            auto pinning = harness::parse_pin_option(a->pin);
            if (!pinning) throw Fatal("--pin: " + pinning.error().message, ExitCode::usage);
            opts.pinning = *pinning;
        }
        result = harness::run_capacity(opts);
    });
}

}  // namespace pbxbench::cli
