#pragma once
#include "base/error.hpp"

namespace CLI {
class App;
}

namespace pbxbench::cli {

// `pbxbench uac`: a call batch; progress and summary as JSON lines.
void add_uac_command(CLI::App& app, ExitCode& result);

}  // namespace pbxbench::cli
