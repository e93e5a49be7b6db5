// --slo parsing (every bad input names what to fix), merging over defaults, evaluation on a
// level row, and the early-abort failure budget.
#include <gtest/gtest.h>

#include "harness/capacity_slo.hpp"

namespace pbxbench::harness {
namespace {

using nlohmann::json;

std::string error_of(std::string_view text) {
    auto r = parse_slos(text);
    EXPECT_FALSE(r) << text;
    return r ? std::string() : r.error().message;
}

TEST(CapacitySlo, ParsesEveryMetricWithItsUnit) {
    auto r = parse_slos("failures<=0.1%, setup_p99<=0.5s,loss<0.1,mos_p5>=4.0,jitter_p95<=20ms");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), 5u);
    EXPECT_TRUE((*r)[0].percent);
    EXPECT_DOUBLE_EQ((*r)[0].limit, 0.1);
    EXPECT_DOUBLE_EQ((*r)[1].limit, 500);
    EXPECT_EQ((*r)[1].text(), "setup_p99<=500ms");
    EXPECT_EQ((*r)[2].op, SloOp::lt);
    EXPECT_EQ((*r)[3].op, SloOp::ge);
    EXPECT_EQ((*r)[0].text(), "failures<=0.1%");
    EXPECT_EQ((*r)[2].text(), "loss<0.1%");
}

TEST(CapacitySlo, BadInputNamesWhatToFix) {
    EXPECT_NE(error_of("latency<=5").find("unknown metric 'latency' (known: failures, "),
              std::string::npos);
    EXPECT_NE(error_of("setup_p99").find("expected NAME<=LIMIT"), std::string::npos);
    EXPECT_NE(error_of("setup_p99<=fast").find("must be a number"), std::string::npos);
    EXPECT_NE(error_of("setup_p99<=5kg").find("in ms or s"), std::string::npos);
    EXPECT_NE(error_of("failures<=3x").find("a count (failures<=0) or a share"), std::string::npos);
    EXPECT_NE(error_of("mos_p5<=4").find("better higher: write mos_p5>=LIMIT"), std::string::npos);
    EXPECT_NE(error_of("loss>=1").find("better lower"), std::string::npos);
    EXPECT_NE(error_of("setup_p99=<5").find("the operator must be"), std::string::npos);
    EXPECT_NE(error_of("setup_p99<=-1").find("0 or more"), std::string::npos);
    EXPECT_NE(error_of(" , ").find("no objective"), std::string::npos);
}

TEST(CapacitySlo, GivenObjectivesReplaceDefaultsOfTheSameName) {
    auto defaults = parse_slos("failures<=0,setup_p99<=2000ms");
    auto given = parse_slos("failures<=1%,mos_p5>=3.5");
    auto merged = merge_slos(*defaults, *given);
    ASSERT_EQ(merged.size(), 3u);
    EXPECT_EQ(merged[0].text(), "failures<=1%");
    EXPECT_EQ(merged[1].text(), "setup_p99<=2000ms");
    EXPECT_EQ(merged[2].text(), "mos_p5>=3.5");
}

TEST(CapacitySlo, MediaObjectivesNeedMedia) {
    auto slos = parse_slos("loss<0.1");
    auto r = check_measurable(*slos, false);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("needs media"), std::string::npos);
    EXPECT_TRUE(check_measurable(*slos, true));
}

TEST(CapacitySlo, EvaluatesAgainstALevelRow) {
    json row = {
        {"calls", {{"attempted", 1000}, {"failed", 2}}},
        {"latency", {{"setup_ms", {{"p99", 12.5}}}}},
        {"media", {{"loss_percent", 0.05}, {"mos", {{"p5", 4.2}}}, {"jitter_ms", nullptr}}}};
    auto slos = parse_slos("failures<=0.1%,setup_p99<=10ms,loss<0.1,mos_p5>=4,jitter_p95<=20ms");
    auto checks = evaluate_slos(*slos, row);
    ASSERT_EQ(checks.size(), 5u);
    EXPECT_DOUBLE_EQ(*checks[0].measured, 0.2);
    EXPECT_FALSE(checks[0].ok);
    EXPECT_FALSE(checks[1].ok);
    EXPECT_TRUE(checks[2].ok);
    EXPECT_TRUE(checks[3].ok);
    EXPECT_FALSE(checks[4].measured);
    EXPECT_FALSE(checks[4].ok);  // not measured counts as broken
    EXPECT_EQ(to_json(checks[0])["measured"], 0.2);
}

TEST(CapacitySlo, FailureBudgetForEarlyAbort) {
    EXPECT_EQ(failure_budget(*parse_slos("failures<=0"), 1000), 0u);
    EXPECT_EQ(failure_budget(*parse_slos("failures<=0.1%"), 5000), 5u);
    EXPECT_EQ(failure_budget(*parse_slos("failures<5"), 1000), 4u);
    EXPECT_EQ(failure_budget(*parse_slos("failures<0.1%"), 1000), 0u);
    EXPECT_FALSE(failure_budget(*parse_slos("setup_p99<=5ms"), 1000));
}

}  // namespace
}  // namespace pbxbench::harness
