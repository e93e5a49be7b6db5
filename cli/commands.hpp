#pragma once
#include "base/error.hpp"

namespace CLI {
class App;
}

namespace pbxbench::cli {

// Registers every subcommand on `app`; the one that runs stores its exit code in `result`.
void add_commands(CLI::App& app, ExitCode& result);

}  // namespace pbxbench::cli
