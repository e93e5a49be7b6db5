// Threshold defaults and the NAME=LIMIT syntax of --threshold and thresholds files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/thresholds.hpp"
#include "tests/unit/support/results_fixture.hpp"

namespace pbxbench::report {
namespace {

using ::testing::HasSubstr;

std::string described(const Thresholds& t, const char* id) {
    return describe(*find_metric(id), t.at(id));
}

TEST(Thresholds, DefaultsAreTheDocumentedOnes) {
    Thresholds t = default_thresholds();
    EXPECT_EQ(t.size(), metrics().size());
    EXPECT_EQ(described(t, "cpu_avg_percent"), "+10% and +1 pp");
    EXPECT_EQ(described(t, "cpu_peak_percent"), "+10% and +2 pp");
    EXPECT_EQ(described(t, "cpu_per_call_percent"), "+10%");
    EXPECT_EQ(described(t, "mem_peak_bytes"), "+10%");
    EXPECT_EQ(described(t, "setup_p95_ms"), "+10% and +2 ms");
    EXPECT_EQ(described(t, "loss_percent"), "+0.5 pp");
    EXPECT_EQ(described(t, "mos"), "-0.1");
    EXPECT_EQ(described(t, "completion_percent"), "-0.1 pp");
    EXPECT_EQ(described(t, "cpu_slope_percent_per_call"), "+10%");
}

TEST(Thresholds, ParsesRelativeAbsoluteAndBoth) {
    Thresholds t = default_thresholds();
    ASSERT_TRUE(apply_threshold(t, "cpu_peak=+15%"));
    EXPECT_EQ(t["cpu_peak_percent"].relative_percent, 15.0);
    EXPECT_FALSE(t["cpu_peak_percent"].absolute);  // replaces the default's floor
    ASSERT_TRUE(apply_threshold(t, "setup_p95_ms=+5ms"));
    EXPECT_EQ(t["setup_p95_ms"].absolute, 5.0);
    EXPECT_FALSE(t["setup_p95_ms"].relative_percent);
    ASSERT_TRUE(apply_threshold(t, " setup_p99 = 20% , 3 ms "));  // sign optional
    EXPECT_EQ(t["setup_p99_ms"].relative_percent, 20.0);
    EXPECT_EQ(t["setup_p99_ms"].absolute, 3.0);
    ASSERT_TRUE(apply_threshold(t, "mem_peak=+20MB"));
    EXPECT_EQ(t["mem_peak_bytes"].absolute, 20e6);
    ASSERT_TRUE(apply_threshold(t, "mos=-0.2"));
    EXPECT_EQ(t["mos"].absolute, 0.2);
    ASSERT_TRUE(apply_threshold(t, "loss=+1pp"));
    EXPECT_EQ(t["loss_percent"].absolute, 1.0);
    ASSERT_TRUE(apply_threshold(t, "completion=off"));
    EXPECT_FALSE(t["completion_percent"].enabled());
    EXPECT_EQ(described(t, "completion_percent"), "off");
}

TEST(Thresholds, RejectsWhatItCannotUnderstand) {
    Thresholds t = default_thresholds();
    auto wrong_way = apply_threshold(t, "mos=+0.2");
    ASSERT_FALSE(wrong_way);
    EXPECT_THAT(wrong_way.error().message, HasSubstr("mos gets worse when it goes down"));
    auto unknown = apply_threshold(t, "cpu=+10%");
    ASSERT_FALSE(unknown);
    EXPECT_THAT(unknown.error().message, HasSubstr("unknown metric 'cpu' (known: cpu_avg_percent"));
    EXPECT_FALSE(apply_threshold(t, "cpu_avg"));
    EXPECT_FALSE(apply_threshold(t, "cpu_avg=+ten%"));
    EXPECT_FALSE(apply_threshold(t, "cpu_avg=+10ms"));  // CPU takes pp, not ms
    EXPECT_FALSE(apply_threshold(t, "setup_p95_ms="));
    EXPECT_FALSE(apply_threshold(t, "setup_p95_ms=+2ms,"));
}

TEST(Thresholds, ReadsAFileAndNamesTheBadLine) {
    test::TempDir dir;
    auto good = dir.write("ok.txt", {"# release gate", "", "cpu_peak=+5%  # tighter", "mos=-0.05"});
    Thresholds t = default_thresholds();
    ASSERT_TRUE(apply_threshold_file(t, good));
    EXPECT_EQ(t["cpu_peak_percent"].relative_percent, 5.0);
    EXPECT_EQ(t["mos"].absolute, 0.05);
    auto bad = dir.write("bad.txt", {"cpu_peak=+5%", "nonsense"});
    auto r = apply_threshold_file(t, bad);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("bad.txt:2: threshold 'nonsense'"));
    EXPECT_FALSE(apply_threshold_file(t, dir.path() / "missing.txt"));
}

}  // namespace
}  // namespace pbxbench::report
