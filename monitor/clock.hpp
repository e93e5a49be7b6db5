#pragma once
// The seam to time: the runner's schedule is tested with a fake clock that never sleeps.
#include <chrono>
#include <cstdint>
#include <memory>
#include <stop_token>

namespace pbxbench::monitor {

using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
  public:
    virtual ~Clock() = default;
    virtual SteadyTime now() = 0;
    // Wall-clock time for timestamps, Unix epoch milliseconds.
    virtual std::int64_t unix_ms() = 0;
    // Sleeps until `deadline`; returns false early if `stop` is requested. Thread-safe.
    virtual bool sleep_until(SteadyTime deadline, std::stop_token stop) = 0;
};

// steady_clock and system_clock; sleeping wakes at once on a stop request.
std::unique_ptr<Clock> make_real_clock();

}  // namespace pbxbench::monitor
