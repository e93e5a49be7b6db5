#pragma once
// Pacing lag (actual send time − scheduled) of every packet a generator sent, in fixed 10 µs
// buckets up to 1 s: O(1) per packet at 100,000 packets/s, and histograms from several
// generators merge exactly by adding buckets. Counters are 64-bit (32 would wrap after 12 h
// at 100,000 packets/s). Percentiles are the bucket's upper edge, so
// they are never understated by more than the bucket width.
#include <cstdint>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pbxbench::media {

class LagHistogram {
  public:
    static constexpr std::int64_t bucket_us = 10;
    static constexpr std::size_t buckets = 100'000;  // 1 s; later lands in the last bucket

    void add(std::int64_t lag_us);
    void merge(const LagHistogram& other);
    std::uint64_t count() const { return count_; }
    std::int64_t max_us() const { return max_us_; }
    // The smallest bucket edge with at least `percent` of the packets at or below it.
    double percentile_ms(double percent) const;
    // {"count", "p50_ms", "p99_ms", "max_ms"}
    nlohmann::json to_json() const;

  private:
    // On the heap (800 KB): a histogram on a thread's stack must not be what overflows it.
    std::vector<std::uint64_t> counts_ = std::vector<std::uint64_t>(buckets);
    std::uint64_t count_ = 0;
    std::int64_t max_us_ = 0;
};

}  // namespace pbxbench::media
