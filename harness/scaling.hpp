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
    // Concurrent calls at which CPU reaches target_utilisation of one core, and of every core.
    std::optional<double> calls_per_core_at_target;
    std::optional<double> calls_machine_at_target;
    std::string method;  // how the figures were obtained, in words
};

// Fits when there are two or more distinct levels; with one level reports per-call averages
// (including any fixed cost, so they overstate the marginal cost) and says why.
ScalingEstimate estimate_scaling(const ScalingInput& input);

nlohmann::json to_json(const ScalingEstimate& e, const ScalingInput& input);

}  // namespace pbxbench::harness
