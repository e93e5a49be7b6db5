#pragma once
// Drives HttpLoadSpec streams with libcurl's multi interface on a thread of its own: every
// request leaves at its due time (open loop), many are in flight at once, each is bounded by
// its timeout, and stop() aborts what is still in flight, so the load never holds up the level
// it runs beside.
#include <chrono>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "monitor/http_load.hpp"

namespace pbxbench::monitor {

class HttpLoadDriver {
  public:
    // The specs must pass validate().
    explicit HttpLoadDriver(std::vector<HttpLoadSpec> specs);
    ~HttpLoadDriver();  // stops, as stop() does
    HttpLoadDriver(const HttpLoadDriver&) = delete;
    HttpLoadDriver& operator=(const HttpLoadDriver&) = delete;

    // Starts every stream now (request 0 of each is due at once). Once only.
    void start();

    // True once every stream's schedule is over and its last request answered or failed
    // (never for a stream without a count or time bound).
    bool finished() const;

    // Blocks until finished() or `limit` passed; returns finished().
    bool wait_finished(std::chrono::milliseconds limit) const;

    // Stops sending, aborts the requests still in flight (each counted as cancelled_at_stop)
    // and returns {name: results object} (HttpLoadTally::to_json). Returns within
    // milliseconds whatever the server does. Idempotent: later calls return the same object.
    nlohmann::json stop();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace pbxbench::monitor
