#pragma once
// The figures `compare` judges and `report` tabulates: one table {id, description, ...}, where
// the id is the JSON key and the --threshold name (units in the id, as in results.jsonl).
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace pbxbench::report {

// Which way a change hurts.
enum class Worse { higher, lower };

// Where the figure comes from: a level row, or a scenario's scaling row.
enum class RowKind { level, scaling };

// How values and changes are printed, and which unit an absolute threshold is written in.
enum class Unit {
    cpu_percent,  // 100 = one core; absolute changes in percentage points (pp)
    percent,      // a share; absolute changes in pp
    bytes,        // printed in MB (10^6 bytes)
    ms,           // milliseconds
    score,        // a plain number (MOS)
    cpu_percent_per_call,
    mb_per_call,
};

struct Metric {
    std::string_view id;     // e.g. "cpu_peak_percent"
    std::string_view alias;  // short name --threshold also accepts, e.g. "cpu_peak"
    std::string_view description;
    Unit unit;
    Worse worse;
    RowKind kind;
    std::optional<double> (*extract)(const nlohmann::json& row);
};

// Every metric, in the order the outputs list them.
std::span<const Metric> metrics();

// By id or alias; nullptr if unknown.
const Metric* find_metric(std::string_view name);

// "12.3%", "45.6 MB", "12.3 ms", "4.20"; "n/a" for none.
std::string format_value(Unit unit, std::optional<double> value);

// A signed change in the unit's absolute terms: "+1.2 pp", "-3.0 MB", "+0.40 ms".
std::string format_delta(Unit unit, std::optional<double> delta);

// The suffix absolute thresholds of this unit are written with ("pp", "ms", "MB", "").
std::string_view threshold_suffix(Unit unit);

}  // namespace pbxbench::report
