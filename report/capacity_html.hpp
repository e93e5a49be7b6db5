#pragma once
// report.html of `pbxbench capacity`: per scenario the result and, against the offered rate or
// level, setup latency p50/p99 and SUT CPU avg/peak per trial, so the knee is visible.
// Self-contained (inline SVG from svg_chart.hpp), built from capacity.jsonl's rows alone.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace pbxbench::report {

std::string render_capacity_html(const std::vector<nlohmann::json>& rows);

Result<void> write_capacity_html(const std::vector<nlohmann::json>& rows,
                                 const std::filesystem::path& out);

}  // namespace pbxbench::report
