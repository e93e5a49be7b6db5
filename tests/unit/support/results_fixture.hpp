#pragma once
// Synthetic results rows (docs/results.md) for the compare and report tests, and a temporary
// run directory to write them into.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pbxbench::test {

inline nlohmann::json run_metadata() {
    return {{"pbxbench_version", "0.1.0"},
            {"profile", "kamailio"},
            {"profile_sha256", std::string(64, 'a')},
            {"sut_version", "kamailio 5.6.3"},
            {"hostname", "bench1"},
            {"cpu_model", "Test CPU"},
            {"cores", 2},
            {"kernel", "Linux 6.1 x86_64"},
            {"pinning", "none (SUT and generator share the machine)"},
            {"started_at", "2024-01-01T00:00:00Z"}};
}

// A level row as `pbxbench run` writes it, with the figures compare reads.
inline nlohmann::json level_row(const std::string& scenario, int level, double cpu_avg = 40,
                                double setup_p95_ms = 20) {
    using nlohmann::json;
    return {
        {"kind", "level"},
        {"schema_version", 1},
        {"run", run_metadata()},
        {"scenario", scenario},
        {"level", level},
        {"config", {{"cps", 50}, {"hold_s", 3}, {"uas_count", 1}, {"monitor_interval_ms", 500}}},
        {"status", "ok"},
        {"error", nullptr},
        {"interrupted", false},
        {"calls", {{"attempted", level}, {"completed", level}, {"failed", 0}}},
        {"latency",
         {{"setup_ms",
           {{"count", level},
            {"min", 1.0},
            {"p50", setup_p95_ms / 2},
            {"p90", setup_p95_ms * 0.9},
            {"p95", setup_p95_ms},
            {"p99", setup_p95_ms * 1.2},
            {"max", setup_p95_ms * 1.5}}}}},
        {"sut",
         {{"cpu_percent",
           {{"avg", cpu_avg},
            {"p95", cpu_avg * 1.3},
            {"peak", cpu_avg * 1.5},
            {"full_load_avg", cpu_avg * 1.1}}},
          {"rss_bytes", {{"avg", 90e6}, {"peak", 100e6}}},
          {"pss_bytes", {{"avg", 40e6}, {"peak", 50e6}}},
          {"samples", 12}}},
        {"concurrency", {{"peak", level}, {"avg", level * 0.8}}},
        {"media", nullptr}};
}

inline nlohmann::json scaling_row(const std::string& scenario, double cpu_slope) {
    return {{"kind", "scaling"},
            {"schema_version", 1},
            {"run", run_metadata()},
            {"scenario", scenario},
            {"levels", {20, 50}},
            {"scaling",
             {{"method", "least squares over 2 levels"},
              {"cpu_percent_fit",
               {{"intercept", 1.0},
                {"slope", cpu_slope},
                {"r_squared", 1.0},
                {"points", {{20, 1.0 + 20 * cpu_slope}, {50, 1.0 + 50 * cpu_slope}}}}},
              {"memory_mb_fit",
               {{"intercept", 30.0},
                {"slope", 0.1},
                {"r_squared", 0.9},
                {"points", {{20, 32.0}, {50, 35.0}}}}},
              {"cpu_percent_per_call", cpu_slope},
              {"memory_mb_per_call", 0.1}}}};
}

// A fresh directory under /tmp, removed with the object.
class TempDir {
  public:
    TempDir() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "pbxbench-test-XXXXXX").string();
        path_ = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

    // Writes `lines` (one per line) to a file under the directory, creating parents.
    std::filesystem::path write(const std::string& relative,
                                const std::vector<std::string>& lines) const {
        auto file = path_ / relative;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream out(file, std::ios::trunc);
        for (const auto& l : lines) out << l << "\n";
        return file;
    }

  private:
    std::filesystem::path path_;
};

}  // namespace pbxbench::test
