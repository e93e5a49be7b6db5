#pragma once
// A MethodLoadReport as the `methods.<method>` object of `pbxbench uac`'s summary.
#include <nlohmann/json.hpp>

#include "uac/method_load.hpp"

namespace pbxbench::uac {

// {sent, ok, failed, failures {why: n}, latency_ms {count, mean, min, p50, p90, p95, p99, max},
// counters {name: n}}; latency from the raw per-request values by nearest rank.
nlohmann::json method_report_json(const MethodLoadReport& r);
// The same with `rate_per_s`: requests started per second over `active_s`.
nlohmann::json method_report_json(const MethodLoadReport& r, double active_s);

}  // namespace pbxbench::uac
