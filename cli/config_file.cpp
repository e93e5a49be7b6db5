#include "cli/config_file.hpp"

#include <CLI/CLI.hpp>

#include "base/arg_spec.hpp"
#include "base/private_file.hpp"

namespace pbxbench::cli {

nlohmann::json merge_config_file(const CLI::App& cmd, const std::string& file,
                                 const nlohmann::json& command_line) {
    auto loaded = read_json_file(file);
    if (!loaded) throw Fatal("--config: " + loaded.error().message, ExitCode::usage);
    nlohmann::json merged = std::move(*loaded);
    if (!merged.is_object())
        throw Fatal("--config " + file + ": expected a JSON object of options", ExitCode::usage);
    for (const CLI::Option* o : cmd.get_options()) {
        if (o->count() == 0 || o->get_lnames().empty()) continue;
        const std::string key = args::arg_key("--" + o->get_lnames().back());
        if (command_line.contains(key)) merged[key] = command_line[key];
    }
    return merged;
}

}  // namespace pbxbench::cli
