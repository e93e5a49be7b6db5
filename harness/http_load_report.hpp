#pragma once
// summary.md's "Management API load" section, from the level rows alone: each stream's rate
// asked and achieved, latency, statuses and failures, and the call setup latency of a level
// with API load beside the same level without it.
#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

namespace pbxbench::harness {

// Writes nothing when no row carries `http_load`.
void http_load_section(std::ostream& out, const std::vector<const nlohmann::json*>& rows);

}  // namespace pbxbench::harness
