#pragma once
// One scenario at one load level, start to stop: plan, templates, setup steps, sidecars and
// the SUT (ready), `pbxbench uas` registered, the monitor sampling, `pbxbench uac` placing
// the calls, then everything stopped newest first. Failures end the level, never the run.
#include <atomic>
#include <filesystem>
#include <optional>

#include "harness/attach.hpp"
#include "harness/live_view.hpp"
#include "harness/pinning.hpp"
#include "harness/ports.hpp"
#include "harness/process.hpp"
#include "harness/profile.hpp"
#include "harness/readiness.hpp"
#include "harness/run_options.hpp"
#include "harness/run_report.hpp"
#include "monitor/clock.hpp"

namespace pbxbench::harness {

// What every level of a run shares. Children are launched from the calling thread, which must
// live as long as they do (PDEATHSIG follows the launching thread).
struct RunContext {
    const Profile& profile;
    const RunOptions& options;
    ProcessLauncher& launcher;
    ReadinessProbe& probe;
    monitor::Clock& clock;
    PortAllocator& ports;
    LiveView& view;
    const std::atomic<bool>& interrupted;  // set by SIGINT/SIGTERM
    std::filesystem::path out_dir;         // logs/<scenario>-<level>/ and samples/ go below it
    std::filesystem::path self_exe;        // this binary, for `pbxbench uas` and `pbxbench uac`
    CpuList sut_cpus;                    // SUT, sidecars, setup steps; empty: inherit the harness's
    CpuList generator_cpus;              // pbxbench uas and uac; empty: inherit the harness's
    std::optional<AttachTarget> attach;  // --attach: the running PBX instead of the profile's SUT
};

// Per-level choices beyond RunOptions, for `pbxbench capacity`'s trials.
struct LevelOptions {
    std::string file_stem;  // samples/<stem>.jsonl and logs/<stem>/; empty: NAME-LEVEL[-rN]
    // Early abort: once more calls than this have failed, the UAC is stopped (SIGINT) and the
    // level ends with `aborted_early`; a failing trial then costs seconds, not its full length.
    std::optional<std::uint64_t> max_failures;
    // With --attach, a SUT log to scan anyway (`pbxbench capacity --warm` keeps one SUT and
    // attaches each trial to it): only what was written after `sut_log_offset` bytes.
    std::filesystem::path sut_log;
    std::uintmax_t sut_log_offset = 0;
};

// Runs `scenario` with `level` calls and returns what was measured. `error` says why the
// level failed (with the relevant log tail); `interrupted` is set when a signal cut it short.
// `repeat` is 1-based; the first repeat's files keep the plain names (samples/NAME-LEVEL.jsonl),
// later ones get "-rN".
LevelMeasurement run_scenario_level(const RunContext& ctx, const ScenarioSpec& scenario, int level,
                                    int repeat = 1, const LevelOptions& options = {});

}  // namespace pbxbench::harness
