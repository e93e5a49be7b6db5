#include "uac/method_load_json.hpp"

#include "base/distribution.hpp"

namespace pbxbench::uac {

nlohmann::json method_report_json(const MethodLoadReport& r) {
    std::vector<double> latency = r.latency_ms;
    return {{"sent", r.sent},
            {"ok", r.ok},
            {"failed", r.failed},
            {"failures", r.failures},
            {"latency_ms", to_json(summarize(latency))},
            {"counters", r.counters}};
}

}  // namespace pbxbench::uac
