#pragma once
// Cross-field rules of a profile that one table cannot check alone (internal to the harness):
// unique names, references between scenarios, sidecars and setup steps, commands on PATH,
// and every ${VAR} defined for every scenario that uses it. Every broken rule is added to
// `errors`; checking goes on.
#include "harness/profile.hpp"
#include "harness/toml_reader.hpp"

namespace pbxbench::harness::detail {

void check_profile(const Profile& profile, ProfileErrors& errors);

// The variables known to `scenario` before a run assigns their values: the built-ins, the
// profile's [vars] and the scenario's vars (later ones win).
Variables declared_variables(const Profile& profile, const ScenarioSpec& scenario);

}  // namespace pbxbench::harness::detail
