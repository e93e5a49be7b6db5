#include "monitor/summary.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pbxbench::monitor {
namespace {

TEST(Summarize, NearestRankPercentilesAreObservedValues) {
    std::vector<double> v;
    for (int i = 1; i <= 20; ++i) v.push_back(i);
    Stats s = summarize(v);
    EXPECT_EQ(s.count, 20u);
    EXPECT_DOUBLE_EQ(s.avg, 10.5);
    EXPECT_DOUBLE_EQ(s.p50, 10);  // ceil(0.5 * 20) = 10th value
    EXPECT_DOUBLE_EQ(s.p95, 19);  // ceil(0.95 * 20) = 19th value
    EXPECT_DOUBLE_EQ(s.peak, 20);
}

TEST(Summarize, OneSpikeIsThePeakNotTheAverage) {
    std::vector<double> v(99, 5.0);
    v.push_back(100.0);
    Stats s = summarize(v);
    EXPECT_DOUBLE_EQ(s.p95, 5.0);
    EXPECT_DOUBLE_EQ(s.peak, 100.0);
    EXPECT_NEAR(s.avg, 5.95, 1e-9);
}

TEST(Summarize, EmptyAndSingle) {
    EXPECT_EQ(summarize({}).count, 0u);
    Stats one = summarize({7});
    EXPECT_DOUBLE_EQ(one.p50, 7);
    EXPECT_DOUBLE_EQ(one.p95, 7);
}

TEST(SummaryJson, CountsHealthOutcomesAndWarnsWhenTheGeneratorIsTheBottleneck) {
    Recording rec;
    rec.cores = 4;
    for (int i = 0; i < 3; ++i) {
        Sample s;
        s.tick = i;
        TreeSample gen;
        gen.name = "sipp";
        gen.role = Role::generator;
        gen.alive = true;
        gen.root_pid = 77;
        gen.peak_pid = 78;
        gen.cpu_percent = i == 2 ? 97.0 : 40.0;
        gen.peak_process_cpu_percent = gen.cpu_percent;
        s.trees.push_back(gen);
        s.generator.cpu_percent = gen.cpu_percent;
        rec.samples.push_back(s);
    }
    rec.health_polls.push_back(HealthResult{0, HealthOutcome::ok, true, 200, 1.0, 5.0, ""});
    rec.health_polls.push_back(HealthResult{1, HealthOutcome::timeout, false, {}, 300.0, {}, "t"});
    rec.health_polls.push_back(HealthResult{2, HealthOutcome::unparsable, true, 200, 3.0, {}, "x"});
    rec.samples_missed = 2;
    nlohmann::json j = summary_json(rec);
    EXPECT_EQ(j["type"], "summary");
    EXPECT_EQ(j["schema_version"], 1);
    EXPECT_EQ(j["samples_taken"], 3);
    EXPECT_EQ(j["samples_missed"], 2);
    EXPECT_EQ(j["health"]["polls"], 3);
    EXPECT_EQ(j["health"]["errors"], 2);
    EXPECT_EQ(j["health"]["outcomes"]["timeout"], 1);
    EXPECT_EQ(j["health"]["outcomes"]["unparsable"], 1);
    EXPECT_EQ(j["health"]["health_latency_ms"]["count"], 2);  // the timeout is not a latency
    EXPECT_EQ(j["generator"]["cpu_percent"]["peak"], 97.0);
    EXPECT_EQ(j["trees"]["sipp"]["cpu_percent"]["p50"], 40.0);
    EXPECT_TRUE(j["generator_bound"].get<bool>());
    ASSERT_EQ(j["warnings"].size(), 1u);
    EXPECT_NE(j["warnings"][0].get<std::string>().find("generator process 78"), std::string::npos);
}

}  // namespace
}  // namespace pbxbench::monitor
