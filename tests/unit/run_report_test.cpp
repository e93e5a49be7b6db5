// Results rows, summary.md and the derived figures of `pbxbench run`, on synthetic UAC and
// monitor summaries (no processes, no network).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "harness/child_json.hpp"
#include "harness/run_metadata.hpp"
#include "harness/run_report.hpp"
#include "report/metrics.hpp"

namespace pbxbench::harness {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

json run_meta() {
    return {{"pbxbench_version", "0.1.0"},
            {"profile", "kamailio"},
            {"profile_sha256", std::string(64, 'a')},
            {"hostname", "bench"},
            {"cpu_model", "Test CPU"},
            {"cores", 2},
            {"kernel", "Linux 6.1 x86_64"},
            {"pinning", "none (SUT and generator share the machine)"},
            {"started_at", "2026-11-22T05:00:00Z"},
            {"sut_version", nullptr}};
}

json uac_summary(int level, int completed) {
    return {{"event", "summary"},
            {"attempted", level},
            {"completed", completed},
            {"failed", level - completed},
            {"outcomes", {{"completed", completed}, {"timeout", level - completed}}},
            {"status_codes", {{"200", completed}}},
            {"timeouts", json::object()},
            {"latency",
             {{"setup_ms", {{"count", completed}, {"p50", 1.5}, {"p95", 3.25}, {"p99", 4.0}}}}},
            {"generator", {{"cpu_s", 0.2}, {"cpu_percent", 4.0}}}};
}

json stats(double avg, double peak) {
    return {{"count", 10}, {"avg", avg}, {"p50", avg}, {"p95", peak}, {"peak", peak}};
}

json monitor_summary(double cpu_avg, double cpu_peak, double pss_peak, double calls_peak,
                     double uac_peak_process) {
    json total = {{"cpu_percent", stats(cpu_avg, cpu_peak)},
                  {"rss_bytes", stats(3 * pss_peak, 4 * pss_peak)},
                  {"pss_bytes", stats(pss_peak * 0.9, pss_peak)}};
    json gen_tree = {{"role", "generator"},
                     {"cpu_percent", stats(5, uac_peak_process)},
                     {"peak_process_cpu_percent", stats(5, uac_peak_process)}};
    return {{"total", total},
            {"generator", {{"cpu_percent", stats(6, uac_peak_process + 1)}}},
            {"trees",
             {{"kamailio",
               {{"role", "sut"},
                {"cpu_percent", stats(cpu_avg, cpu_peak)},
                {"rss_bytes", stats(1, 2)},
                {"pss_bytes", stats(1, 2)}}},
              {"uac", gen_tree}}},
            {"samples_taken", 10},
            {"health", {{"calls", stats(calls_peak * 0.8, calls_peak)}}}};
}

LevelMeasurement measured(const std::string& scenario, int level, double cpu_at_full_load,
                          double pss_peak) {
    LevelMeasurement m;
    m.scenario = scenario;
    m.level = level;
    m.config = {{"total", level}, {"cps", 50}, {"hold_s", 3}, {"uas_count", 2}};
    m.uac_summary = uac_summary(level, level);
    m.monitor_summary =
        monitor_summary(cpu_at_full_load * 0.8, cpu_at_full_load * 1.2, pss_peak, level, 20);
    m.interval_s = 0.5;
    // Ramp, four samples at full load, drain.
    m.load = {{0, std::nullopt},
              {level / 2.0, 1.0},
              {double(level), cpu_at_full_load},
              {double(level), cpu_at_full_load},
              {double(level), cpu_at_full_load},
              {double(level), cpu_at_full_load},
              {level / 3.0, 2.0}};
    return m;
}

TEST(SustainedSeconds, CountsSamplesAtNinetyFivePercentOfTheLevel) {
    std::vector<LoadPoint> load{{std::nullopt, 1}, {10, 1}, {95, 1}, {94.9, 1}, {100, 1}, {120, 1}};
    EXPECT_DOUBLE_EQ(sustained_seconds(load, 100, 0.5), 1.5);  // 95, 100, 120
    EXPECT_DOUBLE_EQ(sustained_seconds(load, 0, 0.5), 0);
    EXPECT_DOUBLE_EQ(sustained_seconds({}, 100, 0.5), 0);
}

TEST(SustainedSeconds, FullLoadCpuAveragesOnlyFullLoadSamples) {
    std::vector<LoadPoint> load{{0, 50}, {100, 10}, {100, 20}, {100, std::nullopt}, {40, 90}};
    auto cpu = full_load_cpu_percent(load, 100);
    ASSERT_TRUE(cpu);
    EXPECT_DOUBLE_EQ(*cpu, 15);
    EXPECT_FALSE(full_load_cpu_percent(load, 1000));
}

TEST(LevelRow, CarriesCallsLatencySutConcurrencyAndNullMedia) {
    json row = build_level_row(measured("mediaproxy_none", 50, 10, 40e6), run_meta());
    EXPECT_EQ(row["kind"], "level");
    EXPECT_EQ(row["schema_version"], 1);
    EXPECT_EQ(row["status"], "ok");
    EXPECT_TRUE(row["error"].is_null());
    EXPECT_EQ(row["run"]["profile"], "kamailio");
    EXPECT_EQ(row["calls"]["completed"], 50);
    EXPECT_EQ(row["calls"]["status_codes"]["200"], 50);
    EXPECT_EQ(row["latency"]["setup_ms"]["p95"], 3.25);
    EXPECT_DOUBLE_EQ(row["sut"]["cpu_percent"]["full_load_avg"].get<double>(), 10);
    EXPECT_DOUBLE_EQ(row["sut"]["pss_bytes"]["peak"].get<double>(), 40e6);
    EXPECT_TRUE(row["sut"]["trees"].contains("kamailio"));
    EXPECT_FALSE(row["sut"]["trees"].contains("uac")) << "generator trees are not the SUT";
    EXPECT_EQ(row["concurrency"]["peak"], 50);
    EXPECT_DOUBLE_EQ(row["concurrency"]["sustained_s_at_full_load"].get<double>(), 2.0);
    EXPECT_TRUE(row["media"].is_null());
    EXPECT_EQ(row["generator"]["generator_bound"], false);
    EXPECT_EQ(row["generator"]["uac"]["cpu_percent"], 4.0);
    EXPECT_FALSE(row_failed(row));
}

TEST(LevelRow, GeneratorBoundWarningSaysHowToFixIt) {
    LevelMeasurement m = measured("mediaproxy_none", 50, 10, 40e6);
    m.monitor_summary = monitor_summary(8, 12, 40e6, 50, 97);
    json row = build_level_row(m, run_meta());
    EXPECT_EQ(row["generator"]["generator_bound"], true);
    ASSERT_EQ(row["generator"]["warnings"].size(), 1u);
    EXPECT_THAT(row["generator"]["warnings"][0].get<std::string>(), HasSubstr("lower --cps"));
    EXPECT_EQ(row["errors"].size(), 1u);
}

TEST(LevelRow, FailedLevelHasTheErrorAndNullMeasurements) {
    LevelMeasurement m;
    m.scenario = "sipflow";
    m.level = 20;
    m.error = "the SUT kamailio exited mid-run (exit code 3)";
    json row = build_level_row(m, run_meta());
    EXPECT_EQ(row["status"], "failed");
    EXPECT_EQ(row["error"], m.error);
    EXPECT_TRUE(row["calls"].is_null());
    EXPECT_TRUE(row["sut"].is_null());
    EXPECT_TRUE(row["generator"].is_null());
    EXPECT_TRUE(row_failed(row));
}

TEST(LevelRow, AFailedCallFailsTheRun) {
    LevelMeasurement m = measured("mediaproxy_none", 50, 10, 40e6);
    m.uac_summary = uac_summary(50, 49);
    EXPECT_TRUE(row_failed(build_level_row(m, run_meta())));
}

TEST(ScalingRow, FitsOverLevelsMeasuredInFullOnly) {
    // CPU 2 + 0.1 x calls, memory 30 + 0.2 x calls (MB).
    std::vector<json> rows{build_level_row(measured("none", 20, 4, 34e6), run_meta()),
                           build_level_row(measured("none", 50, 7, 40e6), run_meta()),
                           build_level_row(measured("none", 80, 10, 46e6), run_meta())};
    LevelMeasurement broken = measured("none", 100, 99, 99e6);
    broken.error = "boom";
    rows.push_back(build_level_row(broken, run_meta()));
    LevelMeasurement interrupted = measured("none", 200, 1, 99e6);
    interrupted.interrupted = true;
    rows.push_back(build_level_row(interrupted, run_meta()));
    LevelMeasurement calls_failed = measured("none", 300, 1, 99e6);
    calls_failed.uac_summary = uac_summary(300, 290);
    rows.push_back(build_level_row(calls_failed, run_meta()));
    json row = build_scaling_row("none", rows, run_meta());
    ASSERT_TRUE(row.is_object());
    EXPECT_EQ(row["kind"], "scaling");
    EXPECT_EQ(row["levels"], json::array({20, 50, 80}));
    EXPECT_NEAR(row["metrics"]["cpu_slope_percent_per_call"].get<double>(), 0.1, 1e-9);
    const json& s = row["scaling"];
    EXPECT_NEAR(s["cpu_percent_fit"]["intercept"].get<double>(), 2, 1e-9);
    EXPECT_NEAR(s["cpu_percent_fit"]["slope"].get<double>(), 0.1, 1e-9);
    EXPECT_NEAR(s["memory_mb_fit"]["slope"].get<double>(), 0.2, 1e-9);
    EXPECT_NEAR(s["calls_per_core_at_target"].get<double>(), 680, 1e-6);  // (70 - 2) / 0.1
    EXPECT_TRUE(build_scaling_row("other", rows, run_meta()).is_null());
}

TEST(ScalingRow, OneLevelGivesPerCallFiguresAndSaysWhy) {
    std::vector<json> rows{build_level_row(measured("none", 50, 10, 40e6), run_meta())};
    json s = build_scaling_row("none", rows, run_meta())["scaling"];
    EXPECT_NEAR(s["cpu_percent_per_call"].get<double>(), 0.2, 1e-9);
    EXPECT_THAT(s["method"].get<std::string>(), HasSubstr("one level"));
}

TEST(SummaryMarkdown, MidcallFlowsGetTheirSectionOnlyWhenUsed) {
    LevelMeasurement m = measured("mediaproxy_all", 20, 12, 50e6);
    const std::string plain = render_summary_md({build_level_row(m, run_meta())}, run_meta());
    EXPECT_THAT(plain, Not(HasSubstr("## Mid-call flows")));
    auto flow = [](int calls, int ok, double p50, double p95) {
        return json{{"calls", calls},
                    {"sent", calls + 1},
                    {"ok", ok},
                    {"glare_491", 1},
                    {"failed", calls - ok},
                    {"failed_status", {{"488", 1}}},
                    {"timeouts", 0},
                    {"abandoned", 0},
                    {"latency_ms", {{"count", ok}, {"p50", p50}, {"p95", p95}}}};
    };
    m.uac_summary["midcall"] = {{"hold", flow(20, 19, 1.25, 3.5)},
                                {"resume", flow(19, 19, 1.0, 2.0)}};
    m.uac_summary["midcall"]["resume"]["failed_status"] = json::object();
    json row = build_level_row(m, run_meta());
    EXPECT_EQ(row["midcall"]["hold"]["ok"], 19);
    EXPECT_DOUBLE_EQ(row["metrics"]["hold_p95_ms"].get<double>(), 3.5);
    EXPECT_DOUBLE_EQ(row["metrics"]["resume_p50_ms"].get<double>(), 1.0);
    const std::string md = render_summary_md({row}, run_meta());
    EXPECT_THAT(md, HasSubstr("## Mid-call flows"));
    EXPECT_THAT(
        md,
        HasSubstr("| 20 | mediaproxy_all | hold | 19 / 20 | 1.2 / 3.5 | 1 | 1 (488×1) | 0 | 0 |"));
    EXPECT_THAT(
        md, HasSubstr("| 20 | mediaproxy_all | resume | 19 / 19 | 1.0 / 2.0 | 1 | 0 | 0 | 0 |"));

    // Early media and session timers get a line each, without the hold table.
    LevelMeasurement e = measured("mediaproxy_none", 10, 12, 50e6);
    e.uac_summary["midcall"] = {{"hold", {{"calls", 0}}},
                                {"early_media",
                                 {{"calls", 10},
                                  {"calls_with_rtp", 9},
                                  {"packets_before_answer", 450},
                                  {"answer_matched", 10},
                                  {"answer_retargeted", 0},
                                  {"first_rtp_ms", {{"p50", 2.04}, {"p95", 3.5}}}}},
                                {"session_timer",
                                 {{"calls", 10},
                                  {"negotiated", 10},
                                  {"retries_422", 10},
                                  {"refreshes_ok", 10},
                                  {"refreshes_sent", 10},
                                  {"refreshes_received", 0},
                                  {"expired", 0},
                                  {"refresh_latency_ms", {{"p50", 0.5}, {"p95", 0.9}}}}}};
    const std::string md2 = render_summary_md({build_level_row(e, run_meta())}, run_meta());
    EXPECT_THAT(md2, HasSubstr("## Mid-call flows"));
    EXPECT_THAT(md2, HasSubstr("- mediaproxy_none at 10, early media: 10 calls with SDP in an 18x, "
                               "9 with RTP before the answer (450 packets)"));
    EXPECT_THAT(md2, HasSubstr("- mediaproxy_none at 10, session timers: 10 / 10 granted, 10 "
                               "retried after 422, refreshes 10 / 10 answered (p50 / p95 0.5 / "
                               "0.9 ms), 0 received, 0 expired (BYE)"));
    EXPECT_THAT(md2, Not(HasSubstr("| Flow |")));
}

TEST(SummaryMarkdown, MediaRowsGetTheMediaTable) {
    LevelMeasurement m = measured("mediaproxy_all", 20, 12, 50e6);
    m.uac_summary["media"] = {{"calls", 20},
                              {"packets_sent", 3000},
                              {"packets_received", 2970},
                              {"loss_percent", 1.0},
                              {"jitter_ms", {{"p50", 0.25}, {"p95", 0.5}}},
                              {"mos", {{"mean", 4.21}, {"p5", 4.1}}},
                              {"silent_calls", 0},
                              {"one_way_calls", 1}};
    m.uas_summary = {{"event", "summary"}, {"media", {{"loss_percent", 0.5}}}};
    json row = build_level_row(m, run_meta());
    EXPECT_EQ(row["media"]["packets_sent"], 3000);
    EXPECT_EQ(row["media"]["uas"]["loss_percent"], 0.5);
    std::string md = render_summary_md({row}, run_meta());
    EXPECT_THAT(md, HasSubstr("## Media quality"));
    EXPECT_THAT(md, HasSubstr("| 20 | mediaproxy_all | 3000 / 2970 | 1.000 | 0.500 | 0.250 / 0.500 "
                              "| n/a | 4.21 / 4.10 | 0 / 1 |"));
    EXPECT_THAT(md, HasSubstr("echoed by the UAS"));
}

TEST(SummaryMarkdown, HasEveryTableAndTheMediaProxyRatio) {
    std::vector<json> rows{build_level_row(measured("mediaproxy_none", 20, 4, 34e6), run_meta()),
                           build_level_row(measured("mediaproxy_all", 20, 12, 50e6), run_meta())};
    rows.push_back(build_scaling_row("mediaproxy_none", rows, run_meta()));
    std::string md = render_summary_md(rows, run_meta());
    EXPECT_THAT(
        md,
        HasSubstr("| 20 | mediaproxy_none | ok | 20/20 (100.0%) | 200:20 | 1.50 / 3.25 / 4.00 |"));
    EXPECT_THAT(md, HasSubstr("Per-channel overhead"));
    EXPECT_THAT(md, HasSubstr("Resource scaling estimate"));
    EXPECT_THAT(md, HasSubstr("one level"));
    EXPECT_THAT(md, HasSubstr("these figures are noise"));           // 4% of a core at most
    EXPECT_THAT(md, HasSubstr("| 20 | 0.2000 | 0.6000 | 3.00× |"));  // 12/20 over 4/20
    EXPECT_THAT(md, HasSubstr("none: signaling only"));
    EXPECT_THAT(md, Not(HasSubstr("## Media quality")));
    EXPECT_THAT(md, HasSubstr("RSS avg / peak (MB)"));
    EXPECT_THAT(md, HasSubstr("PSS avg / peak (MB)"));
    EXPECT_THAT(md, HasSubstr("none (SUT and generator share the machine)"));
}

TEST(SummaryMarkdown, FailedLevelShowsItsErrorWithoutBreakingTheTable) {
    LevelMeasurement m;
    m.scenario = "sipflow";
    m.level = 20;
    m.error = "setup failed | badly\nline two";
    std::string md = render_summary_md({build_level_row(m, run_meta())}, run_meta());
    EXPECT_THAT(md, HasSubstr("**FAILED**: setup failed / badly |"));
    EXPECT_THAT(md, Not(HasSubstr("Media proxy overhead")));
    EXPECT_THAT(md, HasSubstr("    line two"));
}

// [[collect]] output lands in the row as given and in summary.md as compact JSON; pinning and
// --attach are described in words.
TEST(SummaryMarkdown, CollectedValuesPinningAndAttach) {
    LevelMeasurement m = measured("sipflow", 50, 10, 40e6);
    m.collected = {{"trace", {{"rows", 689}, {"sip_messages_expected", 689}, {"complete", true}}}};
    json run = run_meta();
    run["pinning"] = {{"sut", {0}}, {"generator", {1, 2}}};
    run["attach"] = {{"sip", "127.0.0.1:5060"}, {"health_url", nullptr}, {"pids", {42}}};
    json row = build_level_row(m, run);
    EXPECT_EQ(row["collected"]["trace"]["rows"], 689);
    EXPECT_EQ(build_level_row(measured("sipflow", 50, 10, 40e6), run)["collected"], json::object());
    std::string md = render_summary_md({row}, run);
    EXPECT_THAT(md, HasSubstr("## Collected after the calls"));
    EXPECT_THAT(md, HasSubstr("| 50 | sipflow | trace | `{\"complete\":true,\"rows\":689,"));
    EXPECT_THAT(md,
                HasSubstr("SUT and sidecars on CPU 0, generator (uas, uac, monitor) on CPUs 1,2"));
    EXPECT_THAT(
        md,
        HasSubstr("attached (`--attach`): SIP 127.0.0.1:5060, health none, monitored PIDs [42]"));
}

// ---- Level states (report/level_state.hpp): what every output says about a level ----

// SIGINT 5 s into a 20 s hold: the UAC BYEs every call and counts them completed, so the
// figures look whole. The row must say interrupted, and summary.md must not show 100%.
TEST(LevelState, InterruptedMidHoldIsNeitherOkNorComplete) {
    LevelMeasurement m = measured("mediaproxy_none", 20, 4, 34e6);
    m.interrupted = true;
    json row = build_level_row(m, run_meta());
    EXPECT_EQ(row["state"], "interrupted");
    EXPECT_EQ(row["status"], "failed");
    EXPECT_EQ(row["interrupted"], true);
    EXPECT_TRUE(row_failed(row));
    std::string md = render_summary_md({row}, run_meta());
    EXPECT_THAT(md, HasSubstr("| 20 | mediaproxy_none | **interrupted** (cut short by a signal) | "
                              "n/a (interrupted) |"));
    EXPECT_THAT(md, Not(HasSubstr("100.0%")));
    EXPECT_THAT(md, Not(HasSubstr("Per-channel overhead")));  // nothing measured in full
}

TEST(LevelState, ALevelWhereCallsFailedIsNotOk) {
    for (int completed : {0, 19}) {
        LevelMeasurement m = measured("mediaproxy_none", 20, 4, 34e6);
        m.uac_summary = uac_summary(20, completed);
        json row = build_level_row(m, run_meta());
        EXPECT_EQ(row["state"], "calls_failed");
        EXPECT_EQ(row["status"], "failed");
        std::string md = render_summary_md({row}, run_meta());
        EXPECT_THAT(md, HasSubstr("| 20 | mediaproxy_none | **calls failed**: " +
                                  std::to_string(20 - completed) + " of 20 | " +
                                  std::to_string(completed) + "/20 ("));
        EXPECT_THAT(md, Not(HasSubstr("| mediaproxy_none | ok |")));
    }
}

TEST(LevelState, ASutThatDiedMidLevelIsMarkedAndNotComplete) {
    LevelMeasurement m = measured("mediaproxy_all", 20, 4, 34e6);
    m.sut_died = true;
    m.error = "the SUT kamailio exited mid-run (killed by SIGKILL); its log ends with:\n  | x";
    json row = build_level_row(m, run_meta());
    EXPECT_EQ(row["state"], "sut_died");
    std::string md = render_summary_md({row}, run_meta());
    EXPECT_THAT(md, HasSubstr("| **SUT died**: the SUT kamailio exited mid-run (killed by "
                              "SIGKILL) | n/a (SUT died) |"));
    EXPECT_THAT(md, Not(HasSubstr("100.0%")));
    LevelMeasurement e = measured("mediaproxy_all", 20, 4, 34e6);
    e.error = "pbxbench uas exited mid-run (killed by SIGKILL)";
    EXPECT_EQ(build_level_row(e, run_meta())["state"], "error");
    EXPECT_EQ(build_level_row(measured("a", 20, 4, 34e6), run_meta())["state"], "ok");
}

// ---- Wrong figures ----

TEST(SustainedSeconds, NeverMoreThanTheFullLoadThePlanAllows) {
    // 20 calls at 50/s held 3 s: the 19th call starts at 0.36 s and the 2nd ends at 3.02 s, so
    // 95% of the calls are up together for 2.66 s at most; six 0.5 s samples read 3.0 s.
    EXPECT_NEAR(full_load_max_seconds(20, 50, 3), 3 - 17.0 / 50, 1e-12);
    EXPECT_EQ(full_load_max_seconds(500, 100, 3), 0);  // a 5 s ramp never reaches 95%
    LevelMeasurement m = measured("a", 20, 4, 34e6);
    m.load = {{0, 1}, {20, 1}, {20, 1}, {20, 1}, {20, 1}, {20, 1}, {20, 1}, {3, 1}};
    json row = build_level_row(m, run_meta());
    const double sustained = row["concurrency"]["sustained_s_at_full_load"].get<double>();
    EXPECT_LE(sustained, 2.66 + 1e-9);
    EXPECT_GT(sustained, 2.5);
}

// A health endpoint that answered, but never with a call count (garbage): no concurrency
// figures, rather than "0 s at full load" that looks measured.
TEST(LevelRow, NoConcurrencyFiguresWithoutACallCount) {
    LevelMeasurement m = measured("a", 20, 4, 34e6);
    m.monitor_summary["health"]["calls"] = {{"count", 0}, {"avg", nullptr}, {"peak", nullptr}};
    m.load = {{std::nullopt, 1}, {std::nullopt, 1}};
    EXPECT_TRUE(build_level_row(m, run_meta())["concurrency"].is_null());
}

TEST(SummaryMarkdown, NoStaleSentencesAboutMediaNotBeingSent) {
    auto with_media = [](const std::string& scenario, double cpu) {
        LevelMeasurement m = measured(scenario, 20, cpu, 50e6);
        m.uac_summary["media"] = {{"calls", 20}, {"packets_sent", 3000}};
        return build_level_row(m, run_meta());
    };
    std::vector<json> rows{with_media("mediaproxy_none", 4), with_media("mediaproxy_all", 12)};
    std::string md = render_summary_md(rows, run_meta());
    EXPECT_THAT(md, HasSubstr("## Media proxy overhead"));
    EXPECT_THAT(md, Not(HasSubstr("Until media is sent")));
    EXPECT_THAT(md, Not(HasSubstr("Media is not sent yet")));
    EXPECT_THAT(md, HasSubstr("rtpengine relaying every packet"));
    // Without media the text says that instead.
    std::vector<json> plain{build_level_row(measured("mediaproxy_none", 20, 4, 34e6), run_meta()),
                            build_level_row(measured("mediaproxy_all", 20, 12, 50e6), run_meta())};
    std::string md2 = render_summary_md(plain, run_meta());
    EXPECT_THAT(md2, HasSubstr("carried no media (--no-media)"));
    EXPECT_THAT(md2, Not(HasSubstr("relaying every packet")));
}

// The fit of the issue (20 calls 0.0%, 50 calls 1.6%; a 6% peak in the table) printed a
// capacity and a caveat about "CPU" that the table contradicted.
TEST(SummaryMarkdown, NoCapacityFromNoiseAndACaveatThatNamesWhatWasFitted) {
    LevelMeasurement a = measured("none", 20, 0.0, 34e6), b = measured("none", 50, 1.6, 40e6);
    b.monitor_summary = monitor_summary(1.2, 6.0, 40e6, 50, 20);
    std::vector<json> rows{build_level_row(a, run_meta()), build_level_row(b, run_meta())};
    rows.push_back(build_scaling_row("none", rows, run_meta()));
    EXPECT_TRUE(rows.back()["scaling"]["calls_per_core_at_target"].is_null());
    std::string md = render_summary_md(rows, run_meta());
    EXPECT_THAT(md, HasSubstr("capacity at 70% CPU: not estimated: 2 level(s) measured"));
    EXPECT_THAT(md, Not(HasSubstr("calls per core,")));
    EXPECT_THAT(md, HasSubstr("CPU fitted: 20 calls 0.0%, 50 calls 1.6%"));
    EXPECT_THAT(md, HasSubstr("the CPU fitted stayed below 5% of a core"));
    EXPECT_THAT(md, Not(HasSubstr("(CPU stayed below")));
}

// ---- One metric table ----

TEST(LevelRow, CarriesEveryLevelMetricOfTheTableUnderItsId) {
    json row = build_level_row(measured("a", 20, 4, 34e6), run_meta());
    ASSERT_TRUE(row["metrics"].is_object());
    for (const report::Metric& m : report::metrics()) {
        if (m.kind != report::RowKind::level) continue;
        ASSERT_TRUE(row["metrics"].contains(std::string(m.id))) << m.id;
        const json& got = row["metrics"][std::string(m.id)];
        if (auto v = m.extract(row)) {
            EXPECT_DOUBLE_EQ(got.get<double>(), *v) << m.id;
        } else {
            EXPECT_TRUE(got.is_null()) << m.id;
        }
    }
    EXPECT_DOUBLE_EQ(row["metrics"]["cpu_per_call_percent"].get<double>(), 4.0 / 20);
    std::string md = render_summary_md({row}, run_meta());
    EXPECT_THAT(md, HasSubstr("## Key figures"));
    // Every call metric has a column; a load's metric (API, MESSAGE, REGISTER, OPTIONS, hold)
    // only when some level ran that load, which this one did not.
    for (const report::Metric& m : report::metrics()) {
        if (m.kind != report::RowKind::level) continue;
        if (m.extract(row) || m.id.starts_with("cpu_") || m.id.starts_with("setup_")) {
            EXPECT_THAT(md, HasSubstr(std::string(m.label))) << m.id;
        }
        if (m.id.starts_with("api_") || m.id.starts_with("register_") ||
            m.id.starts_with("hold_") || m.id.starts_with("message_")) {
            EXPECT_THAT(md, Not(HasSubstr(std::string(m.label)))) << m.id;
        }
    }
    EXPECT_THAT(md, HasSubstr("| Media loss |"))
        << "a call metric without a value keeps its column";
}

// ---- Bytes that are not UTF-8 ----

TEST(LevelRow, InvalidUtf8InALogTailOrCollectOutputDoesNotThrow) {
    LevelMeasurement m = measured("sipflow", 20, 4, 34e6);
    m.error = std::string("kamailio said \xff\xfe then died");
    m.sut_died = true;
    m.collected = {{"trace", std::string("rows=\xc3\x28")}};
    json row;
    ASSERT_NO_THROW(row = build_level_row(m, run_meta()));
    std::string md;
    ASSERT_NO_THROW(md = render_summary_md({row}, run_meta()));
    EXPECT_THAT(md, HasSubstr("kamailio said"));
}

// The UAC's subscriber figures (the contract in docs/results.md) and the UAS's answered calls
// per user, as a callauth level with one wrong-password caller would report them.
LevelMeasurement callauth_level(int level, double cpu) {
    LevelMeasurement m = measured("callauth", level, cpu, 40e6);
    m.config["callers"] = 4;
    m.config["callees"] = 4;
    m.config["mapping"] = "round_robin";
    m.config["callers_register"] = true;
    m.uac_summary["latency"]["setup_ms"]["p50"] = 2.75;
    m.uac_summary["population"] = {
        {"callers", 4}, {"callees", 4}, {"mapping", "round_robin"}, {"seed", 1}};
    m.uac_summary["calls_per_callee"] = {
        {"callees", 4}, {"min", 2}, {"max", 3}, {"without_calls", 0}};
    m.uac_summary["auth"] = {{"challenges", {{"401", 0}, {"407", 10}}},
                             {"nonce_reused", 6},
                             {"fresh_challenges", 4},
                             {"stale", 0},
                             {"unsupported", 0},
                             {"failures_by_user", {{"1003", 2}}}};
    m.uac_summary["registrations"] = {
        {"callers", 4}, {"registered", 4}, {"refreshes", 1}, {"failed", 0}, {"unregistered", 4}};
    m.uac_summary["reinvites"] = {{"received", 0}, {"answered", 0}, {"refused", 0}, {"glare", 0}};
    m.uac_summary["media_path"] = {{"direct", 8},
                                   {"relayed", 2},
                                   {"unknown", 0},
                                   {"moved", 1},
                                   {"relays", {{"127.0.0.1:30000", 2}}}};
    m.uas_summary = {
        {"event", "summary"},
        {"reinvites", 1},
        {"reinvites_answered", 0},
        {"reinvites_refused", 1},
        {"reinvite_glare", 1},
        {"calls_per_user", {{"users", 4}, {"min", 2}, {"max", 3}, {"without_calls", 0}}}};
    return m;
}

TEST(LevelRow, CarriesSubscriberFiguresFromBothSides) {
    json row = build_level_row(callauth_level(10, 20), run_meta());
    EXPECT_EQ(row["subscribers"]["population"]["callers"], 4);
    EXPECT_EQ(row["subscribers"]["calls_per_callee"]["max"], 3);
    EXPECT_EQ(row["subscribers"]["uas_calls_per_user"]["users"], 4);
    EXPECT_EQ(row["subscribers"]["auth"]["failures_by_user"]["1003"], 2);
    EXPECT_EQ(row["subscribers"]["reinvites"]["uas"]["glare"], 1);
    EXPECT_EQ(row["media_path"]["relayed"], 2);
    // An older UAC without these fields: nulls, never a crash.
    json old = build_level_row(measured("mediaproxy_none", 10, 10, 40e6), run_meta());
    EXPECT_TRUE(old["subscribers"]["auth"].is_null());
    EXPECT_TRUE(old["media_path"].is_null());
}

TEST(SummaryMarkdown, SubscribersTableAndTheCostOfCallauth) {
    std::vector<json> rows = {
        build_level_row(measured("mediaproxy_none", 10, 10, 40e6), run_meta()),
        build_level_row(callauth_level(10, 25), run_meta())};
    const std::string md = render_summary_md(rows, run_meta());
    EXPECT_THAT(md, HasSubstr("## Subscribers"));
    EXPECT_THAT(md,
                HasSubstr("| 10 | callauth | 4 | 4 (round_robin) | 2 / 3 / 0 | 401: 0, 407: 10; "
                          "nonce reused 6, fresh 4 | 4/4, 1 refreshes | **1003 (2 calls): "
                          "wrong password?** | direct 8, relayed 2 (127.0.0.1:30000: 2), moved 1 | "
                          "0/0/0 ; **1/0/1** |"));
    EXPECT_THAT(md, Not(HasSubstr("secret")));
    EXPECT_THAT(md, HasSubstr("## Cost of INVITE authentication"));
    EXPECT_THAT(md, HasSubstr("- Level 10: CPU per call 2.5000 vs 1.0000 (2.50×), peak per call "
                              "3.0000 vs 1.2000 (2.50×); setup p50 +1.25 ms (2.75 vs 1.50)."));
    EXPECT_THAT(md, Not(HasSubstr("noise at this level")));
}

TEST(ChildJson, ParsesEventLinesAndIgnoresOthers) {
    auto e = parse_event_line(R"({"event":"ready","endpoints":2})");
    ASSERT_TRUE(e);
    EXPECT_EQ(event_name(*e), "ready");
    EXPECT_FALSE(parse_event_line("pbxbench uas: bob registered"));
    EXPECT_FALSE(parse_event_line(R"({"event":"rea)"));
    EXPECT_EQ(event_name(json{{"x", 1}}), "");
}

TEST(RunMetadata, CpuModelAndSha256) {
    EXPECT_EQ(cpu_model_from_cpuinfo("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: x\n"),
              "AMD EPYC 7B13");
    EXPECT_EQ(cpu_model_from_cpuinfo("processor : 0\n"), "unknown");
    auto path = std::filesystem::temp_directory_path() / "pbxbench-sha-test.txt";
    { std::ofstream(path) << "abc"; }
    auto sha = sha256_file(path);
    std::filesystem::remove(path);
    ASSERT_TRUE(sha);
    EXPECT_EQ(*sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_FALSE(sha256_file("/nonexistent/pbxbench"));
}

}  // namespace
}  // namespace pbxbench::harness

namespace pbxbench::harness {
namespace {

// Any profile's scenarios are compared against the run's first one (Asterisk's direct_media,
// relay_media and echo have none of Kamailio's names), with where each one's media went.
TEST(SummaryMarkdown, ScenariosAreComparedAgainstTheFirstWhateverTheirNames) {
    auto row = [](const std::string& scenario, double cpu, int direct, int relayed) {
        LevelMeasurement m = measured(scenario, 200, cpu, 50e6);
        m.uac_summary["media"] = {{"calls", 200},
                                  {"packets_sent", 3000},
                                  {"loss_percent", 0.0},
                                  {"mos", {{"mean", 4.38}}}};
        m.uac_summary["media_path"] = {{"direct", direct},
                                       {"relayed", relayed},
                                       {"unknown", 0},
                                       {"moved", 0},
                                       {"relays", nlohmann::json::object()}};
        return build_level_row(m, run_meta());
    };
    std::vector<nlohmann::json> rows{row("direct_media", 2, 200, 0), row("relay_media", 40, 0, 200),
                                     row("echo", 16, 0, 200)};
    std::string md = render_summary_md(rows, run_meta());
    EXPECT_THAT(md, HasSubstr("## Scenarios compared"));
    EXPECT_THAT(md, HasSubstr("| 200 | direct_media | 0.0100 | 1.00× | direct 200, relayed 0 |"));
    EXPECT_THAT(md, HasSubstr("| 200 | relay_media | 0.2000 | 20.00× | direct 0, relayed 200 |"));
    EXPECT_THAT(md, HasSubstr("| 200 | echo | 0.0800 | 8.00× |"));
    // One scenario alone has nothing to compare.
    EXPECT_THAT(render_summary_md({rows[0]}, run_meta()), Not(HasSubstr("## Scenarios compared")));
}

}  // namespace
}  // namespace pbxbench::harness

namespace pbxbench::harness {
namespace {

// A level that ran a REGISTER storm and OPTIONS pings beside its calls.
LevelMeasurement storm_level(std::uint64_t register_failed) {
    LevelMeasurement m = measured("storm", 10, 10, 40e6);
    json reg = {
        {"sent", 120},
        {"ok", 120 - register_failed},
        {"failed", register_failed},
        {"failures", register_failed ? json{{"403", register_failed}} : json::object()},
        {"rate_per_s", 99.5},
        {"latency_ms", {{"count", 120}, {"p50", 1.25}, {"p95", 2.5}, {"p99", 3.0}, {"max", 9.0}}},
        {"counters",
         {{"users", 100},
          {"peak_bindings", 100},
          {"refreshes", 20},
          {"unregistered", 100},
          {"challenges", 100},
          {"retried_423", 0}}}};
    json options = {
        {"sent", 50},
        {"ok", 50},
        {"failed", 0},
        {"failures", json::object()},
        {"rate_per_s", 10.0},
        {"latency_ms", {{"count", 50}, {"p50", 0.5}, {"p95", 0.75}, {"p99", 1.0}, {"max", 1.5}}},
        {"counters", {{"to_pbx", 25}, {"to_users", 25}}}};
    m.uac_summary["methods"] = {{"register", reg}, {"options", options}};
    // PSS rises by 200 kB over the level: 2,000 bytes for each of the 100 bindings.
    // PSS is read on some samples only; RSS (much larger) on every one must not be mixed in.
    for (std::size_t i = 0; i < m.load.size(); ++i) {
        m.load[i].rss_bytes = 90e6;
        if (i % 2 == 1) m.load[i].pss_bytes = 40e6 + (i == 3 ? 200e3 : 0);
    }
    m.collected["registrar"] = {{"contacts", 2}};
    return m;
}

TEST(LevelRow, CarriesPerMethodFiguresMetricsAndBytesPerContact) {
    json row = build_level_row(storm_level(0), run_meta());
    EXPECT_EQ(row["state"], "ok");
    EXPECT_EQ(row["methods"]["register"]["ok"], 120);
    EXPECT_DOUBLE_EQ(row["methods"]["register"]["sut_bytes_per_contact"].get<double>(), 2000);
    EXPECT_EQ(row["methods"]["register"]["registrar_contacts_after"], 2);
    EXPECT_DOUBLE_EQ(row["metrics"]["register_p50_ms"].get<double>(), 1.25);
    EXPECT_DOUBLE_EQ(row["metrics"]["register_p95_ms"].get<double>(), 2.5);
    EXPECT_DOUBLE_EQ(row["metrics"]["register_p99_ms"].get<double>(), 3.0);
    EXPECT_DOUBLE_EQ(row["metrics"]["options_p95_ms"].get<double>(), 0.75);
    EXPECT_DOUBLE_EQ(row["metrics"]["register_bytes_per_contact"].get<double>(), 2000);
    EXPECT_EQ(row["methods_total"]["sent"], 10 + 120 + 50);
    EXPECT_EQ(row["methods_total"]["failed"], 0);
    // Rows of calls only keep the schema: nulls, no section in summary.md.
    json calls_only = build_level_row(measured("mediaproxy_none", 10, 10, 40e6), run_meta());
    EXPECT_TRUE(calls_only["methods"].is_null());
    EXPECT_TRUE(calls_only["metrics"]["register_p95_ms"].is_null());
    EXPECT_THAT(render_summary_md({calls_only}, run_meta()), Not(HasSubstr("## Method loads")));
}

TEST(LevelState, FailedMethodRequestsMakeTheLevelNotOk) {
    json row = build_level_row(storm_level(3), run_meta());
    EXPECT_EQ(row["state"], "calls_failed");
    EXPECT_TRUE(row_failed(row));
    EXPECT_THAT(row["errors"].dump(), HasSubstr("3 method-load requests failed"));
    EXPECT_EQ(row["methods_total"]["failed"], 3);
}

TEST(SummaryMarkdown, MethodLoadsTableHasARowPerMethodAndACombinedOne) {
    std::vector<json> rows = {build_level_row(storm_level(3), run_meta())};
    const std::string md = render_summary_md(rows, run_meta());
    EXPECT_THAT(md, HasSubstr("## Method loads"));
    EXPECT_THAT(md, HasSubstr("| 10 | storm | register | 120 | 117 | 3 | 403: 3 | 99.5 | 1.25 ms | "
                              "2.50 ms | 3.00 ms | 9.00 ms | users 100, peak bindings 100, "
                              "refreshes 20, un-registered 100, challenges 100, Memory per "
                              "contact 2000 bytes, registrar contacts after 2 |"));
    EXPECT_THAT(md, HasSubstr("| 10 | storm | options | 50 | 50 | 0 | - | 10.0 | 0.50 ms |"));
    EXPECT_THAT(md, HasSubstr("| 10 | storm | all | 180 | 177 | 3 |"));
}

}  // namespace
}  // namespace pbxbench::harness
