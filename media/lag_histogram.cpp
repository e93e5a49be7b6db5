#include "media/lag_histogram.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace pbxbench::media {

void LagHistogram::add(std::int64_t lag_us) {
    lag_us = std::max<std::int64_t>(lag_us, 0);
    const auto index = std::min<std::size_t>(static_cast<std::size_t>(lag_us / bucket_us),
                                             buckets - 1);
    ++counts_[index];
    ++count_;
    max_us_ = std::max(max_us_, lag_us);
}

void LagHistogram::merge(const LagHistogram& other) {
    for (std::size_t i = 0; i < buckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    max_us_ = std::max(max_us_, other.max_us_);
}

double LagHistogram::percentile_ms(double percent) const {
    if (count_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(
        std::max(1.0, std::ceil(percent / 100.0 * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets; ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            // The last bucket has no upper edge but the maximum: lags past 1 s land there.
            const auto edge_us =
                i + 1 == buckets ? max_us_ : static_cast<std::int64_t>(i + 1) * bucket_us;
            return static_cast<double>(std::min(edge_us, max_us_)) / 1000.0;
        }
    }
    return static_cast<double>(max_us_) / 1000.0;
}

nlohmann::json LagHistogram::to_json() const {
    return {{"count", count_},
            {"p50_ms", percentile_ms(50)},
            {"p99_ms", percentile_ms(99)},
            {"max_ms", static_cast<double>(max_us_) / 1000.0}};
}

}  // namespace pbxbench::media
