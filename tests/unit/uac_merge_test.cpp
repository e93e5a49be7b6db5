// --threads: shards' statistics and progress lines merge into what one batch would report.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "uac/call_stats.hpp"
#include "uac/sharded_batches.hpp"

namespace pbxbench::uac {
namespace {

TEST(CallStatsMerge, CountsAddAndLatenciesConcatenate) {
    CallStats a, b;
    a.attempted = 3;
    a.add(Outcome::completed);
    a.add(Outcome::completed);
    a.add(Outcome::timeout);
    a.final_status[200] = 2;
    a.timeouts["invite:B"] = 1;
    a.setup_us = {1000, 3000};
    b.attempted = 2;
    b.add(Outcome::completed);
    b.add(Outcome::failed_status);
    b.final_status[200] = 1;
    b.final_status[486] = 1;
    b.setup_us = {2000};
    a.merge(b);
    EXPECT_EQ(a.attempted, 5u);
    EXPECT_EQ(a.count(Outcome::completed), 3u);
    EXPECT_EQ(a.failed(), 2u);
    EXPECT_EQ(a.final_status[200], 3u);
    EXPECT_EQ(a.final_status[486], 1u);
    EXPECT_EQ(a.timeouts["invite:B"], 1u);
    ASSERT_EQ(a.setup_us.size(), 3u);
    // The p50 of the merged raw values is the true median (2 ms), not a mean of medians.
    EXPECT_DOUBLE_EQ(a.latency_json()["setup_ms"]["p50"].get<double>(), 2.0);
}

TEST(SumProgress, CountsAndRatesAddElapsedAndLagTakeTheMax) {
    nlohmann::json a = {{"event", "progress"},
                        {"elapsed_s", 2.0},
                        {"attempted", 10u},
                        {"cps", 5.0},
                        {"failed_by_reason", {{"timeout", 1u}}},
                        {"media", {{"packets_out_per_s", 100.0}, {"pacing_lag_p99_ms", 1.5}}}};
    nlohmann::json b = {{"event", "progress"},
                        {"elapsed_s", 2.5},
                        {"attempted", 7u},
                        {"cps", 4.0},
                        {"failed_by_reason", {{"timeout", 2u}}},
                        {"media", {{"packets_out_per_s", 50.0}, {"pacing_lag_p99_ms", 0.5}}}};
    nlohmann::json s = sum_progress(a, b);
    EXPECT_EQ(s["event"], "progress");
    EXPECT_DOUBLE_EQ(s["elapsed_s"].get<double>(), 2.5);
    EXPECT_EQ(s["attempted"].get<std::uint64_t>(), 17u);
    EXPECT_DOUBLE_EQ(s["cps"].get<double>(), 9.0);
    EXPECT_EQ(s["failed_by_reason"]["timeout"].get<std::uint64_t>(), 3u);
    EXPECT_DOUBLE_EQ(s["media"]["packets_out_per_s"].get<double>(), 150.0);
    EXPECT_DOUBLE_EQ(s["media"]["pacing_lag_p99_ms"].get<double>(), 1.5);
}

}  // namespace
}  // namespace pbxbench::uac
