// Parsing of /proc text, and the real reader against this very process.
#include "monitor/proc_reader.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>

namespace pbxbench::monitor {
namespace {

TEST(ParseProcStat, ReadsTheFieldsAfterATrickyCommandName) {
    // The command name contains ") " and digits, which a naive split would take for fields.
    const char* line =
        "4242 (evil) 1 2 (x)) S 17 4242 4242 0 -1 4194560 1200 0 0 0 "
        "311 122 45 6 20 0 3 0 987654 123456789 2560 18446744073709551615 1 1 0 0 0 0 0 "
        "0 0 0 0 0 0 17 1 0 0 0 0 0\n";
    auto st = parse_proc_stat(line);
    ASSERT_TRUE(st) << st.error().message;
    EXPECT_EQ(st->pid, 4242);
    EXPECT_EQ(st->state, 'S');
    EXPECT_EQ(st->ppid, 17);
    EXPECT_EQ(st->utime_ticks, 311u);
    EXPECT_EQ(st->stime_ticks, 122u);
    EXPECT_EQ(st->cutime_ticks, 45u);
    EXPECT_EQ(st->cstime_ticks, 6u);
    EXPECT_EQ(st->threads, 3);
    EXPECT_EQ(st->starttime_ticks, 987654u);
    EXPECT_EQ(st->rss_pages, 2560u);
}

TEST(ParseProcStat, RejectsTruncatedAndGarbledLines) {
    EXPECT_FALSE(parse_proc_stat("12 (a) S 1 2 3"));
    EXPECT_FALSE(parse_proc_stat("no parentheses here"));
    EXPECT_FALSE(parse_proc_stat("12 (a) S x 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21"));
}

TEST(ParseSmapsRollup, ReadsPssInBytes) {
    const char* text =
        "55d0c0000000-7ffd00000000 ---p 00000000 00:00 0 [rollup]\n"
        "Rss:                5120 kB\n"
        "Pss:                2049 kB\n"
        "Pss_Anon:           1000 kB\n";
    auto pss = parse_smaps_rollup_pss(text);
    ASSERT_TRUE(pss);
    EXPECT_EQ(*pss, 2049u * 1024);
    EXPECT_FALSE(parse_smaps_rollup_pss("Rss: 12 kB\n"));
}

TEST(RealProcReader, ReadsThisProcess) {
    auto proc = make_real_proc_reader();
    auto st = proc->stat(::getpid());
    ASSERT_TRUE(st);
    EXPECT_EQ(st->ppid, ::getppid());
    EXPECT_GT(st->rss_pages, 0u);
    EXPECT_GE(st->threads, 1);
    EXPECT_LE(st->starttime_ticks, proc->uptime_ticks());
    auto fds = proc->fd_count(::getpid());
    ASSERT_TRUE(fds);
    EXPECT_GE(*fds, 3);
    auto pss = proc->pss_bytes(::getpid());
    ASSERT_TRUE(pss);
    EXPECT_GT(*pss, 0u);
    EXPECT_GE(proc->cores(), 1);
    EXPECT_GT(proc->ticks_per_second(), 0);
}

TEST(RealProcReader, ListsAForkedChildAndForgetsItOnceReaped) {
    auto proc = make_real_proc_reader();
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::pause();
        ::_exit(0);
    }
    auto self = proc->stat(::getpid());
    ASSERT_TRUE(self);
    auto kids = proc->children(*self);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(kids);
    EXPECT_NE(std::find(kids->begin(), kids->end(), child), kids->end());
    auto gone = proc->stat(child);
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().message, "no process with PID " + std::to_string(child));
}

}  // namespace
}  // namespace pbxbench::monitor
