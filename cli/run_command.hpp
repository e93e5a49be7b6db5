#pragma once
#include "base/error.hpp"

namespace CLI {
class App;
}

namespace pbxbench::cli {

// `pbxbench run`: the benchmark on a profile; results.jsonl, results.csv and summary.md.
void add_run_command(CLI::App& app, ExitCode& result);

}  // namespace pbxbench::cli
