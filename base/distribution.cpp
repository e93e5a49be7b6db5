#include "base/distribution.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <nlohmann/json.hpp>

namespace pbxbench {

double nearest_rank(const std::vector<double>& sorted, double percent) {
    if (sorted.empty()) return 0;
    double rank = std::ceil(percent / 100.0 * static_cast<double>(sorted.size()));
    std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
    return sorted[std::min(index, sorted.size() - 1)];
}

DistributionSummary summarize(std::vector<double>& values, double scale) {
    DistributionSummary s;
    s.count = values.size();
    if (values.empty()) return s;
    std::sort(values.begin(), values.end());
    s.mean = std::accumulate(values.begin(), values.end(), 0.0) /
             static_cast<double>(values.size()) * scale;
    s.min = values.front() * scale;
    s.p50 = nearest_rank(values, 50) * scale;
    s.p90 = nearest_rank(values, 90) * scale;
    s.p95 = nearest_rank(values, 95) * scale;
    s.p99 = nearest_rank(values, 99) * scale;
    s.max = values.back() * scale;
    return s;
}

DistributionSummary summarize(const std::vector<std::uint32_t>& values, double scale) {
    std::vector<double> copy(values.begin(), values.end());
    return summarize(copy, scale);
}

nlohmann::json to_json(const DistributionSummary& s) {
    return {{"count", s.count}, {"mean", s.mean}, {"min", s.min}, {"p50", s.p50},
            {"p90", s.p90},     {"p95", s.p95},   {"p99", s.p99}, {"max", s.max}};
}

}  // namespace pbxbench
