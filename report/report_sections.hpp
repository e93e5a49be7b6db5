#pragma once
// The parts of report.html (internal to report/): one function per section, each returning
// HTML with inline SVG charts.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "report/run_data.hpp"

namespace pbxbench::report {

// Scenario names in order of first appearance in the run.
std::vector<std::string> scenarios_of(const RunData& run);

// The level rows of one scenario, file order (repeats included).
std::vector<const nlohmann::json*> levels_of(const RunData& run, const std::string& scenario);

// The last scaling row of a scenario, or nullptr.
const nlohmann::json* scaling_of(const RunData& run, const std::string& scenario);

// One level: CPU, memory and concurrent calls over time (from samples/), setup latency
// percentiles, media figures.
std::string level_section(const RunData& run, const nlohmann::json& row);

// Every level of the run in one table: its state (levels not measured in full in red, with
// their error), calls completed and the headline metrics, labelled from the metric table.
std::string levels_overview(const RunData& run);

// A scenario's scaling fits (CPU and memory against calls) with their formulas and R².
std::string scaling_section(const std::vector<const RunData*>& runs, const std::string& scenario);

// Media loss, jitter and MOS per level of a scenario, or a note that media was not measured.
// `include_partial`: levels not measured in full are charted too (the table always has them).
std::string media_section(const RunData& run, const std::string& scenario,
                          bool include_partial = false);

// Every scenario of one run side by side: bars per level (levels measured in full only,
// unless `include_partial`).
std::string scenario_comparison_section(const RunData& run, bool include_partial = false);

// Several runs (releases) side by side: the compare metrics per scenario and level (levels
// measured in full only, unless `include_partial`).
std::string across_runs_section(const std::vector<RunData>& runs, bool include_partial = false);

}  // namespace pbxbench::report
