#pragma once
// `pbxbench compare` on two `pbxbench capacity` results (capacity.jsonl): per scenario and
// search mode, the confirmed capacity of NEW against BASE. A drop beyond the threshold, or a
// capacity BASE confirmed and NEW did not, is a regression (docs/capacity.md).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace pbxbench::report {

// True when `path` is a capacity results directory or file (capacity.jsonl, no results.jsonl).
bool is_capacity_results(const std::filesystem::path& path);

// The `"kind":"capacity"` rows of a capacity results directory or capacity.jsonl; an error
// naming the file and line when it is missing or broken.
Result<std::vector<nlohmann::json>> load_capacity_rows(const std::filesystem::path& path);

struct CapacityChange {
    std::string scenario, find, unit;
    std::optional<double> base_value, new_value;  // confirmed values; none if not confirmed
    std::optional<double> change_percent;
    std::string new_stop_reason;
    bool regression = false;
    std::string verdict;  // "pass", "regression", "improved", "not_confirmed", "only in BASE/NEW"
};

// `drop_percent`: the largest drop that still passes (default 10).
std::vector<CapacityChange> compare_capacity(const std::vector<nlohmann::json>& base,
                                             const std::vector<nlohmann::json>& next,
                                             double drop_percent);

std::string render_capacity_table(const std::vector<CapacityChange>& changes, double drop_percent,
                                  bool markdown);
nlohmann::json render_capacity_json(const std::vector<CapacityChange>& changes,
                                    double drop_percent);

}  // namespace pbxbench::report
