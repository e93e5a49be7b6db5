#pragma once
// The metric table (ccache's statistics table is the model): every figure the outputs share,
// once, with its id, labels, unit, how it is derived from a results row, and its compare
// threshold default and direction. The id is the key under the row's "metrics" object (the
// CSV column "metrics.<id>") and the --threshold name. The row writer, summary.md,
// report.html, `compare` and docs/results.md (checked by a unit test) all read this table, so
// adding a metric is one entry here.
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
    bytes_each,  // small per-item sizes (bytes per registered contact), printed in bytes
};

struct Metric {
    std::string_view id;           // e.g. "cpu_peak_percent"
    std::string_view alias;        // short name --threshold also accepts, e.g. "cpu_peak"
    std::string_view label;        // a column header, e.g. "CPU peak"
    std::string_view description;  // a sentence fragment, e.g. "SUT CPU, peak sample"
    Unit unit;
    Worse worse;
    RowKind kind;
    // How it is derived from a row (the raw figures, so old rows without "metrics" work too);
    // none when the row lacks what it needs.
    std::optional<double> (*extract)(const nlohmann::json& row);
    // compare's default threshold: relative (% of BASE) and/or absolute (in the base unit:
    // bytes, ms, pp, MOS); neither: shown, never judged.
    std::optional<double> default_relative_percent;
    std::optional<double> default_absolute;
};

// Every metric, in the order the outputs list them.
std::span<const Metric> metrics();

// By id or alias; nullptr if unknown.
const Metric* find_metric(std::string_view name);

// The value of every metric of `kind` derived from `row`: {id: number or null}, the row's
// "metrics" object.
nlohmann::json metrics_object(const nlohmann::json& row, RowKind kind);

// The unit in words, for tables: "% of one core", "%", "bytes", "ms", "MOS", ...
std::string_view unit_words(Unit unit);

// The unit as an axis or column heading shows it: "% of one core", "MB", "ms", "MOS".
std::string_view unit_short(Unit unit);

// "CPU avg (% of one core)": the label with the unit charts and headings show.
std::string label_with_unit(const Metric& metric);

// docs/results.md's metric table (Markdown), generated from the table.
std::string metrics_markdown();

// "12.3%", "45.6 MB", "12.3 ms", "4.20"; "n/a" for none.
std::string format_value(Unit unit, std::optional<double> value);

// A signed change in the unit's absolute terms: "+1.2 pp", "-3.0 MB", "+0.40 ms".
std::string format_delta(Unit unit, std::optional<double> delta);

// The suffix absolute thresholds of this unit are written with ("pp", "ms", "MB", "").
std::string_view threshold_suffix(Unit unit);

}  // namespace pbxbench::report
