// CPU accounting over a scripted process table: every way a process can come and go.
#include "monitor/cpu_accounting.hpp"

#include <gtest/gtest.h>

#include "monitor/process_tree.hpp"
#include "tests/unit/monitor_fakes.hpp"

namespace pbxbench::monitor {
namespace {

using testing::FakeProcReader;

class CpuAccountingTest : public ::testing::Test {
  protected:
    static constexpr pid_t root = 1000;

    CpuAccountingTest() { proc.spawn(root, 1); }

    // One tick: a second of uptime passes, then the tree is walked and accounted.
    std::optional<CpuDelta> tick() {
        proc.uptime += 100;
        last = tree.discover(proc);
        return cpu.update(last.members, proc.uptime);
    }
    std::uint64_t ticks_of_next_tick() {
        auto d = tick();
        EXPECT_TRUE(d.has_value());
        return d ? d->tree_ticks : ~0ull;
    }

    FakeProcReader proc;
    ProcessTree tree{root};
    CpuAccountant cpu;
    TreeSnapshot last;
};

TEST_F(CpuAccountingTest, FirstTickIsOnlyABaseline) {
    proc.at(root).utime_ticks = 5000;  // a long-running process's past is not this tick's load
    EXPECT_FALSE(tick().has_value());
    EXPECT_EQ(ticks_of_next_tick(), 0u);
}

TEST_F(CpuAccountingTest, CountsGrowthOfUtimeAndStimeOfEveryMember) {
    proc.spawn(1001, root);
    proc.spawn(1002, 1001);
    tick();
    proc.at(root).utime_ticks += 30;
    proc.at(1001).stime_ticks += 20;
    proc.at(1002).utime_ticks += 7;
    proc.at(1002).stime_ticks += 3;
    EXPECT_EQ(ticks_of_next_tick(), 60u);
}

TEST_F(CpuAccountingTest, ChildBornSinceLastTickCountsItsWholeLife) {
    tick();
    proc.spawn(1001, root).utime_ticks = 15;
    EXPECT_EQ(ticks_of_next_tick(), 15u);
}

TEST_F(CpuAccountingTest, ChildBornAndReapedBetweenTicksIsCreditedThroughParentsCutime) {
    tick();
    ProcStat& child = proc.spawn(1001, root);
    child.utime_ticks = 30;
    child.stime_ticks = 10;
    proc.exit(1001);
    EXPECT_EQ(ticks_of_next_tick(), 40u);
}

TEST_F(CpuAccountingTest, TrackedChildThatExitsIsNotCountedTwice) {
    proc.spawn(1001, root).utime_ticks = 100;  // older than the monitor: its past is not ours
    tick();
    proc.at(1001).utime_ticks += 10;
    EXPECT_EQ(ticks_of_next_tick(), 10u);
    proc.at(1001).utime_ticks += 4;  // the tail between the last tick and its exit
    proc.exit(1001);
    EXPECT_EQ(ticks_of_next_tick(), 4u);
}

TEST_F(CpuAccountingTest, GrandchildReapedByParentThatAlsoExitedIsCountedOnce) {
    proc.spawn(1001, root).utime_ticks = 50;
    proc.spawn(1002, 1001).utime_ticks = 70;
    tick();
    proc.at(1002).utime_ticks += 5;
    proc.exit(1002);  // reaped by 1001 ...
    proc.at(1001).utime_ticks += 3;
    proc.exit(1001);  // ... which root reaps
    EXPECT_EQ(ticks_of_next_tick(), 8u);
}

TEST_F(CpuAccountingTest, AutoReapedChildLosesOnlyItsTailNeverGoesNegative) {
    proc.spawn(1001, root).utime_ticks = 100;
    proc.spawn(1002, root);
    tick();
    proc.at(1001).utime_ticks += 9;
    proc.exit(1001, /*reaped=*/false);  // SIGCHLD ignored: nothing reaches root's cutime
    proc.at(1002).utime_ticks += 6;
    EXPECT_EQ(ticks_of_next_tick(), 6u);
}

TEST_F(CpuAccountingTest, ReusedPidIsANewProcess) {
    proc.spawn(1001, root).utime_ticks = 500;
    tick();
    proc.exit(1001);
    proc.uptime += 1;
    proc.spawn(1001, root).utime_ticks = 7;  // same PID, later start time
    EXPECT_EQ(ticks_of_next_tick(), 7u);
}

TEST_F(CpuAccountingTest, MemberOlderThanLastTickButUnseenStartsAsBaseline) {
    tick();
    // Adopted by a subreaper root: it existed at the last tick, so its past is not new load.
    ProcStat& adopted = proc.spawn(1001, root);
    adopted.starttime_ticks = 10;
    adopted.utime_ticks = 300;
    EXPECT_EQ(ticks_of_next_tick(), 0u);
    proc.at(1001).utime_ticks += 2;
    EXPECT_EQ(ticks_of_next_tick(), 2u);
}

TEST_F(CpuAccountingTest, ReportsTheBusiestProcess) {
    proc.spawn(1001, root);
    proc.spawn(1002, root);
    tick();
    proc.at(1001).utime_ticks += 10;
    proc.at(1002).utime_ticks += 80;
    auto d = tick();
    ASSERT_TRUE(d);
    EXPECT_EQ(d->peak_process_ticks, 80u);
    EXPECT_EQ(d->peak_pid, 1002);
    EXPECT_EQ(d->tree_ticks, 90u);
}

TEST_F(CpuAccountingTest, OrphanOfTheTreeStaysAMember) {
    proc.spawn(1001, root);
    proc.spawn(1002, 1001);
    tick();
    proc.exit(1001);  // 1002 is reparented to init
    ASSERT_EQ(proc.at(1002).ppid, 1);
    proc.at(1002).utime_ticks += 25;
    EXPECT_EQ(ticks_of_next_tick(), 25u);
    EXPECT_EQ(last.members.size(), 2u);
}

TEST(ProcessTreeTest, RootGoneOrReusedMeansTheTreeIsGone) {
    FakeProcReader proc;
    proc.spawn(1000, 1);
    proc.spawn(1001, 1000);
    ProcessTree tree(1000);
    EXPECT_TRUE(tree.discover(proc).root_alive);
    proc.exit(1000);
    EXPECT_FALSE(tree.discover(proc).root_alive);
    proc.uptime += 50;
    proc.spawn(1000, 1);  // PID reused by an unrelated process
    EXPECT_FALSE(tree.discover(proc).root_alive);
}

TEST(ProcessTreeTest, WalksAgainOnlyAfterAProcessWasCreated) {
    FakeProcReader proc;
    proc.spawn(1000, 1);
    proc.spawn(1001, 1000);
    ProcessTree tree(1000);
    EXPECT_EQ(tree.discover(proc).members.size(), 2u);
    const int walked = proc.children_calls;
    EXPECT_EQ(tree.discover(proc).members.size(), 2u);
    EXPECT_EQ(proc.children_calls, walked);  // nothing forked: members re-read, no walk
    proc.exit(1001);
    EXPECT_EQ(tree.discover(proc).members.size(), 1u);
    proc.spawn(1002, 1000);
    EXPECT_EQ(tree.discover(proc).members.size(), 2u);
    EXPECT_GT(proc.children_calls, walked);
}

TEST(ProcessTreeTest, ZombieRootHasExited) {
    FakeProcReader proc;
    proc.spawn(1000, 1);
    ProcessTree tree(1000);
    EXPECT_TRUE(tree.discover(proc).root_alive);
    proc.at(1000).state = 'Z';  // dead, not yet waited for by its parent
    EXPECT_FALSE(tree.discover(proc).root_alive);
}

TEST(ProcessTreeTest, RootComesFirstAndEveryDescendantOnce) {
    FakeProcReader proc;
    proc.spawn(1000, 1);
    proc.spawn(1001, 1000);
    proc.spawn(1002, 1001);
    proc.spawn(1003, 1000);
    proc.spawn(2000, 1);  // not ours
    ProcessTree tree(1000);
    TreeSnapshot s = tree.discover(proc);
    ASSERT_EQ(s.members.size(), 4u);
    EXPECT_EQ(s.members.front().pid, 1000);
    for (const ProcStat& st : s.members) EXPECT_NE(st.pid, 2000);
}

}  // namespace
}  // namespace pbxbench::monitor
