#include "cli/commands.hpp"

#include <CLI/CLI.hpp>

#include "cli/ping_command.hpp"

namespace pbxbench::cli {

void add_commands(CLI::App& app, ExitCode& result) {
    add_ping_command(app, result);
}

}  // namespace pbxbench::cli
