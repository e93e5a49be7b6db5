#pragma once
// When a change counts as a regression: per metric, a relative and/or an absolute limit in
// the metric's worse direction. With both, both must be exceeded (so a 0.3 ms move on a 2 ms
// setup time does not fail a build). Defaults and syntax: docs/compare.md.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "report/metrics.hpp"

namespace pbxbench::report {

struct Threshold {
    std::optional<double> relative_percent;  // e.g. 10: worse by more than 10% of the base
    std::optional<double> absolute;          // in the metric's base unit (bytes, ms, pp, MOS)
    // false: the metric is shown, never judged ("off")
    bool enabled() const { return relative_percent.has_value() || absolute.has_value(); }
};

// Keyed by metric id; every metric of metrics() has an entry.
using Thresholds = std::map<std::string, Threshold, std::less<>>;

Thresholds default_thresholds();

// Applies "NAME=LIMIT[,LIMIT]" where NAME is a metric id or alias and LIMIT is "+10%" (relative)
// or an absolute amount in the metric's unit ("+2ms", "+0.5pp", "-0.1", "+20MB"), or "off".
// The sign, if given, must be the metric's worse direction. Replaces the metric's limits.
Result<void> apply_threshold(Thresholds& thresholds, std::string_view spec);

// One spec per line as above; blank lines and "#" comments are ignored. Errors name the line.
Result<void> apply_threshold_file(Thresholds& thresholds, const std::filesystem::path& file);

// "+10% and +2.00 ms", "-0.10", "off": the limit in words, signed in the worse direction.
std::string describe(const Metric& metric, const Threshold& threshold);

}  // namespace pbxbench::report
