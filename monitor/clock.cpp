#include "monitor/clock.hpp"

#include <condition_variable>
#include <mutex>

namespace pbxbench::monitor {

namespace {

class RealClock final : public Clock {
  public:
    SteadyTime now() override { return std::chrono::steady_clock::now(); }

    std::int64_t unix_ms() override {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }

    bool sleep_until(SteadyTime deadline, std::stop_token stop) override {
        // Each sleeper gets its own mutex/condition so concurrent sleepers never contend.
        std::mutex m;
        std::condition_variable_any cv;
        std::unique_lock lock(m);
        cv.wait_until(lock, stop, deadline, [] { return false; });
        return !stop.stop_requested();
    }
};

}  // namespace

std::unique_ptr<Clock> make_real_clock() {
    return std::make_unique<RealClock>();
}

}  // namespace pbxbench::monitor
