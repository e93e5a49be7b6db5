#include "cli/commands.hpp"

#include <string>

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
    // In the order people need them: a run first, then how far the PBX goes and whether a
    // build got worse; the pieces `run` drives come after, for when you drive them yourself.
    add_run_command(app, result);
    add_capacity_command(app, result);
    add_compare_command(app, result);
    add_report_command(app, result);
    add_uac_command(app, result);
    add_uas_command(app, result);
    add_monitor_command(app, result);
    add_ping_command(app, result);
    app.footer(first_run_hint());
}

std::string first_run_hint() {
    return "Start here (about 1 minute: a real Kamailio on loopback, 4 scenarios x 2 levels):\n"
           "  pbxbench run --profile profiles/kamailio.toml --quick\n"
           "Add --dry-run to see the plan and its expected duration without starting anything.\n"
           "Then: pbxbench capacity --profile profiles/kamailio.toml (how far it goes), "
           "pbxbench compare OLD NEW (did it get worse). Each command takes --help.";
}

std::string explain_parse_error(const std::string& what) {
    // CLI11 reports an option given twice as "NAME: At Most 1 required but received N".
    const std::string marker = ": At Most 1 required but received ";
    const std::size_t at = what.find(marker);
    if (at == std::string::npos) return {};
    const std::string name = what.substr(0, at);
    const std::string times = what.substr(at + marker.size());
    return name + " is given " + times +
           " times: give it once (a later one would not replace the earlier one; for several "
           "values, separate them with commas in one " +
           name + ", e.g. --levels 20,50)";
}

}  // namespace pbxbench::cli
