#pragma once
// report.html's management-API chart: latency p50/p95/p99 of every API load stream per level.
#include <string>

#include "report/run_data.hpp"

namespace pbxbench::report {

// A bar chart and its caption; "" when no level of `run` carried management-API load.
std::string http_load_html_section(const RunData& run);

}  // namespace pbxbench::report
