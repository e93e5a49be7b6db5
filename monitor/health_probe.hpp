#pragma once
// Polls the PBX's health endpoint and reads the concurrent-call count out of the reply.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "monitor/http_client.hpp"
#include "monitor/sample.hpp"

namespace pbxbench::monitor {

struct HealthConfig {
    HttpRequest request;
    // Where the call count is: a JSON pointer into a JSON reply (e.g. "/result/all") ...
    std::string calls_pointer;
    // ... or a metric name in Prometheus text exposition (summed over its label sets).
    std::string calls_metric;
    // Optional JSON field that must equal ok_value (strings compare by content, other values by
    // their JSON text, so "true" matches true) for the endpoint to count as healthy.
    std::string ok_pointer;
    std::string ok_value = "true";
};

// Checks what can be checked before polling: JSON pointer syntax, one call source at most.
Result<void> validate(const HealthConfig& config);

// The sum of every sample of metric `name` (any labels) in Prometheus text; an error if absent.
// Summing makes a metric split by label (per worker, per direction) read as one total.
Result<double> prometheus_value(std::string_view text, std::string_view name);

// The number at JSON pointer `pointer` in `text` (a numeric string is accepted too).
Result<double> json_number_at(std::string_view text, const std::string& pointer);

// Classifies one reply. Healthy means a 2xx status and, if configured, the ok field matching;
// a 2xx reply whose call count cannot be read is healthy but counted as unparsable.
HealthResult interpret(const HealthConfig& config, const HttpReply& reply);

// One configured endpoint with its client; poll() blocks at most about the request timeout.
class HealthProbe {
  public:
    HealthProbe(HealthConfig config, std::unique_ptr<HttpClient> client)
        : config_(std::move(config)), client_(std::move(client)) {}

    // Performs one poll; `t_s` is stamped into the result.
    HealthResult poll(double t_s);

  private:
    HealthConfig config_;
    std::unique_ptr<HttpClient> client_;
};

}  // namespace pbxbench::monitor
