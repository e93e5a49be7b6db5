#include "harness/process.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "tests/unit/support/fake_process.hpp"

namespace pbxbench::harness {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// True when `pid` no longer exists (or is a zombie nobody has reaped yet).
bool gone(pid_t pid) {
    if (::kill(pid, 0) != 0) return errno == ESRCH;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    auto close = text.rfind(')');
    return close == std::string::npos || text.substr(close + 2, 1) == "Z";
}

bool group_gone(pid_t pgid) {
    return ::kill(-pgid, 0) != 0 && errno == ESRCH;
}

class ProcessTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("pbxbench-process-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    LaunchSpec spec(std::vector<std::string> argv, std::chrono::milliseconds grace = 2s) {
        LaunchSpec s;
        s.name = argv.front();
        s.argv = std::move(argv);
        s.log_path = dir_ / "child.log";
        s.stop_grace = grace;
        return s;
    }

    std::filesystem::path dir_;
    std::unique_ptr<ProcessLauncher> launcher_ = make_real_launcher();
};

TEST_F(ProcessTest, StopsASleeperWithTheStopSignal) {
    auto p = launcher_->launch(spec({"sleep", "30"}));
    ASSERT_TRUE(p) << p.error().message;
    pid_t pid = (*p)->pid();
    EXPECT_EQ(::getpgid(pid), pid);  // its own group
    EXPECT_FALSE((*p)->poll());
    auto t0 = Clock::now();
    ExitStatus s = (*p)->stop();
    EXPECT_LT(Clock::now() - t0, 1s);
    EXPECT_EQ(s.signal, SIGTERM);
    EXPECT_EQ(s.describe(), "killed by SIGTERM");
    EXPECT_TRUE(group_gone(pid));
    EXPECT_EQ((*p)->stop(), s);  // idempotent
}

TEST_F(ProcessTest, ChildIgnoringTheStopSignalIsKilledAfterTheGrace) {
    auto p = launcher_->launch(spec({"sh", "-c", "trap '' TERM; echo trapped; sleep 30"}, 300ms));
    ASSERT_TRUE(p) << p.error().message;
    // Wait until the trap is set, or the TERM would kill sh before it ignores anything.
    for (int i = 0; i < 200 && !(*p)->log_contains("trapped"); ++i)
        std::this_thread::sleep_for(5ms);
    pid_t pid = (*p)->pid();
    auto t0 = Clock::now();
    ExitStatus s = (*p)->stop();
    auto took = Clock::now() - t0;
    EXPECT_EQ(s.signal, SIGKILL);
    EXPECT_TRUE(s.killed_after_grace);
    EXPECT_EQ(s.describe(), "killed by SIGKILL after ignoring its stop signal");
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 2s);
    EXPECT_TRUE(group_gone(pid));
}

// A SIGKILL we did not send (the OOM killer, a user) is not "ignored its stop signal".
TEST_F(ProcessTest, ASigkillFromOutsideIsToldApart) {
    auto p = launcher_->launch(spec({"sleep", "30"}));
    ASSERT_TRUE(p) << p.error().message;
    ::kill((*p)->pid(), SIGKILL);
    ASSERT_TRUE((*p)->wait_for(5s));
    ExitStatus s = (*p)->stop();
    EXPECT_EQ(s.signal, SIGKILL);
    EXPECT_FALSE(s.killed_after_grace);
    EXPECT_EQ(s.describe(), "killed by SIGKILL");
}

// The status of a leader that dies while stop() reaps its group must not be lost: it was
// reported as "exit code 0" when the group's waitpid took it first.
TEST_F(ProcessTest, ACrashDuringStopIsNeverReportedAsExitZero) {
    for (int i = 0; i < 20; ++i) {
        // Exits 7 the moment TERM arrives (no grace wait for the shell to notice).
        auto p = launcher_->launch(
            spec({"sh", "-c", "trap 'exit 7' TERM; echo up; while :; do :; done"}, 2s));
        ASSERT_TRUE(p) << p.error().message;
        for (int k = 0; k < 400 && !(*p)->log_contains("up"); ++k) std::this_thread::sleep_for(5ms);
        ExitStatus s = (*p)->stop();
        ASSERT_EQ(s.code, 7) << "round " << i << ": " << s.describe();
        EXPECT_FALSE(s.success());
        std::filesystem::remove(dir_ / "child.log");
    }
}

// A status nobody can read any more is unknown, never a success.
TEST_F(ProcessTest, AStatusReapedElsewhereIsUnknownNotSuccess) {
    auto p = launcher_->launch(spec({"sh", "-c", "kill -SEGV $$"}));
    ASSERT_TRUE(p) << p.error().message;
    int st = 0;
    ASSERT_EQ(::waitpid((*p)->pid(), &st, 0), (*p)->pid());  // behind the Process's back
    ExitStatus s = (*p)->stop();
    EXPECT_TRUE(s.unknown);
    EXPECT_FALSE(s.success());
    EXPECT_THAT(s.describe(), HasSubstr("status unknown"));
}

TEST_F(ProcessTest, GrandchildInTheSameGroupIsStoppedToo) {
    auto p = launcher_->launch(spec({"sh", "-c", "sleep 30 & echo $!; wait"}));
    ASSERT_TRUE(p) << p.error().message;
    pid_t grandchild = 0;
    for (int i = 0; i < 200 && grandchild == 0; ++i) {
        auto tail = (*p)->log_tail(1);
        if (!tail.empty())
            grandchild = std::stoi(tail.front());
        else
            std::this_thread::sleep_for(5ms);
    }
    ASSERT_GT(grandchild, 0);
    EXPECT_EQ(::getpgid(grandchild), (*p)->pid());
    (*p)->stop();
    EXPECT_TRUE(gone(grandchild));
    EXPECT_TRUE(group_gone((*p)->pid()));
}

TEST_F(ProcessTest, GrandchildDiesWithItsParentThroughPdeathsig) {
    LaunchSpec s = spec({LAUNCH_HELPER_PATH});
    s.stdout_to = StdoutTo::pipe;
    auto helper = launcher_->launch(s);
    ASSERT_TRUE(helper) << helper.error().message;
    LineRead line = (*helper)->read_line(5s);
    ASSERT_EQ(line.status, LineRead::Status::line)
        << "log:" << format_log_tail((*helper)->log_tail(20));
    pid_t grandchild = std::stoi(line.text);
    ASSERT_FALSE(gone(grandchild));
    EXPECT_NE(::getpgid(grandchild), (*helper)->pid());  // its own group: only PDEATHSIG reaches it
    ::kill((*helper)->pid(), SIGKILL);
    auto t0 = Clock::now();
    while (!gone(grandchild) && Clock::now() - t0 < 1s) std::this_thread::sleep_for(5ms);
    EXPECT_TRUE(gone(grandchild)) << "grandchild " << grandchild << " survived its parent";
    ::waitpid(grandchild, nullptr, WNOHANG);  // it was reparented to us (subreaper)
    EXPECT_EQ((*helper)->stop().signal, SIGKILL);
}

// Kamailio's workers are forked by Kamailio, so PDEATHSIG does not reach them; when the
// launcher's owner is SIGKILLed its guard process kills the whole group.
TEST_F(ProcessTest, WorkerOfAGrandchildDiesThroughTheGuard) {
    LaunchSpec s = spec({LAUNCH_HELPER_PATH, "--worker"});
    s.stdout_to = StdoutTo::pipe;
    auto helper = launcher_->launch(s);
    ASSERT_TRUE(helper) << helper.error().message;
    LineRead line = (*helper)->read_line(5s);
    ASSERT_EQ(line.status, LineRead::Status::line)
        << "log:" << format_log_tail((*helper)->log_tail(20));
    pid_t worker = std::stoi(line.text);
    ASSERT_FALSE(gone(worker));
    EXPECT_NE(::getpgid(worker), (*helper)->pid());
    ::kill((*helper)->pid(), SIGKILL);
    auto t0 = Clock::now();
    while (!gone(worker) && Clock::now() - t0 < 2s) std::this_thread::sleep_for(5ms);
    EXPECT_TRUE(gone(worker)) << "worker " << worker << " survived the launcher's owner";
    ::waitpid(worker, nullptr, WNOHANG);
    EXPECT_EQ((*helper)->stop().signal, SIGKILL);
}

TEST_F(ProcessTest, ExitStatusOfACrashingChild) {
    auto p = launcher_->launch(spec({"sh", "-c", "kill -SEGV $$"}));
    ASSERT_TRUE(p);
    auto s = (*p)->wait_for(5s);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->signal, SIGSEGV);
    EXPECT_THAT(s->describe(), ::testing::StartsWith("killed by SIGSEGV"));
    auto e = launcher_->launch(spec({"sh", "-c", "exit 3"}));
    ASSERT_TRUE(e);
    auto code = (*e)->wait_for(5s);
    ASSERT_TRUE(code);
    EXPECT_EQ(code->code, 3);
    EXPECT_EQ(code->describe(), "exit code 3");
    EXPECT_FALSE(code->success());
}

TEST_F(ProcessTest, LogTailEnvAndWorkdir) {
    std::filesystem::create_directories(dir_ / "wd");
    LaunchSpec s =
        spec({"sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done; echo \"$GREETING\" >&2; pwd"});
    s.env = {{"GREETING", "hello"}};
    s.workdir = dir_ / "wd";
    auto p = launcher_->launch(s);
    ASSERT_TRUE(p);
    ASSERT_TRUE((*p)->wait_for(5s));
    EXPECT_EQ((*p)->log_tail(3),
              (std::vector<std::string>{"line5", "hello", (dir_ / "wd").string()}));
    EXPECT_EQ((*p)->log_tail(100).size(), 7u);
    EXPECT_TRUE((*p)->log_contains("line3"));
    EXPECT_FALSE((*p)->log_contains("line9"));
}

TEST_F(ProcessTest, PipedStdoutIsReadLineByLine) {
    LaunchSpec s = spec(
        {"sh", "-c", "echo '{\"event\":\"ready\"}'; echo to-log >&2; sleep 0.2; printf 'last'"});
    s.stdout_to = StdoutTo::pipe;
    auto p = launcher_->launch(s);
    ASSERT_TRUE(p);
    auto first = (*p)->read_line(5s);
    EXPECT_EQ(first.status, LineRead::Status::line);
    EXPECT_EQ(first.text, "{\"event\":\"ready\"}");
    EXPECT_EQ((*p)->read_line(10ms).status, LineRead::Status::timeout);
    auto last = (*p)->read_line(5s);
    EXPECT_EQ(last.text, "last");
    EXPECT_EQ((*p)->read_line(5s).status, LineRead::Status::eof);
    ASSERT_TRUE((*p)->wait_for(5s));
    EXPECT_EQ((*p)->log_tail(5), (std::vector<std::string>{"to-log"}));
}

TEST_F(ProcessTest, LaunchErrorsAreValues) {
    auto missing = launcher_->launch(spec({"no-such-command-xyz"}));
    ASSERT_FALSE(missing);
    EXPECT_THAT(missing.error().message, HasSubstr("command not found: no-such-command-xyz"));
    std::ofstream(dir_ / "not-exec") << "#!/bin/sh\n";
    auto not_exec = launcher_->launch(spec({(dir_ / "not-exec").string()}));
    ASSERT_FALSE(not_exec);
    EXPECT_THAT(not_exec.error().message, HasSubstr("command not found"));
    LaunchSpec bad_dir = spec({"true"});
    bad_dir.workdir = dir_ / "missing";
    auto r = launcher_->launch(bad_dir);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("cannot enter workdir"));
}

TEST_F(ProcessTest, ChildSetStopsEveryChildNewestFirst) {
    std::vector<pid_t> pids;
    {
        ChildSet set(*launcher_);
        for (int i = 0; i < 3; ++i) {
            auto p = set.start(spec({"sleep", "30"}));
            ASSERT_TRUE(p);
            pids.push_back((*p)->pid());
        }
        EXPECT_EQ(set.size(), 3u);
    }
    for (pid_t pid : pids) EXPECT_TRUE(group_gone(pid));
}

TEST_F(ProcessTest, RunToCompletion) {
    EXPECT_TRUE(run_to_completion(*launcher_, spec({"true"}), 5s));
    auto failed = run_to_completion(*launcher_, spec({"sh", "-c", "echo broken; exit 4"}), 5s);
    ASSERT_FALSE(failed);
    EXPECT_THAT(failed.error().message, HasSubstr("failed (exit code 4)"));
    EXPECT_THAT(failed.error().message, HasSubstr("| broken"));
    auto slow = run_to_completion(*launcher_, spec({"sleep", "30"}), 100ms);
    ASSERT_FALSE(slow);
    EXPECT_THAT(slow.error().message, HasSubstr("did not finish within"));
}

TEST(FakeLauncher, ChildSetStopOrderIsReverse) {
    testing::FakeProcessLauncher fake;
    {
        ChildSet set(fake);
        for (const char* name : {"rtpengine", "kamailio", "uas"}) {
            LaunchSpec s;
            s.name = name;
            s.argv = {name};
            ASSERT_TRUE(set.start(s));
        }
    }
    EXPECT_EQ(fake.stop_order, (std::vector<std::string>{"uas", "kamailio", "rtpengine"}));
    fake.fail_launch["kamailio"] = "command not found: kamailio";
    ChildSet set(fake);
    LaunchSpec s;
    s.name = "kamailio";
    s.argv = {"kamailio"};
    auto r = set.start(s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "command not found: kamailio");
    EXPECT_EQ(set.size(), 0u);
}

}  // namespace
}  // namespace pbxbench::harness
