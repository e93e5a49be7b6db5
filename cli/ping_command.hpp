#pragma once
#include "base/error.hpp"

namespace CLI {
class App;
}

namespace pbxbench::cli {

// `pbxbench ping TARGET`: SIP OPTIONS pings, one JSON line per answer and a summary.
void add_ping_command(CLI::App& app, ExitCode& result);

}  // namespace pbxbench::cli
