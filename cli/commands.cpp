#include "cli/commands.hpp"

#include <CLI/CLI.hpp>

#include "cli/capacity_command.hpp"
#include "cli/compare_command.hpp"
#include "cli/monitor_command.hpp"
#include "cli/ping_command.hpp"
#include "cli/report_command.hpp"
#include "cli/run_command.hpp"
#include "cli/uas_command.hpp"
#include "cli/uac_command.hpp"

namespace pbxbench::cli {

void add_commands(CLI::App& app, ExitCode& result) {
    add_ping_command(app, result);
    add_monitor_command(app, result);
    add_uas_command(app, result);
    add_uac_command(app, result);
    add_run_command(app, result);
    add_capacity_command(app, result);
    add_compare_command(app, result);
    add_report_command(app, result);
}

}  // namespace pbxbench::cli
