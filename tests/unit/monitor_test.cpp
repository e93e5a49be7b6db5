// The Monitor over fake /proc, HTTP and clock: sampling, totals, health hand-over, schedule.
#include "monitor/monitor.hpp"

#include <sstream>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/unit/monitor_fakes.hpp"

namespace pbxbench::monitor {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;
using testing::FakeHttpClient;
using testing::FakeProcReader;

class MonitorTest : public ::testing::Test {
  protected:
    MonitorTest() {
        proc().spawn(1000, 1);
        proc().spawn(1001, 1000);
        proc().spawn(2000, 1);
        config.trees = {{"pbx", 1000, Role::sut}, {"sipp", 2000, Role::generator}};
        config.interval = 100ms;
    }
    FakeProcReader& proc() { return *proc_; }

    Monitor make() {
        MonitorSeams seams{std::move(proc_owner), std::move(clock_owner), std::move(http_owner)};
        return Monitor(config, std::move(seams));
    }
    // Moves fake time and uptime forward together by `d`.
    void advance(std::chrono::milliseconds d) {
        clock->advance(d);
        proc().uptime += static_cast<std::uint64_t>(d.count() / 10);
    }

    std::unique_ptr<FakeProcReader> proc_owner = std::make_unique<FakeProcReader>();
    std::unique_ptr<FakeClock> clock_owner = std::make_unique<FakeClock>();
    std::unique_ptr<FakeHttpClient> http_owner = std::make_unique<FakeHttpClient>();
    FakeProcReader* proc_ = proc_owner.get();
    FakeClock* clock = clock_owner.get();
    FakeHttpClient* http = http_owner.get();
    MonitorConfig config;
};

TEST_F(MonitorTest, CpuIsTickGrowthOverWallTimeAndTotalsSplitByRole) {
    Monitor m = make();
    Sample first = m.sample_once(clock->now());
    EXPECT_FALSE(first.trees[0].cpu_percent);  // baseline
    EXPECT_FALSE(first.total.cpu_percent);
    advance(1000ms);
    proc().at(1000).utime_ticks += 30;
    proc().at(1001).stime_ticks += 20;
    proc().at(2000).utime_ticks += 95;
    Sample s = m.sample_once(clock->now());
    ASSERT_EQ(s.trees.size(), 2u);
    EXPECT_DOUBLE_EQ(s.trees[0].cpu_percent.value(), 50.0);
    EXPECT_DOUBLE_EQ(s.trees[0].peak_process_cpu_percent.value(), 30.0);
    EXPECT_EQ(s.trees[0].processes, 2);
    EXPECT_DOUBLE_EQ(s.total.cpu_percent.value(), 50.0);  // the generator is not in the total
    EXPECT_DOUBLE_EQ(s.total.machine_share_percent.value(), 25.0);  // 2 cores
    EXPECT_DOUBLE_EQ(s.generator.cpu_percent.value(), 95.0);
    EXPECT_DOUBLE_EQ(s.t_s, 1.0);
}

TEST_F(MonitorTest, MemoryThreadsAndFdsAreSummedOverTheTree) {
    proc().at(1000).rss_pages = 100;
    proc().at(1001).rss_pages = 50;
    proc().at(1001).threads = 4;
    proc().procs.at(1000).pss_bytes = 300'000;
    proc().procs.at(1001).pss_bytes = 100'000;
    proc().procs.at(1001).fds = 10;
    Monitor m = make();
    Sample s = m.sample_once(clock->now());
    const TreeSample& pbx = s.trees[0];
    EXPECT_EQ(pbx.rss_bytes, 150u * 4096);
    EXPECT_EQ(pbx.pss_bytes, 400'000u);
    EXPECT_EQ(pbx.threads, 5);
    EXPECT_EQ(pbx.fds, 13);
    EXPECT_EQ(s.total.rss_bytes, 150u * 4096);
    EXPECT_EQ(s.total.pss_bytes, 400'000u);
}

TEST_F(MonitorTest, PartlyUnreadablePssOrFdsIsAbsentNotUnderstated) {
    proc().procs.at(1001).pss_bytes.reset();
    proc().procs.at(1001).fds.reset();
    Monitor m = make();
    Sample s = m.sample_once(clock->now());
    EXPECT_FALSE(s.trees[0].pss_bytes);
    EXPECT_FALSE(s.trees[0].fds);
    EXPECT_FALSE(s.total.pss_bytes);
    EXPECT_FALSE(s.total.fds);
    EXPECT_GT(s.total.rss_bytes, 0u);
    EXPECT_TRUE(s.generator.pss_bytes);
}

TEST_F(MonitorTest, PssAndFdsAreReadOnlyEveryDetailInterval) {
    config.detail_interval = 1s;
    Monitor m = make();
    int with_pss = 0;
    for (int i = 0; i < 25; ++i) {
        Sample s = m.sample_once(clock->now());
        EXPECT_EQ(s.trees[0].pss_bytes.has_value(), s.trees[0].fds.has_value());
        with_pss += s.trees[0].pss_bytes ? 1 : 0;
        advance(100ms);
    }
    EXPECT_EQ(with_pss, 3);  // ticks 0, 10 and 20
}

TEST_F(MonitorTest, RootExitIsAnEventAndOtherTreesKeepBeingSampled) {
    Monitor m = make();
    m.sample_once(clock->now());
    advance(500ms);
    m.sample_once(clock->now());
    advance(500ms);
    proc().exit(1000, false);
    Sample s = m.sample_once(clock->now());
    ASSERT_EQ(s.events.size(), 1u);
    EXPECT_EQ(s.events[0].tree, "pbx");
    EXPECT_EQ(s.events[0].pid, 1000);
    EXPECT_DOUBLE_EQ(s.events[0].t_s, 1.0);
    EXPECT_DOUBLE_EQ(s.events[0].last_seen_t_s, 0.5);
    EXPECT_FALSE(s.trees[0].alive);
    EXPECT_TRUE(s.trees[1].alive);
    advance(500ms);
    Sample after = m.sample_once(clock->now());
    EXPECT_TRUE(after.events.empty());  // reported once
    EXPECT_TRUE(after.trees[1].cpu_percent);
    std::ostringstream out;
    write_jsonl(out, s);
    std::istringstream lines(out.str());
    std::string line;
    std::getline(lines, line);
    auto event = nlohmann::json::parse(line);
    EXPECT_EQ(event["event"], "exited");
    EXPECT_EQ(event["tree"], "pbx");
    EXPECT_EQ(event["t_s"], 1.0);
    std::getline(lines, line);
    EXPECT_EQ(nlohmann::json::parse(line)["type"], "sample");
    EXPECT_EQ(m.recording().events.size(), 1u);
}

TEST_F(MonitorTest, HealthPollGoesToTheNextSampleOnly) {
    config.health = HealthConfig{};
    config.health->request.url = "http://127.0.0.1:1/";
    config.health->calls_pointer = "/result/all";
    http->replies.push_back({Transport::ok, 200, R"({"result":{"all":20}})", 1.5, ""});
    Monitor m = make();
    m.poll_health_once(clock->now());
    Sample s = m.sample_once(clock->now());
    ASSERT_TRUE(s.health);
    EXPECT_EQ(s.health->calls, 20.0);
    nlohmann::json j = to_json(s);
    EXPECT_EQ(j["calls"], 20.0);
    EXPECT_EQ(j["health_ok"], true);
    EXPECT_EQ(j["health_latency_ms"], 1.5);
    Sample next = m.sample_once(clock->now());
    EXPECT_FALSE(next.health);
    nlohmann::json nj = to_json(next);
    EXPECT_TRUE(nj["calls"].is_null());
    EXPECT_TRUE(nj["health_ok"].is_null());
}

TEST_F(MonitorTest, SampleLineHasTheDocumentedKeys) {
    Monitor m = make();
    nlohmann::json j = to_json(m.sample_once(clock->now()));
    for (const char* key : {"type", "tick", "t_s", "timestamp_ms", "late_ms", "cpu_percent",
                            "machine_share_percent", "rss_bytes", "pss_bytes", "threads", "fds",
                            "trees", "generator", "calls", "health_ok", "health_latency_ms"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_TRUE(j["cpu_percent"].contains("pbx"));
    EXPECT_TRUE(j["cpu_percent"].contains("sipp"));
    EXPECT_TRUE(j["cpu_percent"].contains("total"));
    EXPECT_EQ(j["trees"]["sipp"]["role"], "generator");
}

TEST_F(MonitorTest, RunTakesOneSamplePerIntervalForTheDuration) {
    config.duration = 1s;
    Monitor m = make();
    m.run({}, [&](const Sample&) { proc().uptime += 10; });
    const auto& samples = m.recording().samples;
    ASSERT_EQ(samples.size(), 11u);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        EXPECT_EQ(samples[i].tick, static_cast<std::int64_t>(i));
        EXPECT_DOUBLE_EQ(samples[i].late_ms, 0.0);
    }
    EXPECT_DOUBLE_EQ(samples.back().t_s, 1.0);
    EXPECT_EQ(m.recording().samples_missed, 0);
}

TEST_F(MonitorTest, LateTickIsRecordedAndOverrunIntervalsAreCountedAsMissed) {
    config.duration = 1s;
    clock->oversleep = {0ms, 30ms, 0ms, 250ms};  // tick 2 starts 30 ms late; tick 4 overruns 5, 6
    Monitor m = make();
    m.run({});
    const auto& samples = m.recording().samples;
    ASSERT_GE(samples.size(), 5u);
    EXPECT_DOUBLE_EQ(samples[2].late_ms, 30.0);
    EXPECT_EQ(samples[4].tick, 6);
    EXPECT_DOUBLE_EQ(samples[4].late_ms, 50.0);
    EXPECT_EQ(m.recording().samples_missed, 2);
    EXPECT_EQ(samples.back().tick, 10);
    EXPECT_EQ(static_cast<std::int64_t>(samples.size()) + m.recording().samples_missed, 11);
    EXPECT_EQ(m.summary_json()["samples_missed"], 2);
}

TEST_F(MonitorTest, RunEndsWhenEveryTreeHasExited) {
    Monitor m = make();  // no duration: only the exits end it
    m.run({}, [&](const Sample& s) {
        if (s.tick == 3) {
            proc().exit(1000);
            proc().exit(2000);
        }
    });
    EXPECT_EQ(m.recording().samples.size(), 5u);
    EXPECT_EQ(m.recording().events.size(), 2u);
}

TEST_F(MonitorTest, RunStopsOnRequest) {
    std::stop_source stop;
    Monitor m = make();
    m.run(stop.get_token(), [&](const Sample& s) {
        if (s.tick == 2) stop.request_stop();
    });
    EXPECT_EQ(m.recording().samples.size(), 3u);
}

TEST(MonitorConfigTest, RejectsWhatCannotWork) {
    MonitorConfig c;
    EXPECT_FALSE(validate(c));
    c.trees = {{"a", 10, Role::sut}};
    EXPECT_TRUE(validate(c));
    c.interval = 50ms;
    EXPECT_FALSE(validate(c));
    c.interval = 100ms;
    c.trees.push_back({"a", 11, Role::sidecar});
    EXPECT_FALSE(validate(c));
    c.trees = {{"total", 10, Role::sut}};
    EXPECT_FALSE(validate(c));
}

}  // namespace
}  // namespace pbxbench::monitor
