#pragma once
// Service-level objectives of a capacity trial: `--slo failures<=0.1%,setup_p99<=500ms`. A
// trial passes when every one holds. The metrics live in one table (id, unit, description),
// read from a trial's level row (docs/results.md); defaults per search mode in docs/capacity.md.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace pbxbench::harness {

enum class SloOp { le, lt, ge, gt };

struct Slo {
    std::string name;  // a metric id of slo_metrics()
    SloOp op = SloOp::le;
    double limit = 0;          // in the metric's unit (ms, %, MOS, calls)
    bool percent = false;      // `failures` only: the limit is a share of attempted calls, in %
    std::string text() const;  // as written back: "failures<=0.1%"
};

struct SloMetric {
    std::string_view id;
    std::string_view unit;  // "ms", "%", "" (MOS), "calls or %"
    std::string_view description;
    bool needs_media;
};

// Every metric an SLO may name.
const std::vector<SloMetric>& slo_metrics();

// Parses a comma-separated list. Errors name the item and what was expected: an unknown metric
// (listing the known ones), an operator other than <=, <, >=, >, a limit that is not a number
// or has the wrong unit, a limit on the wrong side (`mos_p5<=4`).
Result<std::vector<Slo>> parse_slos(std::string_view text);

// `given` replaces the default of the same name; the others stay.
std::vector<Slo> merge_slos(std::vector<Slo> defaults, const std::vector<Slo>& given);

// An SLO on RTP (loss, MOS, jitter) with media off is a usage error.
Result<void> check_measurable(const std::vector<Slo>& slos, bool media);

struct SloCheck {
    Slo slo;
    std::optional<double> measured;  // null: not measured (counts as broken)
    bool ok = false;
};

// Each SLO against a trial's level row.
std::vector<SloCheck> evaluate_slos(const std::vector<Slo>& slos, const nlohmann::json& row);

// How many failed calls out of `calls` the failures SLO allows: the early-abort budget.
// nullopt when no SLO limits failures.
std::optional<std::uint64_t> failure_budget(const std::vector<Slo>& slos, std::uint64_t calls);

nlohmann::json to_json(const SloCheck& check);

}  // namespace pbxbench::harness
