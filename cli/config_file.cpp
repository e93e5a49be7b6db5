#include "cli/config_file.hpp"

#include <map>

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
    // The config keys of each option's old spellings: a value given on the command line
    // replaces the file's under any of them, or reading would see the same option twice.
    std::multimap<std::string, std::string> old_keys;
    for (const CLI::Option* o : cmd.get_options()) {
        const std::string& description = o->get_description();
        if (!description.starts_with(args::renamed_to)) continue;
        const std::string now = args::arg_key(description.substr(args::renamed_to.size()));
        for (const auto& l : o->get_lnames()) old_keys.emplace(now, args::arg_key("--" + l));
    }
    for (const CLI::Option* o : cmd.get_options()) {
        if (o->count() == 0) continue;
        // An old spelling's value belongs to the key of the name it was renamed to.
        const std::string& description = o->get_description();
        std::string key;
        if (description.starts_with(args::renamed_to))
            key = args::arg_key(description.substr(args::renamed_to.size()));
        else if (!o->get_lnames().empty())
            key = args::arg_key("--" + o->get_lnames().back());
        if (key.empty() || !command_line.contains(key)) continue;
        merged[key] = command_line[key];
        auto [first, last] = old_keys.equal_range(key);
        for (auto it = first; it != last; ++it) merged.erase(it->second);
    }
    return merged;
}

}  // namespace pbxbench::cli
