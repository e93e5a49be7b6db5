#pragma once
// The results of `pbxbench run` as data: one row per scenario x level (`"kind":"level"`), one
// scaling row per scenario (`"kind":"scaling"`), and summary.md rendered from those rows.
// Pure functions of their inputs, so they are tested on synthetic measurements; the schema
// is documented in docs/results.md.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/level_state.hpp"

namespace pbxbench::harness {

inline constexpr int results_schema_version = 1;

// The share of the level the health endpoint must report for a sample to count as full load.
inline constexpr double full_load_share = 0.95;

// A generator process using this much of a core (its busiest interval) limited the offered
// load: the level is then flagged generator-bound.
inline constexpr double generator_bound_percent = 90.0;

// One monitor sample reduced to what derived figures need.
struct LoadPoint {
    std::optional<double> calls;        // active calls from the health endpoint
    std::optional<double> cpu_percent;  // SUT + sidecars, 100 = one core
    double t_s = 0;                     // when taken, seconds since the monitor's start
    std::optional<double> rss_bytes{};  // SUT + sidecars
    std::optional<double> pss_bytes{};  // SUT + sidecars, when readable for every process
};

// One `progress` line of the UAC: how far its schedule got.
struct ProgressPoint {
    double elapsed_s = 0;
    double attempted = 0;
    double failed = 0;
};

// Everything measured (or not) for one scenario at one level.
struct LevelMeasurement {
    std::string scenario;
    int level = 0;
    int repeat = 1;  // 1-based, of RunOptions::repeat
    nlohmann::json config = nlohmann::json::object();
    std::string started_at;  // ISO 8601 UTC
    std::string ended_at;
    std::string error;  // empty: the level ran to the end
    bool interrupted = false;
    bool sut_died = false;           // the SUT or a sidecar (an attached PID) exited mid-level
    bool disk_error = false;         // a result file could not be written: the run stops
    nlohmann::json uac_summary;      // the UAC's summary event; null if it never came
    nlohmann::json uas_summary;      // the UAS's summary event (echo-side media); null if none
    nlohmann::json monitor_summary;  // the monitor's summary; null if it never ran
    std::vector<LoadPoint> load;     // one per monitor sample
    double interval_s = 0.5;         // between monitor samples
    nlohmann::json processes = nlohmann::json::object();  // process group ids we started
    nlohmann::json collected = nlohmann::json::object();  // [[collect]] name -> last output line
    std::vector<std::string> errors;                      // problems that did not end the level
    nlohmann::json sut_log;      // the SUT log's error lines (log_scan.hpp); null if not scanned
    bool aborted_early = false;  // the UAC was stopped once more calls failed than allowed
    std::vector<ProgressPoint> progress;  // the UAC's progress lines, in order
    // The management-API load beside the calls (http_load_report.hpp); null when none ran.
    nlohmann::json http_load;
};

// Seconds during which the health endpoint reported at least 95% of `level` active calls:
// the number of such samples times the sampling interval, but never more than `max_s` (what
// the plan allows, see full_load_max_seconds).
double sustained_seconds(std::span<const LoadPoint> load, int level, double interval_s,
                         std::optional<double> max_s = std::nullopt);

// The longest time `level` calls started at `cps` and each held `hold_s` can all be up at
// once to 95%: from the start of the call that reaches 95% of the level to the end of the
// first call that must still be up, hold − (2k − level − 1)/cps for k = ceil(0.95 level);
// 0 when the ramp outlasts the hold.
double full_load_max_seconds(int level, double cps, double hold_s);

// The state of a level (report/level_state.hpp): interrupted, else sut_died, else error,
// else calls_failed (a failed call, or fewer completed than placed), else ok.
report::LevelState level_state(const LevelMeasurement& m);

// Mean SUT CPU over the samples at full load (see sustained_seconds), if there were any.
std::optional<double> full_load_cpu_percent(std::span<const LoadPoint> load, int level);

// The `"kind":"level"` row. `run` is the run metadata object, copied into every row.
nlohmann::json build_level_row(const LevelMeasurement& m, const nlohmann::json& run);

// The `"kind":"scaling"` row of `scenario`, fitted over its level rows among `rows` that were
// measured in full (state ok); null when there is none.
nlohmann::json build_scaling_row(const std::string& scenario,
                                 const std::vector<nlohmann::json>& rows,
                                 const nlohmann::json& run);

// True if the row's level is not ok (report::LevelState): the run then exits 1.
bool row_failed(const nlohmann::json& row);

// summary.md: tables in the shape of the RustPBX benchmark (completion, status codes, setup
// latency, CPU and memory, concurrency, per-call overhead, scaling, media-proxy overhead).
std::string render_summary_md(const std::vector<nlohmann::json>& rows, const nlohmann::json& run);

}  // namespace pbxbench::harness
