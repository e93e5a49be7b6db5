#pragma once
#include "base/error.hpp"

namespace CLI {
class App;
}

namespace pbxbench::cli {

// `pbxbench capacity`: the highest call rate or concurrent-call level a PBX sustains.
void add_capacity_command(CLI::App& app, ExitCode& result);

}  // namespace pbxbench::cli
