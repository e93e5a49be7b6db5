#pragma once
// summary.md's "Method loads" section: one line per method and level, and a combined line.
#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

namespace pbxbench::harness {

// Nothing when no row has `methods`.
void methods_section(std::ostream& out, const std::vector<const nlohmann::json*>& rows);

}  // namespace pbxbench::harness
