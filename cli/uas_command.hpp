#pragma once
#include "base/error.hpp"

namespace CLI {
class App;
}

namespace pbxbench::cli {

// `pbxbench uas`: N registered (or plain) echo endpoints answering calls; JSON lines
// (registered, ready, stats, summary) on stdout, progress on stderr.
void add_uas_command(CLI::App& app, ExitCode& result);

}  // namespace pbxbench::cli
