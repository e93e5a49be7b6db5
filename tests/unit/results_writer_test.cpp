// Result files: flattening, CSV quoting, column unions, and rows on disk as soon as appended.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "harness/results_writer.hpp"

namespace pbxbench::harness {
namespace {

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(ResultsFlatten, NestedObjectsBecomeDottedColumnsAndArraysAreLeftOut) {
    nlohmann::json row = {{"scenario", "mediaproxy_all"},
                          {"calls", {{"completed", 10}, {"failed", {{"timeout", 1}}}}},
                          {"points", {1, 2, 3}}};
    auto flat = flatten(row);
    std::vector<std::string> keys;
    for (const auto& [k, v] : flat) keys.push_back(k);
    EXPECT_THAT(keys, ::testing::UnorderedElementsAre("scenario", "calls.completed",
                                                      "calls.failed.timeout"));
}

TEST(ResultsCsv, QuotesFieldsThatNeedIt) {
    EXPECT_EQ(csv_field("plain"), "plain");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_field(nullptr), "");
    EXPECT_EQ(csv_field(1.5), "1.5");
    EXPECT_EQ(csv_field(true), "true");
}

TEST(ResultsCsv, UnionOfColumnsLeavesMissingFieldsEmpty) {
    std::vector<nlohmann::json> rows{{{"a", 1}, {"b", 2}}, {{"a", 3}, {"c", "x,y"}}};
    EXPECT_EQ(to_csv(rows), "a,b,c\n1,2,\n3,,\"x,y\"\n");
}

TEST(ResultsWriter, EveryRowIsOnDiskAsSoonAsItIsAppended) {
    auto dir =
        std::filesystem::temp_directory_path() / ("pbxbench-results-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    auto w = ResultsWriter::open(dir / "run");
    ASSERT_TRUE(w) << w.error().message;
    ASSERT_TRUE(w->append({{"scenario", "one"}, {"level", 200}}));
    EXPECT_EQ(slurp(dir / "run" / "results.jsonl"), "{\"level\":200,\"scenario\":\"one\"}\n");
    EXPECT_EQ(slurp(dir / "run" / "results.csv"), "level,scenario\n200,one\n");
    ASSERT_TRUE(w->append({{"scenario", "two"}, {"level", 500}, {"cpu", {{"avg", 12.5}}}}));
    EXPECT_EQ(slurp(dir / "run" / "results.csv"),
              "level,scenario,cpu.avg\n200,one,\n500,two,12.5\n");
    std::string jsonl = slurp(dir / "run" / "results.jsonl");
    EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 2);
    EXPECT_FALSE(std::filesystem::exists(dir / "run" / "results.csv.tmp"));
    std::filesystem::remove_all(dir);
}

TEST(ResultsWriter, AnUnwritableDirectoryIsAClearError) {
    auto w = ResultsWriter::open("/proc/pbxbench-cannot-exist/run");
    ASSERT_FALSE(w);
    EXPECT_THAT(w.error().message, ::testing::HasSubstr("/proc/pbxbench-cannot-exist/run"));
}

}  // namespace
}  // namespace pbxbench::harness
