#include "cli/commands.hpp"

#include <algorithm>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "base/edit_distance.hpp"
#include "cli/capacity_command.hpp"
#include "cli/compare_command.hpp"
#include "cli/monitor_command.hpp"
#include "cli/ping_command.hpp"
#include "cli/report_command.hpp"
#include "cli/run_command.hpp"
#include "cli/uac_command.hpp"
#include "cli/uas_command.hpp"

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

namespace {

// The known option closest to `word` when it is plausibly a slip (a third of its letters at
// most, or `word` with a unit tacked on, like --hold-s), else "".
std::string closest(const std::string& word, const std::vector<std::string>& known) {
    std::string best;
    std::size_t best_distance = 0;
    for (const auto& k : known) {
        const std::size_t d = word.starts_with(k + "-") ? 1 : edit_distance(word, k);
        if (best.empty() || d < best_distance) {
            best = k;
            best_distance = d;
        }
    }
    return best_distance <= std::max<std::size_t>(1, word.size() / 3) ? best : std::string{};
}

}  // namespace

std::string explain_parse_error(const std::string& what, const std::vector<std::string>& known) {
    // CLI11 reports an option given twice as "NAME: At Most 1 required but received N".
    const std::string twice = ": At Most 1 required but received ";
    if (const std::size_t at = what.find(twice); at != std::string::npos) {
        const std::string name = what.substr(0, at);
        const std::string times = what.substr(at + twice.size());
        return name + " is given " + times +
               " times: give it once (a later one would not replace the earlier one; for "
               "several values, separate them with commas in one " +
               name + ", e.g. --levels 20,50)";
    }
    // "The following argument(s) was/were not expected: 3 --hold-s": name the options that
    // do not exist and the one probably meant.
    const std::string extras = " not expected: ";
    const std::size_t at = what.find(extras);
    if (!what.starts_with("The following argument") || at == std::string::npos) return {};
    std::istringstream words(what.substr(at + extras.size()));
    std::string out;
    for (std::string word; words >> word;) {
        if (!word.starts_with("-")) continue;
        const std::string name = word.substr(0, word.find('='));
        const std::string hint = closest(name, known);
        out += (out.empty() ? "" : "; ") + ("unknown option " + name) +
               (hint.empty() ? "" : " (did you mean " + hint + "?)");
    }
    return out.empty() ? std::string{} : out + "; --help lists every option";
}

std::vector<std::string> visible_options(const CLI::App& app) {
    const auto parsed = app.get_subcommands();
    const CLI::App& from = parsed.empty() ? app : *parsed.front();
    std::vector<std::string> names;
    for (const CLI::Option* o : from.get_options()) {
        if (o->get_group().empty()) continue;
        for (const auto& l : o->get_lnames()) names.push_back("--" + l);
    }
    return names;
}

}  // namespace pbxbench::cli
