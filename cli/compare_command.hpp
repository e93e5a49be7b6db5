#pragma once
#include "base/error.hpp"

namespace CLI {
class App;
}

namespace pbxbench::cli {

// `pbxbench compare BASE NEW`: regressions between two runs (docs/compare.md).
void add_compare_command(CLI::App& app, ExitCode& result);

}  // namespace pbxbench::cli
