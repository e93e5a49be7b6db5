#pragma once
#include "base/error.hpp"

namespace CLI {
class App;
}

namespace pbxbench::cli {

// `pbxbench monitor --pid P ...`: samples process trees and a health endpoint, writing one
// JSON line per sample and a summary line last.
void add_monitor_command(CLI::App& app, ExitCode& result);

}  // namespace pbxbench::cli
