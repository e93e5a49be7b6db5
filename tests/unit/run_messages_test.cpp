// `pbxbench run --messages`: the level row's `messages` block (sent by the UAC against
// delivered by the UAS), its line in `errors` when they differ, and summary.md's section.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "harness/run_messages.hpp"
#include "harness/run_report.hpp"

namespace pbxbench::harness {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

json latency(double p50, double max) {
    return {{"count", 10}, {"p50", p50}, {"p95", max}, {"p99", max}, {"max", max}};
}

json uac_with_messages(int sent, int ok, json failures = json::object()) {
    int failed = 0;
    for (auto& [k, v] : failures.items()) failed += v.get<int>();
    return {{"event", "summary"},
            {"attempted", 20},
            {"completed", 20},
            {"failed", 0},
            {"methods",
             {{"message",
               {{"sent", sent},
                {"ok", ok},
                {"failed", failed},
                {"failures", failures},
                {"latency_ms", latency(1.25, 4.5)},
                {"counters", {{"accepted_202", 0}}}}}}}};
}

json uas_with_messages(int delivered, int duplicates) {
    return {{"event", "summary"},
            {"messages",
             {{"received", delivered + duplicates},
              {"delivered", delivered},
              {"duplicates", duplicates},
              {"delivered_min", delivered / 2},
              {"delivered_max", delivered - delivered / 2},
              {"latency_ms", latency(0.75, 3.0)}}}};
}

TEST(RunMessages, SentAgainstDeliveredWhenEveryOneArrivedOnce) {
    json b = messages_block(uac_with_messages(1000, 1000), uas_with_messages(1000, 0));
    EXPECT_EQ(b["sent"], 1000);
    EXPECT_EQ(b["delivered"], 1000);
    EXPECT_EQ(b["duplicates"], 0);
    EXPECT_EQ(b["delivery_latency_ms"]["p50"], 0.75);
    EXPECT_EQ(b["latency_ms"]["p50"], 1.25);
    EXPECT_EQ(b["complete"], true);
    EXPECT_EQ(messages_problem(b), "");
}

TEST(RunMessages, LostFailedOrDuplicatedMessagesAreNotComplete) {
    json lost = messages_block(uac_with_messages(1000, 1000), uas_with_messages(998, 0));
    EXPECT_EQ(lost["complete"], false);
    EXPECT_EQ(messages_problem(lost), "MESSAGE: delivered 998 of 1000 sent; 0 failed");
    json failed = messages_block(uac_with_messages(1000, 997, {{"503", 2}, {"timeout", 1}}),
                                 uas_with_messages(997, 0));
    EXPECT_EQ(failed["complete"], false);
    EXPECT_THAT(messages_problem(failed), HasSubstr("3 failed {\"503\":2,\"timeout\":1}"));
    json twice = messages_block(uac_with_messages(10, 10), uas_with_messages(10, 1));
    EXPECT_EQ(twice["complete"], false);
    EXPECT_THAT(messages_problem(twice), HasSubstr("1 duplicates"));
    json no_uas = messages_block(uac_with_messages(10, 10), nullptr);
    EXPECT_EQ(no_uas["complete"], false) << "nothing proves delivery without the UAS's count";
}

TEST(RunMessages, NoMessagesNoBlock) {
    EXPECT_TRUE(messages_block({{"event", "summary"}}, uas_with_messages(0, 0)).is_null());
    EXPECT_TRUE(messages_block(nullptr, nullptr).is_null());
}

LevelMeasurement level(json uac, json uas) {
    LevelMeasurement m;
    m.scenario = "mediaproxy_none";
    m.level = 20;
    m.uac_summary = std::move(uac);
    m.uas_summary = std::move(uas);
    return m;
}

TEST(RunMessages, TheLevelRowCarriesTheBlockAndAnErrorLineWhenIncomplete) {
    json ok = build_level_row(level(uac_with_messages(500, 500), uas_with_messages(500, 0)), {});
    EXPECT_EQ(ok["messages"]["delivered"], 500);
    EXPECT_EQ(ok["state"], "ok") << "a level's state is its calls'";
    EXPECT_TRUE(ok["errors"].empty());
    json bad = build_level_row(level(uac_with_messages(500, 500), uas_with_messages(499, 0)), {});
    EXPECT_EQ(bad["messages"]["complete"], false);
    ASSERT_EQ(bad["errors"].size(), 1u);
    EXPECT_EQ(bad["errors"][0], "MESSAGE: delivered 499 of 500 sent; 0 failed");
    json none = build_level_row(level({{"event", "summary"}, {"attempted", 20}}, nullptr), {});
    EXPECT_TRUE(none["messages"].is_null());
}

TEST(RunMessages, SummaryMdSaysDeliveredXOfY) {
    std::vector<json> rows = {
        build_level_row(level(uac_with_messages(500, 500), uas_with_messages(500, 0)), {}),
        build_level_row(level(uac_with_messages(500, 500), uas_with_messages(497, 0)), {})};
    rows[1]["level"] = 50;
    const std::string md = render_summary_md(rows, {{"profile", "kamailio"}});
    EXPECT_THAT(md, HasSubstr("## MESSAGE load"));
    EXPECT_THAT(md,
                HasSubstr("| 20 | mediaproxy_none | MESSAGE: delivered 500 of 500 | 500 | 0 | 0 | "
                          "1.25 / 4.50 / 4.50 / 4.50 | 0.75 / 3.00 / 3.00 / 3.00 |"));
    EXPECT_THAT(md, HasSubstr("**MESSAGE: delivered 497 of 500**"));
    rows = {build_level_row(level({{"event", "summary"}}, nullptr), {})};
    EXPECT_THAT(render_summary_md(rows, {{"profile", "kamailio"}}), Not(HasSubstr("MESSAGE")));
}

TEST(RunMessages, ConfigAndDuration) {
    RunOptions o;
    EXPECT_TRUE(messages_config(o).is_null());
    EXPECT_EQ(messages_seconds(o), 0.0);
    o.messages = 5000;
    o.message_rate = 500;
    o.message_bytes = 100;
    EXPECT_EQ(messages_config(o), json({{"total", 5000}, {"rate", 500.0}, {"bytes", 100}}));
    EXPECT_EQ(messages_seconds(o), 10.0);
    uac::UacArgs a;
    configure_messages(a, o);
    EXPECT_EQ(a.messages, 5000u);
    EXPECT_EQ(a.message_rate, 500.0);
    EXPECT_EQ(a.message_bytes, 100u);
}

}  // namespace
}  // namespace pbxbench::harness
