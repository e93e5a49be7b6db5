#pragma once
// Turns a Recording into the summary line: avg, p50, p95 and peak of every series.
#include <optional>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "monitor/sample.hpp"

namespace pbxbench::monitor {

struct Stats {
    std::size_t count = 0;
    double avg = 0;
    double p50 = 0;
    double p95 = 0;
    double peak = 0;
};

// Percentiles by nearest rank: the smallest value with at least p% of the values at or below
// it, so every reported figure was actually observed.
Stats summarize(std::vector<double> values);

// A single-threaded generator process at or above this share of a core limits the offered load.
inline constexpr double generator_bound_percent = 90.0;

// The summary object: schema_version, counts, per-series Stats, health outcome counts, events
// and warnings (e.g. the generator was the bottleneck).
nlohmann::json summary_json(const Recording& recording);

}  // namespace pbxbench::monitor
