#pragma once
// Durations as people type them on a command line.
#include <chrono>
#include <string_view>

#include "base/error.hpp"

namespace pbxbench::monitor {

// Parses "100ms", "1s", "1.5s", "60s", "2m" or "1h"; a bare number is an error, because
// guessing the unit of a sampling interval is how a 1 s run becomes a 1 ms one.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace pbxbench::monitor
