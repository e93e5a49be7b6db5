#pragma once
#include <string>
#include <vector>

#include "base/error.hpp"

namespace CLI {
class App;
}

namespace pbxbench::cli {

// Registers every subcommand on `app`; the one that runs stores its exit code in `result`.
void add_commands(CLI::App& app, ExitCode& result);

// The lines `pbxbench --help` ends with: the command to run first and what it costs.
std::string first_run_hint();

// A clearer message for a CLI11 parse error that would confuse (what to type instead), or ""
// to keep CLI11's own. `what` is the error's text, e.g. "--levels: At Most 1 required but
// received 2"; `known` are the options of the subcommand being parsed, for did-you-mean.
std::string explain_parse_error(const std::string& what,
                                const std::vector<std::string>& known = {});

// The visible long options of the subcommand `app` was parsing (or of `app` itself).
std::vector<std::string> visible_options(const CLI::App& app);

}  // namespace pbxbench::cli
