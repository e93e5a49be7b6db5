// Integration: the harness's foundations against the real Kamailio and rtpengine. Renders the
// shipped profile's scenarios into a temp run dir, runs their setup steps, starts the sidecar
// and the SUT through the real ProcessLauncher, waits for readiness (SIP OPTIONS and the
// dlg.stats_active health call), stops everything and checks the process table is clean
// (PostgreSQL's backends, in sessions of their own, included: they leave with the postmaster).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>

#include "harness/process.hpp"
#include "harness/profile.hpp"
#include "harness/readiness.hpp"
#include "harness/scenario_plan.hpp"

namespace pbxbench::harness {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Every PID whose process group is one of `groups`, zombies included (read from /proc).
std::vector<pid_t> members_of(const std::vector<pid_t>& groups) {
    std::vector<pid_t> found;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat(entry.path() / "stat");
        std::string text((std::istreambuf_iterator<char>(stat)), {});
        auto close = text.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream rest(text.substr(close + 2));
        std::string state;
        pid_t ppid = 0, pgrp = 0;
        rest >> state >> ppid >> pgrp;
        for (pid_t g : groups)
            if (pgrp == g) found.push_back(std::stoi(name));
    }
    return found;
}

class HarnessSut : public ::testing::Test {
  protected:
    void SetUp() override {
        run_dir_ = std::filesystem::temp_directory_path() / ("pbxbench-harness-sut-" + std::to_string(::getpid()));
        std::filesystem::remove_all(run_dir_);
        auto p = load_profile(std::filesystem::path(PBXBENCH_SOURCE_DIR) / "profiles/kamailio.toml");
        ASSERT_TRUE(p) << p.error().message;
        profile_ = std::move(*p);
    }
    void TearDown() override { std::filesystem::remove_all(run_dir_); }

    // Runs one scenario up to "ready", then `check`, then stops it; asserts nothing is left.
    void run_scenario(const std::string& name, const std::function<void(const ScenarioPlan&, ChildSet&)>& check) {
        const auto t0 = Clock::now();
        const ScenarioSpec* scenario = profile_.find_scenario(name);
        ASSERT_NE(scenario, nullptr);
        PortAllocator ports;
        auto vars = builtin_variables(profile_, *scenario, run_dir_ / name, ports);
        ASSERT_TRUE(vars) << vars.error().message;
        auto plan = plan_scenario(profile_, *scenario, *vars);
        ASSERT_TRUE(plan) << plan.error().message;
        ASSERT_TRUE(write_templates(*plan));

        auto launcher = make_real_launcher();
        auto probe = make_real_readiness_probe();
        auto clock = monitor::make_real_clock();
        std::vector<pid_t> groups;
        {
            ChildSet children(*launcher);
            for (const auto& step : plan->setup) {
                auto r = run_to_completion(*launcher, step.launch, step.timeout);
                ASSERT_TRUE(r) << r.error().message;
            }
            for (const auto& sidecar : plan->sidecars) {
                auto p = children.start(sidecar.launch);
                ASSERT_TRUE(p) << p.error().message;
                groups.push_back((*p)->pid());
                auto ready = wait_ready(**p, sidecar.ready, *probe, *clock, 10s);
                ASSERT_TRUE(ready) << ready.error().message;
            }
            auto sut = children.start(plan->sut);
            ASSERT_TRUE(sut) << sut.error().message;
            groups.push_back((*sut)->pid());
            auto ready = wait_ready(**sut, plan->sut_ready, *probe, *clock, plan->ready_timeout);
            ASSERT_TRUE(ready) << ready.error().message;
            EXPECT_FALSE(members_of(groups).empty());
            check(*plan, children);

            auto statuses = children.stop_all();
            ASSERT_EQ(statuses.size(), plan->sidecars.size() + 1);
            EXPECT_EQ(statuses.front().first, "kamailio");  // the SUT first, its sidecar after
            for (const auto& [child, status] : statuses)
                EXPECT_NE(status.signal, SIGKILL) << child << " needed SIGKILL: it ignored " << status.describe();
        }
        EXPECT_EQ(members_of(groups), std::vector<pid_t>{}) << "processes of the scenario survived stop";
        for (pid_t g : groups) EXPECT_NE(::kill(-g, 0), 0) << "group " << g;
        EXPECT_LT(Clock::now() - t0, 30s);
    }

    std::filesystem::path run_dir_;
    Profile profile_;
};

TEST_F(HarnessSut, MediaproxyAllStartsRtpengineAndKamailioAndStopsBoth) {
    run_scenario("mediaproxy_all", [&](const ScenarioPlan& plan, ChildSet&) {
        // Health reads the active-call count, 0 before any call.
        auto h = make_real_readiness_probe()->health(*plan.health);
        EXPECT_TRUE(h.healthy) << h.error;
        ASSERT_TRUE(h.calls);
        EXPECT_EQ(*h.calls, 0);
        // Kamailio found rtpengine at start-up (it was ready before Kamailio started).
        std::ifstream log(plan.sut.log_path);
        std::string text((std::istreambuf_iterator<char>(log)), {});
        EXPECT_EQ(text.find("did not respond"), std::string::npos) << text;
        EXPECT_NE(std::find(plan.sut.argv.begin(), plan.sut.argv.end(), "WITH_RTPENGINE"), plan.sut.argv.end());
    });
}

TEST_F(HarnessSut, SipflowRecordsTheReadinessPingsInPostgres) {
    run_scenario("sipflow", [&](const ScenarioPlan& plan, ChildSet&) {
        // The readiness OPTIONS went in and its 200 went out: both must be rows by now.
        auto launcher = make_real_launcher();
        LaunchSpec query;
        query.name = "psql";
        query.argv = {"psql",
                      "-h",
                      "127.0.0.1",
                      "-p",
                      plan.vars.at("PG_PORT"),
                      "-U",
                      "kamailio",
                      "-d",
                      "postgres",
                      "-tAc",
                      "select method || ' ' || direction from sip_trace where method = 'OPTIONS' "
                      "order by id"};
        query.stdout_to = StdoutTo::pipe;
        auto q = launcher->launch(query);
        ASSERT_TRUE(q) << q.error().message;
        std::vector<std::string> rows;
        for (LineRead line; (line = (*q)->read_line(5s)).status == LineRead::Status::line;) rows.push_back(line.text);
        auto status = (*q)->wait_for(5s);
        ASSERT_TRUE(status && status->success());
        EXPECT_THAT(rows, ::testing::IsSupersetOf({"OPTIONS in", "OPTIONS out"}));
    });
}

}  // namespace
}  // namespace pbxbench::harness
