#pragma once
// `pbxbench capacity`: how far a PBX goes. Runs the capacity search (capacity_search.hpp) with
// real trials through the run machinery (a fresh SUT per trial, `--warm` one for all,
// `--attach` to a running PBX), judges each trial (capacity_trial.hpp) and writes
// capacity.jsonl and summary.md as it goes (docs/capacity.md).
#include <filesystem>
#include <optional>
#include <string>

#include "base/common_args.hpp"
#include "base/error.hpp"
#include "harness/attach.hpp"
#include "harness/pinning.hpp"
#include "harness/progress_mode.hpp"

namespace pbxbench::harness {

enum class FindMode { cps, concurrent };

struct CapacityOptions {
    std::filesystem::path profile;
    std::string scenarios;  // empty: the profile's first scenario; else "a,b" or "all"
    FindMode find = FindMode::cps;
    std::string slos;             // --slo, merged over the mode's defaults
    std::optional<double> start;  // cps: 100 calls/s; concurrent: 50 calls
    double resolution = 0.05;
    double budget_s = 600;
    std::optional<double> trial_s;    // cps: 10 s of offered load; concurrent: hold 20 s
    std::optional<double> confirm_s;  // 60 s (cps: of load; concurrent: of hold)
    std::optional<double> hold_s;     // cps: 0.5 s
    std::optional<double> ramp_cps;   // concurrent: calls/s while ramping up (200)
    std::optional<bool> media;        // cps: off; concurrent: on
    std::optional<double> max_value;  // the most the generator is asked to offer
    bool warm = false;                // one SUT for every trial of a scenario
    int uac_threads = 1;
    int uas_count = 0;  // 0: one endpoint per callee of the profile (as `run`)
    double cooldown_s = 1;
    bool dry_run = false;  // print what the search would do and its longest duration; start nothing
    std::filesystem::path out;
    Pinning pinning;
    AttachOptions attach;
    std::string uac_rtp_ports = args::common::uac_rtp_ports;
    std::string uas_rtp_ports = args::common::uas_rtp_ports;
    ProgressMode progress = ProgressMode::automatic;  // --progress: the live view on stderr
};

// Runs the search for each selected scenario. Throws Fatal(usage) for bad options before
// anything starts. Exit: success when every scenario's capacity was confirmed, failed when a
// search ended without a confirmed value (generator-bound, error, budget), interrupted.
ExitCode run_capacity(const CapacityOptions& options);

}  // namespace pbxbench::harness
