#pragma once
#include "base/error.hpp"

namespace CLI {
class App;
}

namespace pbxbench::cli {

// `pbxbench report RUN_DIR...`: a self-contained report.html (docs/report.md).
void add_report_command(CLI::App& app, ExitCode& result);

}  // namespace pbxbench::cli
