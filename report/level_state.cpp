#include "report/level_state.hpp"

#include <array>
#include <utility>

#include <nlohmann/json.hpp>

#include "report/run_data.hpp"

namespace pbxbench::report {

namespace {

constexpr std::array<std::pair<LevelState, std::string_view>, 5> names{{
    {LevelState::ok, "ok"},
    {LevelState::calls_failed, "calls_failed"},
    {LevelState::interrupted, "interrupted"},
    {LevelState::sut_died, "sut_died"},
    {LevelState::error, "error"},
}};

}  // namespace

std::string_view to_string(LevelState state) {
    for (const auto& [s, name] : names)
        if (s == state) return name;
    return "error";
}

std::optional<LevelState> parse_level_state(std::string_view text) {
    for (const auto& [s, name] : names)
        if (name == text) return s;
    return std::nullopt;
}

std::string_view state_words(LevelState state) {
    switch (state) {
        case LevelState::ok:
            return "ok";
        case LevelState::calls_failed:
            return "calls failed";
        case LevelState::interrupted:
            return "interrupted";
        case LevelState::sut_died:
            return "SUT died";
        case LevelState::error:
            return "error";
    }
    return "error";
}

LevelState level_state(const nlohmann::json& row) {
    if (auto s = parse_level_state(string_at(row, "state"))) return *s;
    // Rows of older runs: "status" said ok or failed, "interrupted" was a flag beside it.
    if (row.is_object() && row.contains("interrupted") && row["interrupted"] == true)
        return LevelState::interrupted;
    if (string_at(row, "status") != "ok") return LevelState::error;
    if (number_at(row, "calls.failed").value_or(0) > 0) return LevelState::calls_failed;
    return LevelState::ok;
}

bool measured_in_full(const nlohmann::json& row) {
    return measured_in_full(level_state(row));
}

}  // namespace pbxbench::report
