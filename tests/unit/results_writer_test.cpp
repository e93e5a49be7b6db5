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

// A fresh directory per test, removed after.
struct Scratch {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("pbxbench-writer-" + std::to_string(::getpid()) + "-" +
                                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
    Scratch() { std::filesystem::remove_all(dir); }
    ~Scratch() { std::filesystem::remove_all(dir); }
};

std::vector<std::string> leftovers(const std::filesystem::path& dir) {
    std::vector<std::string> tmp;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string().find(".tmp") != std::string::npos)
            tmp.push_back(e.path().filename().string());
    return tmp;
}

// A full disk (/dev/full answers every write with ENOSPC): the error names the reason, the
// row is in neither file nor in rows(), so the CSV can never hold a row the JSONL lacks.
TEST(ResultsWriter, AFullDiskKeepsTheRowOutOfEveryFileAndSaysWhy) {
    Scratch s;
    std::filesystem::create_directories(s.dir);
    std::filesystem::create_symlink("/dev/full", s.dir / "results.jsonl");
    auto w = ResultsWriter::open(s.dir, /*append=*/true);
    ASSERT_TRUE(w) << w.error().message;
    auto a = w->append({{"scenario", "one"}, {"level", 20}});
    ASSERT_FALSE(a);
    EXPECT_THAT(a.error().message, ::testing::HasSubstr("No space left on device"));
    EXPECT_TRUE(w->rows().empty());
    EXPECT_FALSE(std::filesystem::exists(s.dir / "results.csv"));
}

TEST(ResultsWriter, AFailedCsvRewriteKeepsTheOldFileAndLeavesNoTemporary) {
    Scratch s;
    auto w = ResultsWriter::open(s.dir);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->append({{"level", 20}}));
    std::filesystem::remove(s.dir / "results.csv");
    std::filesystem::create_directory(s.dir / "results.csv");  // rename onto it fails
    auto a = w->append({{"level", 50}});
    ASSERT_FALSE(a);
    EXPECT_THAT(a.error().message, ::testing::HasSubstr("results.csv"));
    EXPECT_EQ(w->rows().size(), 2u);  // results.jsonl has it: the CSV lags, never leads
    EXPECT_TRUE(leftovers(s.dir).empty());
    EXPECT_TRUE(std::filesystem::is_directory(s.dir / "results.csv"));
}

TEST(ResultsWriter, ANonEmptyDirectoryIsRefusedUnlessAppending) {
    Scratch s;
    {
        auto w = ResultsWriter::open(s.dir);
        ASSERT_TRUE(w);
        ASSERT_TRUE(w->append({{"kind", "level"}, {"scenario", "a"}, {"level", 20}}));
    }
    auto again = ResultsWriter::open(s.dir);
    ASSERT_FALSE(again);
    EXPECT_THAT(again.error().message, ::testing::HasSubstr("--append"));
    // A run cut mid-line: --append reads the whole rows, drops the torn one, says so.
    { std::ofstream(s.dir / "results.jsonl", std::ios::app) << "{\"kind\":\"lev"; }
    auto more = ResultsWriter::open(s.dir, /*append=*/true);
    ASSERT_TRUE(more) << more.error().message;
    EXPECT_EQ(more->rows().size(), 1u);
    ASSERT_EQ(more->warnings().size(), 1u);
    EXPECT_THAT(more->warnings()[0], ::testing::HasSubstr("torn last line"));
    ASSERT_TRUE(more->append({{"kind", "level"}, {"scenario", "a"}, {"level", 50}}));
    EXPECT_EQ(slurp(s.dir / "results.jsonl"),
              "{\"kind\":\"level\",\"level\":20,\"scenario\":\"a\"}\n"
              "{\"kind\":\"level\",\"level\":50,\"scenario\":\"a\"}\n");
    EXPECT_EQ(slurp(s.dir / "results.csv"), "kind,level,scenario\nlevel,20,a\nlevel,50,a\n");
}

TEST(ResultsWriter, RunDirectoriesAreNeverShared) {
    Scratch s;
    auto a = create_unique_dir(s.dir, "20260101-000000-kamailio");
    auto b = create_unique_dir(s.dir, "20260101-000000-kamailio");
    ASSERT_TRUE(a && b);
    EXPECT_NE(*a, *b);
    EXPECT_EQ(b->filename(), "20260101-000000-kamailio-2");
}

TEST(ResultsWriter, InvalidUtf8IsReplacedNotThrown) {
    Scratch s;
    auto w = ResultsWriter::open(s.dir);
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->append({{"error", std::string("log tail \xff\xfe")}}));
    auto row = nlohmann::json::parse(slurp(s.dir / "results.jsonl"));
    EXPECT_EQ(row["error"], "log tail \xef\xbf\xbd\xef\xbf\xbd");
}

TEST(AtomicWrite, AFailureLeavesTheOldFileAndNoTemporary) {
    Scratch s;
    std::filesystem::create_directories(s.dir / "summary.md");  // a directory: rename fails
    auto r = write_file_atomically(s.dir / "summary.md", "new");
    ASSERT_FALSE(r);
    EXPECT_TRUE(leftovers(s.dir).empty());
    ASSERT_TRUE(write_file_atomically(s.dir / "other.md", "one"));
    ASSERT_TRUE(write_file_atomically(s.dir / "other.md", "two"));
    EXPECT_EQ(slurp(s.dir / "other.md"), "two");
    EXPECT_TRUE(leftovers(s.dir).empty());
}

TEST(LineFileTest, ALineIsWrittenWholeOrNotAtAll) {
    Scratch s;
    std::filesystem::create_directories(s.dir);
    auto f = LineFile::open(s.dir / "x.jsonl");
    ASSERT_TRUE(f);
    ASSERT_TRUE(f->append("{\"a\":1}", true));
    auto full = LineFile::open("/dev/full");
    ASSERT_TRUE(full);
    auto a = full->append(std::string(100000, 'x'), false);
    ASSERT_FALSE(a);
    EXPECT_THAT(a.error().message, ::testing::HasSubstr("/dev/full: No space left on device"));
    EXPECT_EQ(slurp(s.dir / "x.jsonl"), "{\"a\":1}\n");
}

TEST(ResultsWriter, AnUnwritableDirectoryIsAClearError) {
    auto w = ResultsWriter::open("/proc/pbxbench-cannot-exist/run");
    ASSERT_FALSE(w);
    EXPECT_THAT(w.error().message, ::testing::HasSubstr("/proc/pbxbench-cannot-exist/run"));
}

}  // namespace
}  // namespace pbxbench::harness
