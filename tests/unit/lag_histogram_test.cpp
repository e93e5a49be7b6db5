#include "media/lag_histogram.hpp"

#include <gtest/gtest.h>

#include <memory>

#include <nlohmann/json.hpp>

namespace pbxbench::media {
namespace {

// 800 KB of buckets each: on the heap, not the test's stack.
std::unique_ptr<LagHistogram> make() {
    return std::make_unique<LagHistogram>();
}

TEST(LagHistogram, PercentilesAreBucketUpperEdgesNeverBelowTheTrueValue) {
    auto h = make();
    for (int i = 1; i <= 100; ++i) h->add(i * 100);  // 0.1 ms .. 10 ms
    EXPECT_EQ(h->count(), 100u);
    EXPECT_EQ(h->max_us(), 10'000);
    // Nearest rank 50 is 5.0 ms, in the bucket [5.00, 5.01).
    EXPECT_NEAR(h->percentile_ms(50), 5.01, 1e-9);
    EXPECT_NEAR(h->percentile_ms(99), 9.91, 1e-9);
    EXPECT_NEAR(h->percentile_ms(100), 10.0, 1e-9) << "capped at the maximum seen";
    EXPECT_NEAR(h->percentile_ms(1), 0.11, 1e-9);
    const nlohmann::json j = h->to_json();
    EXPECT_EQ(j.at("count"), 100);
    EXPECT_NEAR(j.at("p50_ms").get<double>(), 5.01, 1e-9);
    EXPECT_NEAR(j.at("p99_ms").get<double>(), 9.91, 1e-9);
    EXPECT_NEAR(j.at("max_ms").get<double>(), 10.0, 1e-9);
}

TEST(LagHistogram, EmptyAndNegative) {
    auto h = make();
    EXPECT_EQ(h->percentile_ms(50), 0.0);
    h->add(-500);  // a packet sent early counts as on time
    EXPECT_EQ(h->count(), 1u);
    EXPECT_EQ(h->percentile_ms(100), 0.0);
}

TEST(LagHistogram, LagsBeyondOneSecondAreNotUnderstated) {
    auto h = make();
    h->add(100);
    h->add(5'000'000);  // 5 s: lands in the last bucket
    EXPECT_EQ(h->max_us(), 5'000'000);
    EXPECT_NEAR(h->percentile_ms(100), 5000.0, 1e-9);
    EXPECT_NEAR(h->percentile_ms(50), 0.11, 1e-9);
}

TEST(LagHistogram, MergeEqualsAddingEverythingToOne) {
    auto a = make();
    auto b = make();
    auto all = make();
    for (int i = 0; i < 1000; ++i) {
        const std::int64_t lag = (i * 7919) % 20'000;
        (i % 3 == 0 ? *a : *b).add(lag);
        all->add(lag);
    }
    b->add(300'000);
    all->add(300'000);
    a->merge(*b);
    EXPECT_EQ(a->count(), all->count());
    EXPECT_EQ(a->max_us(), 300'000);
    for (double p : {1.0, 50.0, 90.0, 99.0, 99.9, 100.0})
        EXPECT_DOUBLE_EQ(a->percentile_ms(p), all->percentile_ms(p)) << p;
}

// At 100,000 packets/s a 32-bit bucket wraps after 12 hours: 2^33 packets merged into two
// buckets must still count (and rank) every one of them.
TEST(LagHistogram, CountersDoNotWrapAfterFourBillionPackets) {
    auto h = make();
    h->add(15);                                 // bucket 1 (10-20 us)
    h->add(505);                                // bucket 50 (500-510 us)
    for (int i = 0; i < 32; ++i) h->merge(*h);  // doubling: 2^32 packets in each bucket
    EXPECT_EQ(h->count(), 1ull << 33);
    EXPECT_DOUBLE_EQ(h->percentile_ms(25), 0.02);
    EXPECT_DOUBLE_EQ(h->percentile_ms(75), 0.505);
    auto sum = make();
    sum->merge(*h);
    sum->merge(*h);
    EXPECT_EQ(sum->count(), 1ull << 34);
    EXPECT_DOUBLE_EQ(sum->percentile_ms(50), 0.02);
}

}  // namespace
}  // namespace pbxbench::media
