#pragma once
// Scaling estimates: a PBX's CPU% and memory as linear functions of concurrent calls, fitted
// by least squares over the levels a run measured, and the capacity that follows.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/error.hpp"

namespace pbxbench::harness {

struct Point {
    double x = 0;  // concurrent calls
    double y = 0;  // CPU % of one core, or memory MB
};

// y = intercept + slope * x, with the coefficient of determination.
struct LinearFit {
    double intercept = 0;
    double slope = 0;
    double r_squared = 0;  // 1 for an exact line; 1 by convention when every y is equal
    std::size_t points = 0;
};

// Ordinary least squares. Needs two or more points with at least two distinct x values.
Result<LinearFit> fit_line(std::span<const Point> points);

// A capacity (calls at the target CPU) is projected only from a fit with signal in it: at
// least this many distinct levels (two always fit exactly, R² 1 by construction) ...
inline constexpr std::size_t min_levels_for_capacity = 3;
// ... CPU at this % of a core or more at some level (below it, /proc's 10 ms ticks, 2% of a
// core per 500 ms sample, are most of what was measured) ...
inline constexpr double min_cpu_percent_for_capacity = 5.0;
// ... and an intercept (idle CPU) of zero or more: a line through a negative idle cost is not
// how a PBX uses CPU, and extrapolating it overstates capacity.

struct ScalingInput {
    std::vector<Point> cpu_percent;  // SUT CPU (100 = one core) against concurrent calls
    std::vector<Point> memory_mb;    // SUT memory against concurrent calls
    int cores = 1;
    double target_utilisation = 0.7;  // capacity planning headroom
};

struct ScalingEstimate {
    std::optional<LinearFit> cpu;     // with two or more levels
    std::optional<LinearFit> memory;
    double cpu_percent_per_call = 0;  // the slope, or total/concurrent with one level
    double memory_mb_per_call = 0;
    // Concurrent calls at which CPU reaches target_utilisation of one core, and of every core;
    // none when the fit has too little signal (see no_capacity_reason).
    std::optional<double> calls_per_core_at_target;
    std::optional<double> calls_machine_at_target;
    std::string no_capacity_reason;  // why there is no capacity estimate; empty when there is
    double max_cpu_percent = 0;      // the highest CPU figure fitted
    std::string method;              // how the figures were obtained, in words
};

// Fits when there are two or more distinct levels; with one level reports per-call averages
// (including any fixed cost, so they overstate the marginal cost) and says why. Projects a
// capacity only from a fit with signal (the constants above), else says why not.
ScalingEstimate estimate_scaling(const ScalingInput& input);

nlohmann::json to_json(const ScalingEstimate& e, const ScalingInput& input);

}  // namespace pbxbench::harness
