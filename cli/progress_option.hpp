#pragma once
// --progress=auto|plain|none, shared by `pbxbench run` and `pbxbench capacity`.
#include <CLI/CLI.hpp>

#include "harness/progress_mode.hpp"

namespace pbxbench::cli {

CLI::Option* add_progress_option(CLI::App& cmd, harness::ProgressMode& mode);

}  // namespace pbxbench::cli
