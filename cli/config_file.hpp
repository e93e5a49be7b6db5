#pragma once
// `--config FILE` for `pbxbench uac` and `pbxbench uas`: the file (JSON, keys = option names
// with underscores, as the harness writes it) is read first; options given on the command
// line override it.
#include <string>

#include <nlohmann/json.hpp>

namespace CLI {
class App;
}

namespace pbxbench::cli {

// The options of `file` with those given on `cmd`'s command line put over them (their values
// taken from `command_line`, the args struct as CLI11 filled it, in JSON). Throws
// Fatal(usage) naming the file if it cannot be read or parsed.
nlohmann::json merge_config_file(const CLI::App& cmd, const std::string& file,
                                 const nlohmann::json& command_line);

}  // namespace pbxbench::cli
