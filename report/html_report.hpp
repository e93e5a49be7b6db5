#pragma once
// `pbxbench report`: one self-contained report.html (inline CSS and SVG, no script, no
// fetches) from one or more run directories. Contents: docs/report.md.
#include <filesystem>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "report/run_data.hpp"

namespace pbxbench::report {

struct ReportOptions {
    // Levels not measured in full (report/level_state.hpp) are always marked and never fitted;
    // the overview charts and tables leave them out unless this is set.
    bool include_partial = false;
};

// The page for runs already loaded; a run's missing samples file shows as "no data".
std::string render_report(const std::vector<RunData>& runs, const ReportOptions& options = {});

// Loads each run directory (or results.jsonl) and writes the page to `out` (through a
// temporary file and a rename, so a reader never sees half a page). Fails naming the input
// that could not be read or the file that could not be written.
Result<void> write_report(const std::vector<std::filesystem::path>& runs,
                          const std::filesystem::path& out);

// The same for runs already loaded; fails only when `out` cannot be written.
Result<void> write_report(const std::vector<RunData>& runs, const std::filesystem::path& out,
                          const ReportOptions& options = {});

}  // namespace pbxbench::report
