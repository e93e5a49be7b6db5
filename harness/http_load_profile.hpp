#pragma once
// Reading and checking the profile's management-API load (internal to the harness):
// `[[http_load]]` entries, the scenario keys `http_load` and `http_load_baseline`, and the
// cross-field rules (unique names, known baselines, every ${VAR} defined). Errors throw
// detail::ProfileError with the file, line:column and field, like the rest of the profile.
#include <vector>

#include "harness/profile.hpp"
#include "harness/toml_reader.hpp"

namespace pbxbench::harness::detail {

// One [[http_load]] table.
HttpLoadEntrySpec read_http_load_entry(TableReader t);

// A scenario's `http_load` (names of entries, each defined in `entries`) and
// `http_load_baseline` (checked by check_http_load once every scenario is read).
void read_scenario_http_load(TableReader& t, ScenarioSpec& scenario,
                             const std::vector<HttpLoadEntrySpec>& entries);

// Unique entry names, baselines naming another scenario, and every ${VAR} of an entry defined
// for each scenario that uses it.
void check_http_load(const Profile& profile);

}  // namespace pbxbench::harness::detail
