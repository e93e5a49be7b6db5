#pragma once
// `pbxbench compare`: BASE and NEW runs matched by scenario and level, every metric judged
// against its threshold and, when both sides were repeated, against run-to-run spread
// (Welch's t-test). Rules: docs/compare.md.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "report/metrics.hpp"
#include "report/run_data.hpp"
#include "report/thresholds.hpp"

namespace pbxbench::report {

enum class Verdict {
    pass,             // within the threshold
    regression,       // worse beyond the threshold (and significant, when testable)
    not_significant,  // worse beyond the threshold, but within run-to-run spread (p >= alpha)
    improved,         // better beyond the threshold
    not_judged,       // threshold off
    not_available,    // the figure is missing on one side
};

std::string_view to_string(Verdict v);

inline constexpr double significance_alpha = 0.05;

struct MetricComparison {
    const Metric* metric = nullptr;
    std::vector<double> base_values;  // one per repeat that had the figure
    std::vector<double> new_values;
    std::optional<double> base_mean, new_mean;
    std::optional<double> delta;             // new - base, in the metric's unit
    std::optional<double> relative_percent;  // delta / |base|; none when base is 0
    std::optional<double> p_value;           // Welch's two-sided p, with >= 2 repeats per side
    Verdict verdict = Verdict::not_available;
    std::string threshold;  // the limit in words
};

// One scenario at one level (or its scaling row, level none) present on both sides.
struct GroupComparison {
    std::string scenario;
    std::optional<int> level;
    int base_repeats = 0;
    int new_repeats = 0;
    std::string method;              // "Welch's t-test ..." or "thresholds only ..."
    std::vector<std::string> notes;  // levels not measured in full and the like
    // Levels are compared only where both sides have a repeat measured in full (state ok);
    // the others are left out of the metrics (and noted). false: nothing to compare, `skipped`
    // says why (a failed or interrupted BASE is never compared against).
    bool compared = true;
    std::string skipped;
    bool failed_in_new = false;  // a level ok in BASE failed in NEW: a regression by itself
    std::vector<MetricComparison> metrics;
};

struct Comparison {
    std::vector<std::string> base_sources, new_sources;  // the files read
    std::vector<GroupComparison> groups;
    std::vector<std::string> only_in_base, only_in_new;  // "scenario@level" / "scenario (scaling)"
    std::vector<std::string> not_compared;               // "scenario@level: why"
    std::vector<std::string> warnings;                   // metadata mismatches
    int regressions() const;  // metric regressions plus levels that failed only in NEW
};

// Several runs per side are repeats of each other (as are several rows with the same scenario
// and level in one run).
Comparison compare_runs(const std::vector<RunData>& base, const std::vector<RunData>& next,
                        const Thresholds& thresholds);

// "scenario@level" or "scenario (scaling)".
std::string group_name(const std::string& scenario, std::optional<int> level);

// Output formats (compare_format.cpp).
std::string render_table(const Comparison& c);
std::string render_markdown(const Comparison& c);
nlohmann::json render_json(const Comparison& c);
// The loud block for stderr; empty when the runs are comparable.
std::string render_warnings(const Comparison& c);

}  // namespace pbxbench::report
