#pragma once
// Durations as every subcommand takes them: "500ms", "3s", "1.5s", "2m", "1h", or a bare number
// of seconds. One rule for all options, so `--hold 3`, `--hold 3s` and `--ring-time 400ms` need
// no second look at the help to know the unit.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace pbxbench::args {

// The unit a duration field is stored in (the option's value always says its own).
enum class Unit { none, seconds, milliseconds };

inline double unit_seconds(Unit u) {
    return u == Unit::milliseconds ? 0.001 : 1.0;
}
inline std::string_view unit_suffix(Unit u) {
    return u == Unit::milliseconds ? "ms" : "s";
}

// Seconds in `text`, or nullopt when it is not a non-negative duration. `bare` is the unit of a
// number written without one: seconds, except for the old `-ms` spellings kept as aliases.
inline std::optional<double> parse_duration_seconds(std::string_view text,
                                                    Unit bare = Unit::seconds) {
    const std::string s(text);
    char* end = nullptr;
    const double value = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || !std::isfinite(value) || value < 0) return std::nullopt;
    const std::string_view unit(end, static_cast<std::size_t>(s.c_str() + s.size() - end));
    if (unit.empty()) return value * unit_seconds(bare);
    if (unit == "ms") return value / 1000;
    if (unit == "s") return value;
    if (unit == "m") return value * 60;
    if (unit == "h") return value * 3600;
    return std::nullopt;
}

// "500ms", "3s", "24h": a value in `unit` written back with a unit people read at a glance
// (a second or more of milliseconds in seconds, whole hours in hours); parses back exactly.
inline std::string format_duration(double value, Unit unit) {
    double seconds = value * unit_seconds(unit);
    std::string_view suffix = unit_suffix(unit);
    double shown = value;
    if (unit == Unit::milliseconds && value >= 1000) {
        shown = seconds;
        suffix = "s";
    }
    if (seconds >= 3600 && std::fmod(seconds, 3600) == 0) {
        shown = seconds / 3600;
        suffix = "h";
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.12g", shown);
    return std::string(buffer) + std::string(suffix);
}

}  // namespace pbxbench::args
