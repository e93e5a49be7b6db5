// Trial verdicts (pass, fail, generator-bound, error), the reasons they give, the schedule lag,
// and the capacity rows and summary.md built from them; plus the SUT log scan in run rows.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/capacity_report.hpp"
#include "harness/capacity_trial.hpp"
#include "harness/run_report.hpp"

namespace pbxbench::harness {
namespace {

using nlohmann::json;

json run_meta() {
    return {{"profile", "kamailio"},
            {"cores", 2},
            {"cpu_model", "Test CPU"},
            {"kernel", "Linux"},
            {"started_at", "2026-12-02T08:00:00Z"}};
}

LevelMeasurement measured(int calls, int failed) {
    LevelMeasurement m;
    m.scenario = "mediaproxy_none";
    m.level = calls;
    json codes = {{"200", calls - failed}};
    if (failed > 0) codes["503"] = failed;
    m.uac_summary = {{"attempted", calls},
                     {"completed", calls - failed},
                     {"failed", failed},
                     {"outcomes", {{"completed", calls - failed}, {"failed_status", failed}}},
                     {"status_codes", codes},
                     {"timeouts", json::object()},
                     {"latency", {{"setup_ms", {{"p99", 3.0}}}}},
                     {"transactions", {{"retransmissions_sent", failed > 0 ? 7 : 0}}},
                     {"socket_kernel_drops", 0},
                     {"sip_datagrams", {{"sent", 5 * calls}, {"received", 5 * calls}}},
                     {"generator", {{"wall_s", 5.0}}}};
    // The callee side: INVITE, ACK, BYE in, 180, 200, 200 out.
    m.uas_summary = {{"sip_datagrams_sent", 3 * calls}, {"sip_datagrams_received", 3 * calls}};
    m.monitor_summary = {{"total", {{"cpu_percent", {{"avg", 40.0}, {"peak", 60.0}}}}},
                         {"generator", {{"cpu_percent", {{"avg", 20.0}, {"peak", 30.0}}}}},
                         {"trees",
                          {{"uac",
                            {{"role", "generator"},
                             {"peak_process_cpu_percent", {{"p95", 25.0}, {"peak", 30.0}}}}}}}};
    // On schedule: 100 calls/s, 5 s.
    for (int i = 1; i <= 8; ++i) m.progress.push_back({i * 0.5, i * 0.5 * 100 + 1, 0});
    return m;
}

TrialSetup setup(double cps, std::uint64_t calls) {
    TrialSetup s;
    s.offered_cps = cps;
    s.calls = calls;
    s.generator_cpus = 2;
    s.sut_cpus = 2;
    s.failure_budget = 0;
    return s;
}

TrialAssessment assess(const LevelMeasurement& m, const std::string& slos = "failures<=0") {
    json row = build_level_row(m, run_meta());
    return assess_trial(m, row, *parse_slos(slos), setup(100, 500));
}

TEST(CapacityTrial, PassesWhenEverySloHolds) {
    TrialAssessment a = assess(measured(500, 0), "failures<=0,setup_p99<=10ms");
    EXPECT_EQ(a.verdict, TrialVerdict::pass);
    EXPECT_TRUE(a.generator_reasons.empty());
    EXPECT_TRUE(a.why.empty());
}

TEST(CapacityTrial, ABrokenLatencyObjectiveIsTheReasonWhenNoCallFailed) {
    LevelMeasurement m = measured(500, 0);
    m.uac_summary["latency"]["setup_ms"]["p99"] = 2500.0;
    m.uac_summary["transactions"]["retransmissions_sent"] = 900;
    TrialAssessment a = assess(m, "failures<=0,setup_p99<=2000ms");
    EXPECT_EQ(a.verdict, TrialVerdict::fail);
    ASSERT_GE(a.why.size(), 2u);
    EXPECT_EQ(a.why[0], "SLO setup_p99<=2000ms broken (measured 2500.00)");
    EXPECT_EQ(a.why[1], "900 SIP retransmissions by the UAC");
}

TEST(CapacityTrial, FailsAndSaysWhy) {
    LevelMeasurement m = measured(500, 12);
    m.aborted_early = true;
    m.sut_log = {{"pattern", " ERROR: "},
                 {"error_lines", 3},
                 {"first_distinct", {" 1(2) ERROR: no more shm memory"}}};
    m.monitor_summary["total"]["cpu_percent"]["peak"] = 196.0;
    TrialAssessment a = assess(m);
    EXPECT_EQ(a.verdict, TrialVerdict::fail);
    ASSERT_GE(a.why.size(), 5u);
    EXPECT_EQ(a.why[0], "failed calls: 12 of 500 (503 ×12)");
    EXPECT_NE(a.why[1].find("stopped early"), std::string::npos);
    std::string all;
    for (const auto& w : a.why) all += w + "\n";
    EXPECT_NE(all.find("7 SIP retransmissions"), std::string::npos);
    EXPECT_NE(all.find("SUT CPU saturated: peak 196% of its 2 CPU(s)"), std::string::npos);
    EXPECT_NE(all.find("SUT log: 3 error lines, first:  1(2) ERROR: no more shm memory"),
              std::string::npos);
    EXPECT_NE(all.find("SLO failures<=0 broken (measured 12.00)"), std::string::npos);
}

TEST(CapacityTrial, TheGeneratorIsNeverTheSutsLimit) {
    LevelMeasurement m = measured(500, 12);  // failures too: the generator still wins
    m.monitor_summary["trees"]["uac"]["peak_process_cpu_percent"]["p95"] = 97.0;
    TrialAssessment a = assess(m);
    EXPECT_EQ(a.verdict, TrialVerdict::generator_bound);
    ASSERT_EQ(a.generator_reasons.size(), 1u);
    EXPECT_NE(a.generator_reasons[0].find("uac process used 97% of a core"), std::string::npos);

    m = measured(500, 0);
    m.monitor_summary["generator"]["cpu_percent"]["avg"] = 175.0;
    EXPECT_EQ(assess(m).verdict, TrialVerdict::generator_bound);

    m = measured(500, 0);
    m.uac_summary["socket_kernel_drops"] = 3;
    EXPECT_NE(assess(m).generator_reasons.at(0).find("kernel dropped 3"), std::string::npos);

    m = measured(500, 0);
    m.uac_summary["media"] = {{"generator", {{"pacing_lag", {{"p99_ms", 9.0}}}}}};
    EXPECT_NE(assess(m).generator_reasons.at(0).find("RTP pacing lag p99 9.0 ms"),
              std::string::npos);

    m = measured(500, 0);
    // Falling 1 call (10 ms) further behind with each line: 70 ms by the last.
    for (std::size_t i = 0; i < m.progress.size(); ++i)
        m.progress[i].attempted -= static_cast<double>(i);
    TrialAssessment lagging = assess(m);
    EXPECT_EQ(lagging.verdict, TrialVerdict::generator_bound);
    EXPECT_NEAR(*lagging.schedule_lag_max_ms, 50, 1e-9);  // less one tick and one interval
    EXPECT_NEAR(*lagging.schedule_lag_p50_ms, 10, 1e-9);
    m = measured(500, 0);
    m.progress[3].attempted -= 3;  // one late line (a busy machine) is caught up at once
    EXPECT_EQ(assess(m).verdict, TrialVerdict::pass);
    m = measured(500, 0);
    for (auto& p : m.progress) p.attempted -= 5;  // a constant head start is not lag
    EXPECT_EQ(assess(m).verdict, TrialVerdict::pass);
}

TEST(CapacityTrial, ScheduleLagIsZeroOnSchedule) {
    auto lag = schedule_lag_ms(measured(500, 0).progress, 100, 500, 10);
    ASSERT_EQ(lag.size(), 8u);
    for (double l : lag) EXPECT_EQ(l, 0);
    // Lines after the last call started say nothing about pacing.
    EXPECT_TRUE(schedule_lag_ms({{9, 500, 0}}, 100, 500, 10).empty());
}

TEST(CapacityTrial, NothingMeasuredIsAnErrorAndASignalIsAnInterruption) {
    LevelMeasurement m;
    m.error = "kamailio did not become ready: no answer to OPTIONS";
    TrialAssessment a = assess(m);
    EXPECT_EQ(a.verdict, TrialVerdict::error);
    EXPECT_EQ(a.why.at(0), m.error);
    m = measured(500, 0);
    m.interrupted = true;
    EXPECT_EQ(assess(m).verdict, TrialVerdict::interrupted);
}

TEST(CapacityTrial, ASutThatExitedMidRunFails) {
    LevelMeasurement m = measured(500, 0);
    m.error = "the SUT kamailio exited mid-run (signal 11)";
    TrialAssessment a = assess(m);
    EXPECT_EQ(a.verdict, TrialVerdict::fail);
    EXPECT_EQ(a.why.at(0), m.error);
}

// A search of a 200 calls/s limit, end to end through the rows and summary.md.
TEST(CapacityReport, ResultRowAndSummary) {
    SearchConfig c;
    c.start = 100;
    c.trial_s = 5;
    c.confirm_s = 10;
    c.budget_s = 300;
    CapacitySearch search(c);
    SearchInfo info{"ratelimit",
                    "cps",
                    "calls/s",
                    "fresh",
                    *parse_slos("failures<=0"),
                    {{"budget_s", 300}, {"confirm_s", 10}}};
    std::vector<json> rows;
    double elapsed = 0;
    while (auto t = search.next(elapsed)) {
        const bool pass = t->value <= 200;
        const int calls = static_cast<int>(t->value * t->duration_s);
        LevelMeasurement m = measured(calls, pass ? 0 : calls / 10);
        m.progress.clear();
        m.uac_summary["generator"]["wall_s"] = t->duration_s;
        json level = build_level_row(m, run_meta());
        TrialSetup s = setup(t->value, static_cast<std::uint64_t>(calls));
        TrialAssessment a = assess_trial(m, level, info.slos, s);
        TrialFacts f{*t, static_cast<std::uint64_t>(calls), t->value, 0.5, false, 6, 0.0};
        f.sip_messages = sip_message_rate(m.uac_summary, m.uas_summary);
        rows.push_back(build_trial_row(info, f, a, level, run_meta()));
        search.record(*t, a.verdict, 6);
        elapsed += 6;
    }
    json result = build_capacity_row(info, search, rows, elapsed, run_meta());
    EXPECT_EQ(result["kind"], "capacity");
    EXPECT_EQ(result["result"]["value"], 200);
    EXPECT_EQ(result["result"]["planning_value"], 140);
    EXPECT_EQ(result["result"]["stop_reason"], "confirmed");
    EXPECT_GT(result["result"]["broke_above"]["value"].get<double>(), 200);
    EXPECT_NE(result["result"]["broke_above"]["why"][0].get<std::string>().find("503"),
              std::string::npos);
    EXPECT_EQ(result["search"]["path"].size(), search.history().size());
    rows.push_back(result);
    const std::string md = render_capacity_md(rows, run_meta());
    EXPECT_NE(md.find("**Result: 200.0 calls/s**"), std::string::npos) << md;
    EXPECT_NE(md.find("Capacity planning at 70%: 140.0 calls/s"), std::string::npos);
    EXPECT_NE(md.find("| Rate (calls/s) | Trial | Calls | Success % | Peak concurrent"),
              std::string::npos);
    EXPECT_NE(md.find("**fail** | failed calls:"), std::string::npos);
    // 16 datagrams a call over the trial: 3200 messages/s at 200 calls/s.
    EXPECT_NE(md.find("SIP msgs/s (PBX in+out, our side)"), std::string::npos);
    bool found = false;
    for (const json& r : rows) {
        if (r["kind"] != "trial" || r["trial"]["value"] != 200) continue;
        EXPECT_DOUBLE_EQ(r["trial"]["sip_messages"]["per_s"].get<double>(), 3200);
        found = true;
    }
    EXPECT_TRUE(found);
    EXPECT_NE(md.find("| 200 | #"), std::string::npos);
    EXPECT_NE(md.find(" | 3200 | "), std::string::npos) << md;
}

// Every datagram our UAC and UAS exchanged with the PBX, over the UAC's wall time.
TEST(CapacityTrial, SipMessagesPerSecondCountBothSidesOverTheUacsWallTime) {
    json uac = {{"sip_datagrams", {{"sent", 300}, {"received", 320}}},
                {"generator", {{"wall_s", 10.0}}}};
    json uas = {{"sip_datagrams_sent", 200}, {"sip_datagrams_received", 180}};
    auto r = sip_message_rate(uac, uas);
    ASSERT_TRUE(r);
    EXPECT_DOUBLE_EQ(r->messages, 1000);
    EXPECT_DOUBLE_EQ(r->seconds, 10);
    EXPECT_DOUBLE_EQ(r->per_s, 100);
    EXPECT_EQ(r->to_json()["uas_received"], 180);
    // Without a UAS summary: the UAC's side alone, and the row says so (uas_* null).
    auto alone = sip_message_rate(uac, nullptr);
    ASSERT_TRUE(alone);
    EXPECT_DOUBLE_EQ(alone->per_s, 62);
    EXPECT_TRUE(alone->to_json()["uas_sent"].is_null());
    // Nothing to divide by, or no counters (an older UAC): no figure rather than a wrong one.
    EXPECT_FALSE(sip_message_rate({{"sip_datagrams", {{"sent", 1}, {"received", 1}}}}, uas));
    EXPECT_FALSE(sip_message_rate({{"generator", {{"wall_s", 10.0}}}}, uas));
    EXPECT_FALSE(sip_message_rate(nullptr, uas));
}

std::vector<LoadPoint> memory_samples(double seconds, double (*mb_at)(double t, int i)) {
    std::vector<LoadPoint> load;
    int i = 0;
    for (double t = 0; t <= seconds + 1e-9; t += 0.5, ++i) {
        LoadPoint p;
        p.t_s = t;
        p.rss_bytes = mb_at(t, i) * 1e6;
        load.push_back(p);
    }
    return load;
}

TEST(CapacityTrial, MemoryStillGrowingIsASaturatedResource) {
    // 1 MB/s for 20 s: over the last 10 s, +10 MB.
    LevelMeasurement m = measured(500, 0);
    m.load = memory_samples(20, [](double t, int) { return 100 + t; });
    TrialAssessment a = assess(m);
    ASSERT_TRUE(a.memory);
    EXPECT_TRUE(a.memory->growing);
    EXPECT_EQ(a.memory->source, "rss");
    EXPECT_NEAR(a.memory->slope_mb_per_s, 1.0, 1e-9);
    EXPECT_NEAR(a.memory->growth_mb, 10.0, 1e-9);
    ASSERT_FALSE(a.why.empty());
    EXPECT_NE(a.why.back().find("SUT memory still growing: 1.00 MB/s (rss"), std::string::npos)
        << a.why.back();
    EXPECT_EQ(a.to_json()["memory_growth"]["growing"], true);
    EXPECT_EQ(a.verdict, TrialVerdict::pass);  // a reason, not a verdict of its own
}

TEST(CapacityTrial, FlatOrNoisyMemoryIsNotGrowth) {
    // Flat.
    auto flat = memory_samples(20, [](double, int) { return 100.0; });
    auto g = memory_growth(flat);
    ASSERT_TRUE(g);
    EXPECT_FALSE(g->growing);
    EXPECT_NEAR(g->slope_mb_per_s, 0, 1e-9);
    // Noisy but flat: ±4 MB from sample to sample.
    auto noisy = memory_samples(20, [](double, int i) { return 100.0 + (i % 2 ? 4 : -4) + i % 3; });
    g = memory_growth(noisy);
    ASSERT_TRUE(g);
    EXPECT_FALSE(g->growing) << g->slope_mb_per_s;
    // Grew while calls were set up, then levelled off: not still growing.
    auto settled = memory_samples(20, [](double t, int) { return 100 + 3 * std::min(t, 8.0); });
    g = memory_growth(settled);
    ASSERT_TRUE(g);
    EXPECT_FALSE(g->growing) << g->slope_mb_per_s;
    LevelMeasurement m = measured(500, 0);
    m.load = settled;
    for (const std::string& w : assess(m).why) EXPECT_EQ(w.find("memory"), std::string::npos) << w;
    // Steep but short: 1 MB/s over a 4 s trial adds only 2 MB in its second half.
    auto brief = memory_samples(4, [](double t, int) { return 100 + t; });
    g = memory_growth(brief);
    ASSERT_TRUE(g);
    EXPECT_FALSE(g->growing);
    // Too few samples to judge.
    EXPECT_FALSE(memory_growth(memory_samples(1, [](double t, int) { return 100 + 50 * t; })));
}

TEST(CapacityTrial, MemoryGrowthPrefersPss) {
    // RSS grows (shared pages touched), PSS stays flat: PSS is the one judged.
    auto load = memory_samples(20, [](double t, int) { return 100 + t; });
    for (LoadPoint& p : load) p.pss_bytes = 50e6;
    auto g = memory_growth(load);
    ASSERT_TRUE(g);
    EXPECT_EQ(g->source, "pss");
    EXPECT_FALSE(g->growing);
}

TEST(CapacityReport, GeneratorBoundSaysHowToFix) {
    SearchConfig c;
    c.trial_s = 5;
    c.confirm_s = 10;
    CapacitySearch search(c);
    SearchInfo info{"s", "cps", "calls/s", "fresh", {}, json::object()};
    auto t = search.next(0);
    json trial = {{"kind", "trial"},
                  {"scenario", "s"},
                  {"verdict", "generator_bound"},
                  {"generator_reasons", {"the busiest uac process used 97% of a core"}},
                  {"trial", {{"value", 100}}}};
    search.record(*t, TrialVerdict::generator_bound, 7);
    t = search.next(7);  // run once more before believing it
    ASSERT_TRUE(t);
    search.record(*t, TrialVerdict::generator_bound, 7);
    EXPECT_TRUE(search.done());
    json result = build_capacity_row(info, search, {trial}, 14, run_meta());
    const std::string text = result["result"]["explanation"];
    EXPECT_NE(text.find("limited by the generator at 100 calls/s (the busiest uac"),
              std::string::npos);
    EXPECT_NE(text.find("--pin sut=0,gen=1"), std::string::npos);
    EXPECT_EQ(result["result"]["value"], nullptr);
}

TEST(RunSutLog, EveryLevelRowAndSummaryCarryTheLogScan) {
    LevelMeasurement m = measured(20, 0);
    m.level = 20;
    m.sut_log = {{"pattern", " ERROR: "},
                 {"error_lines", 70377},
                 {"distinct", 1},
                 {"first_distinct", {"ERROR: could not allocate shared memory from shm pool"}}};
    json row = build_level_row(m, run_meta());
    EXPECT_EQ(row["sut_log"]["error_lines"], 70377);
    row["config"] = {{"cps", 10}, {"hold_s", 1}, {"uas_count", 2}};
    const std::string md = render_summary_md({row}, run_meta());
    EXPECT_NE(md.find("## SUT log"), std::string::npos);
    EXPECT_NE(md.find("mediaproxy_none at 20: 70377 error lines (lines containing ` ERROR: `)"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("could not allocate shared memory"), std::string::npos);
}

}  // namespace
}  // namespace pbxbench::harness
