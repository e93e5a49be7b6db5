#pragma once
// How far a level's measurement can be trusted, as every output says it: the row's "state"
// (docs/results.md). Only an "ok" level is a full measurement; the others are marked in
// summary.md and report.html, left out of fits and overview charts, and not used by compare.
#include <optional>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace pbxbench::report {

enum class LevelState {
    ok,            // every call completed, nothing went wrong
    calls_failed,  // the level ran to its end, but some calls (or all) failed
    interrupted,   // SIGINT/SIGTERM cut it short: its figures cover less than the plan
    sut_died,      // the SUT or a sidecar exited while calls were placed
    error,         // it could not be measured (setup, readiness, registration, generator, disk)
};

// The JSON value: "ok", "calls_failed", "interrupted", "sut_died", "error".
std::string_view to_string(LevelState state);
std::optional<LevelState> parse_level_state(std::string_view text);

// For people: "ok", "calls failed", "interrupted", "SUT died", "error".
std::string_view state_words(LevelState state);

// A level row's state: its "state" field, or for rows written before it existed, derived from
// "status", "interrupted" and "calls.failed".
LevelState level_state(const nlohmann::json& row);

// Whether the row is a full measurement (state ok), fit to use in fits, charts and compare.
inline bool measured_in_full(LevelState state) {
    return state == LevelState::ok;
}
bool measured_in_full(const nlohmann::json& row);

}  // namespace pbxbench::report
