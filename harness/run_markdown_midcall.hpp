#pragma once
// summary.md's "Mid-call flows" section: holds and resumes by re-INVITE per level (outcomes,
// 491 retries, latency), written only when some level used them.
#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

namespace pbxbench::harness {

void midcall_section(std::ostream& out, const std::vector<const nlohmann::json*>& rows);

}  // namespace pbxbench::harness
