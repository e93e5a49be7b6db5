// The SUT log scan: counts, distinct kinds (digits ignored), the pattern's absence.
#include <gtest/gtest.h>

#include <sstream>

#include "harness/log_scan.hpp"

namespace pbxbench::harness {
namespace {

TEST(LogScan, CountsErrorLinesAndKeepsTheFirstOfEachKind) {
    std::istringstream log(
        " 3(1201) INFO: <core> [main.c:1]: starting\n"
        " 5(1203) ERROR: <core> [core/mem/q_malloc.c:297]: qm_malloc(): could not allocate "
        "shared memory from shm pool - size 1024\n"
        " 6(1204) ERROR: <core> [core/mem/q_malloc.c:297]: qm_malloc(): could not allocate "
        "shared memory from shm pool - size 2048\n"
        " 6(1204) ERROR: tm [t_reply.c:12]: no more shm memory\r\n"
        " 7(1205) WARNING: something harmless\n");
    LogScan s = scan_log(log, " ERROR: ");
    EXPECT_EQ(s.error_lines, 3u);
    EXPECT_EQ(s.distinct, 2u);
    ASSERT_EQ(s.first_distinct.size(), 2u);
    EXPECT_NE(s.first_distinct[0].find("size 1024"), std::string::npos);
    EXPECT_EQ(s.first_distinct[1], " 6(1204) ERROR: tm [t_reply.c:12]: no more shm memory");
    auto j = to_json(s);
    EXPECT_EQ(j["error_lines"], 3);
    EXPECT_EQ(j["pattern"], " ERROR: ");
}

TEST(LogScan, KeepsAtMostTheAskedNumberOfDistinctLines) {
    std::ostringstream text;
    for (char c = 'a'; c <= 'j'; ++c) text << "ERROR " << c << "\n";
    std::istringstream log(text.str());
    LogScan s = scan_log(log, "ERROR", 3);
    EXPECT_EQ(s.error_lines, 10u);
    EXPECT_EQ(s.distinct, 10u);
    EXPECT_EQ(s.first_distinct.size(), 3u);
}

TEST(LogScan, AnEmptyPatternOrAMissingFileFindsNothing) {
    std::istringstream log("ERROR here\n");
    EXPECT_EQ(scan_log(log, "").error_lines, 0u);
    EXPECT_EQ(scan_log_file("/nonexistent/pbxbench.log", "ERROR").error_lines, 0u);
}

}  // namespace
}  // namespace pbxbench::harness
