#include "uac/method_load_json.hpp"

#include "base/distribution.hpp"

namespace pbxbench::uac {

nlohmann::json method_report_json(const MethodLoadReport& r) {
    std::vector<double> latency = r.latency_ms;
    // Objects even when empty, so readers can index them without a null check.
    nlohmann::json failures = nlohmann::json::object();
    for (const auto& [why, n] : r.failures) failures[why] = n;
    nlohmann::json counters = nlohmann::json::object();
    for (const auto& [name, n] : r.counters) counters[name] = n;
    return {{"sent", r.sent},
            {"ok", r.ok},
            {"failed", r.failed},
            {"failures", std::move(failures)},
            {"latency_ms", to_json(summarize(latency))},
            {"counters", std::move(counters)}};
}

nlohmann::json method_report_json(const MethodLoadReport& r, double active_s) {
    nlohmann::json j = method_report_json(r);
    j["rate_per_s"] = active_s > 0 ? static_cast<double>(r.sent) / active_s : 0.0;
    return j;
}

}  // namespace pbxbench::uac
