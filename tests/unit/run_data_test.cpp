// Reading results back: run directories and files, broken input named by file and line,
// samples, dotted paths that tolerate missing figures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "report/run_data.hpp"
#include "tests/unit/support/results_fixture.hpp"

namespace pbxbench::report {
namespace {

using ::testing::HasSubstr;

TEST(RunData, LoadsADirectoryOrItsResultsFile) {
    test::TempDir dir;
    auto file = dir.write("results.jsonl",
                          {test::level_row("a", 20).dump(), "", test::level_row("a", 50).dump(),
                           test::scaling_row("a", 0.1).dump(), R"({"kind":"future","x":1})"});
    for (const auto& path : {dir.path(), file}) {
        auto run = load_run(path);
        ASSERT_TRUE(run) << run.error().message;
        EXPECT_EQ(run->levels.size(), 2u);
        EXPECT_EQ(run->scalings.size(), 1u);
        EXPECT_EQ(run->dir, dir.path());
        EXPECT_EQ(string_at(run->run, "hostname"), "bench1");
        EXPECT_THAT(run->label, HasSubstr("(kamailio 5.6.3)"));
    }
}

TEST(RunData, NamesTheFileAndLineOfBrokenInput) {
    test::TempDir dir;
    auto missing = load_run(dir.path() / "nope");
    ASSERT_FALSE(missing);
    EXPECT_THAT(missing.error().message, HasSubstr("nope: no such run directory or results file"));
    std::filesystem::create_directories(dir.path() / "empty");
    EXPECT_THAT(load_run(dir.path() / "empty").error().message,
                HasSubstr("empty/results.jsonl: no such results file"));
    auto garbage = dir.write("g.jsonl", {test::level_row("a", 20).dump(), "{not json"});
    EXPECT_THAT(load_run(garbage).error().message, HasSubstr("g.jsonl:2: not a JSON object"));
    auto array = dir.write("arr.jsonl", {"[1,2]"});
    EXPECT_THAT(load_run(array).error().message, HasSubstr("arr.jsonl:1: not a JSON object"));
    auto no_level = dir.write("nl.jsonl", {R"({"kind":"level","scenario":"a"})"});
    EXPECT_THAT(load_run(no_level).error().message, HasSubstr("without a numeric \"level\""));
    auto no_kind = dir.write("nk.jsonl", {R"({"scenario":"a"})"});
    EXPECT_THAT(load_run(no_kind).error().message, HasSubstr("without a \"kind\""));
    auto empty = dir.write("e.jsonl", {""});
    EXPECT_THAT(load_run(empty).error().message, HasSubstr("no level or scaling rows"));
}

// A crash or a full disk can cut the last line short: that line is skipped with a warning
// (the rows before it are good); a broken line anywhere else is still an error.
TEST(RunData, ATornLastLineIsSkippedWithAWarning) {
    test::TempDir dir;
    auto file = dir.write("results.jsonl", {test::level_row("a", 20).dump()});
    { std::ofstream(file, std::ios::app) << test::level_row("a", 50).dump().substr(0, 40); }
    auto run = load_run(dir.path());
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->levels.size(), 1u);
    ASSERT_EQ(run->warnings.size(), 1u);
    EXPECT_THAT(run->warnings[0], HasSubstr("results.jsonl:2: torn last line"));
    dir.write("samples/a-20.jsonl", {R"({"type":"sample","t_s":0,"rss_bytes":1})"});
    { std::ofstream(dir.path() / "samples/a-20.jsonl", std::ios::app) << R"({"type":"sam)"; }
    auto s = load_samples(*run, "a", 20);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->points.size(), 1u);
    EXPECT_TRUE(s->torn_last_line);
}

TEST(RunData, LoadsSamplesSkippingEventsAndSummary) {
    test::TempDir dir;
    dir.write("results.jsonl", {test::level_row("a", 20).dump()});
    dir.write(
        "samples/a-20.jsonl",
        {R"({"type":"sample","t_s":0,"cpu_percent":null,"rss_bytes":100,"pss_bytes":null,"calls":null})",
         R"({"type":"sample","t_s":0.5,"cpu_percent":{"total":12.5},"rss_bytes":110,"pss_bytes":50,"calls":7})",
         R"({"type":"event","event":"exited"})", R"({"type":"summary"})"});
    auto run = load_run(dir.path());
    ASSERT_TRUE(run);
    auto s = load_samples(*run, "a", 20);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->file, "samples/a-20.jsonl");
    ASSERT_EQ(s->points.size(), 2u);
    EXPECT_FALSE(s->points[0].cpu_percent);
    EXPECT_EQ(s->points[1].cpu_percent, 12.5);
    EXPECT_EQ(s->points[1].calls, 7.0);
    EXPECT_FALSE(load_samples(*run, "a", 50));
}

TEST(RunData, DottedPathsToleratMissingFigures) {
    nlohmann::json row = test::level_row("a", 20, 33);
    EXPECT_EQ(number_at(row, "sut.cpu_percent.avg"), 33.0);
    EXPECT_FALSE(number_at(row, "media.loss_percent"));  // media is null
    EXPECT_FALSE(number_at(row, "sut.cpu_percent.nope"));
    EXPECT_FALSE(number_at(row, "scenario"));  // not a number
    EXPECT_EQ(string_at(row, "run.cpu_model"), "Test CPU");
    EXPECT_EQ(string_at(row, "run.cores"), "");
}

}  // namespace
}  // namespace pbxbench::report
