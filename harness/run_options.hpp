#pragma once
// What `pbxbench run` was asked to do: the profile, which scenarios, the load per level and
// where results go. Filled by cli/run_command.cpp; read by harness/run.cpp.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/common_args.hpp"
#include "harness/attach.hpp"
#include "harness/http_load_plan.hpp"
#include "harness/pinning.hpp"
#include "harness/progress_mode.hpp"

namespace pbxbench::harness {

struct RunOptions {
    std::filesystem::path profile;
    std::string scenarios = "all";  // "all" or "a,b"
    int total = 500;                // calls per level when `levels` is empty
    double cps = 100;               // fast ramp ...
    double hold_s = 60;             // ... long hold: concurrency == level
    // Mid-call hold of every call (pbxbench uac --hold-at/--hold-for); 0 for: none.
    double hold_at_s = 0;
    double hold_for_s = 0;
    std::vector<int> levels;        // each scenario runs once per level, total = level
    // Answering endpoints, one per callee: 0 follows the callees (the profile's, else 2);
    // given without --callees it sets the number of callees.
    int uas_count = 0;
    std::uint64_t callers = 0;  // --callers: 0 keeps the profile's [users] callers
    std::uint64_t callees = 0;  // --callees: 0 keeps the profile's [users] callees
    std::filesystem::path out;  // empty: results/<YYYYmmdd-HHMMSS>-<profile name>[-N]/
    bool append = false;        // --append: add to the run already in `out`
    double cooldown_s = 10;     // idle time between scenario x level runs
    bool quick = false;         // small counts, short holds (see apply_quick)
    bool dry_run = false;       // print the plan and its expected duration, start nothing
    int repeat = 1;             // runs of each scenario x level, for run-to-run spread
    int monitor_interval_ms = 500;
    Pinning pinning;       // --pin; empty lists: not pinned
    AttachOptions attach;  // --attach: a PBX already running, never started or stopped
    // RTP: the UAC sends PCMU from each answer to its BYE and the UAS echoes it. The port
    // ranges stay clear of the profile's relay (rtpengine uses 30000-40000 in ours).
    bool media = true;
    int uac_threads = 1;  // pbxbench uac --threads: the schedule over this many shards
    std::string uac_rtp_ports = args::common::uac_rtp_ports;
    std::string uas_rtp_ports = args::common::uas_rtp_ports;
    // --http-load URL@RATE (repeatable): management-API load beside every scenario's calls,
    // in addition to the scenario's own [[http_load]] entries.
    std::vector<HttpLoadOption> http_load;
    // MESSAGEs per level beside the calls (harness/run_messages.hpp); 0: none.
    std::uint64_t messages = 0;
    double message_rate = 50;
    std::uint64_t message_bytes = 32;
    ProgressMode progress = ProgressMode::automatic;  // --progress: the live view on stderr
};

// The levels a run measures: `levels`, or one level of `total` calls.
inline std::vector<int> effective_levels(const RunOptions& o) {
    return o.levels.empty() ? std::vector<int>{o.total} : o.levels;
}

// --quick: the four Kamailio scenarios finish in a few minutes. Explicit --levels, --cps,
// --hold and --cooldown are applied by the caller afterwards, so they still win.
inline void apply_quick(RunOptions& o) {
    o.levels = {20, 50};
    o.cps = 50;
    o.hold_s = 3;
    o.cooldown_s = 1;
}

}  // namespace pbxbench::harness
