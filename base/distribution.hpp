#pragma once
// Summaries of raw values: true percentiles (nearest rank), never from buckets. Callers keep
// the raw values, so results from several generators merge exactly by concatenation.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pbxbench {

struct DistributionSummary {
    std::size_t count = 0;
    double mean = 0;
    double min = 0;
    double p50 = 0;
    double p90 = 0;
    double p95 = 0;
    double p99 = 0;
    double max = 0;
};

// The nearest-rank percentile of sorted values: the smallest value with at least p% of the
// values at or below it, so every reported figure was actually observed. 0 when empty.
double nearest_rank(const std::vector<double>& sorted, double percent);

// Summarizes `values` (sorted in place). `scale` multiplies every figure (e.g. 1e-3 for µs → ms).
DistributionSummary summarize(std::vector<double>& values, double scale = 1.0);
DistributionSummary summarize(const std::vector<std::uint32_t>& values, double scale = 1.0);

// {"count":..,"mean":..,"min":..,"p50":..,"p90":..,"p95":..,"p99":..,"max":..}
nlohmann::json to_json(const DistributionSummary& s);

}  // namespace pbxbench
