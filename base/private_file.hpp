#pragma once
// Files that may hold secrets (the config files the harness hands `pbxbench uac` and
// `pbxbench uas`, with passwords): created fresh, readable by their owner only.
#include <filesystem>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace pbxbench {

// Writes `text` to `path`, created with mode 0600 by open(O_CREAT|O_EXCL): never through a
// link someone planted, never briefly readable by others. An existing file is replaced.
Result<void> write_private_file(const std::filesystem::path& path, std::string_view text);

// Reads and parses a JSON file; errors name the file and the parse error's position.
Result<nlohmann::json> read_json_file(const std::filesystem::path& path);

}  // namespace pbxbench
