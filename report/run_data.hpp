#pragma once
// The results of one `pbxbench run` as read back from disk (docs/results.md): its level and
// scaling rows and, on demand, the monitor samples of each level. Used by `compare` and
// `report`, which read results files and never link the harness.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace pbxbench::report {

struct RunData {
    std::filesystem::path dir;             // the run directory (holds samples/)
    std::filesystem::path results;         // its results.jsonl
    std::string label;                     // for people: the SUT version or the directory name
    nlohmann::json run;                    // the `run` metadata of the first row (null if none)
    std::vector<nlohmann::json> levels;    // "kind":"level" rows, file order
    std::vector<nlohmann::json> scalings;  // "kind":"scaling" rows, file order
    std::vector<std::string> warnings;     // e.g. a torn last line that was skipped
};

// Reads a run directory or a results.jsonl file. Fails, naming the file and line, when the
// path does not exist, a line is not a JSON object, or a row lacks kind/scenario/level.
// Unknown kinds are skipped (newer writers may add some). A last line cut short (no newline,
// not JSON: a crash or a full disk mid-write) is skipped with a warning.
Result<RunData> load_run(const std::filesystem::path& path);

// One monitor sample reduced to what the report plots; absent figures stay empty.
struct SamplePoint {
    double t_s = 0;
    std::optional<double> cpu_percent;  // SUT + sidecars total; none on the first tick
    std::optional<double> rss_bytes;
    std::optional<double> pss_bytes;
    std::optional<double> calls;  // active calls from the health endpoint
};

struct SampleSeries {
    std::filesystem::path file;       // relative to the run directory, e.g. samples/x-20.jsonl
    std::vector<SamplePoint> points;  // one per "type":"sample" line
    bool torn_last_line = false;      // a cut last line was skipped
};

// samples/<scenario>-<level>.jsonl of a run; fails if it is missing or has a broken line
// (other than a torn last one, which is skipped).
Result<SampleSeries> load_samples(const RunData& run, const std::string& scenario, int level);

// The number at a dotted path ("sut.cpu_percent.avg"), or none when a step is missing, null
// or not a number: rows from older or partial runs simply lack figures.
std::optional<double> number_at(const nlohmann::json& j, std::string_view dotted_path);

// The string at a dotted path, or "" likewise.
std::string string_at(const nlohmann::json& j, std::string_view dotted_path);

}  // namespace pbxbench::report
