#pragma once
// The Asio driver of method loads (uac/method_load.hpp): each load gets its own UDP socket and
// transaction layer (a sip::Endpoint), all on one io_context, beside the call batch or alone.
// One timer wakes the loads when the earliest is due, at most once per tick.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "sip/endpoint.hpp"
#include "uac/method_load.hpp"

namespace pbxbench::uac {

struct MethodLoadRunnerOptions {
    sip::Address bind;  // port 0: a free port per load
    sip::TimerSettings timers;
    std::chrono::milliseconds tick{10};
    std::size_t receive_buffer_bytes = 4u << 20;
    // The loads run at least this long before they may stop.
    std::chrono::milliseconds min_duration{0};
    // After stop: how long un-REGISTERs and pings in flight may take before we give up.
    std::chrono::milliseconds grace{10'000};
};

class MethodLoadRunner {
  public:
    MethodLoadRunner(boost::asio::io_context& io, MethodLoadRunnerOptions options);
    ~MethodLoadRunner();

    // Opens the load's socket; errors name the address.
    Result<void> add(std::unique_ptr<MethodLoad> load);
    // Starts every load's schedule now; `on_finished` runs once all have wound down.
    void start(std::function<void()> on_finished);
    // The calls ended (or none run): stop once min_duration passed and every registering user
    // had an answer.
    void release();
    // Stop now (a signal): no new requests, wind down within the grace period.
    void stop();
    bool finished() const { return finished_; }

    std::vector<MethodLoadReport> reports() const;
    // {"register": {...}, "options": {...}}: docs/results.md "methods".
    nlohmann::json summary_json() const;
    // {"register": {"sent", "ok", "failed", ...counters}} for progress lines.
    nlohmann::json progress_json() const;
    // Requests that failed, over every load.
    std::uint64_t failed() const;

  private:
    struct Slot;
    void wake();
    void rearm();
    void poll();
    bool may_stop() const;
    void stop_loads();
    void finish();

    boost::asio::io_context& io_;
    MethodLoadRunnerOptions options_;
    std::vector<std::unique_ptr<Slot>> slots_;
    boost::asio::steady_timer timer_;
    boost::asio::steady_timer poll_timer_;
    sip::TimePoint armed_at_ = sip::TimePoint::max();
    sip::TimePoint last_wake_{};
    sip::TimePoint started_at_{};
    sip::TimePoint stopped_at_{};
    sip::TimePoint grace_from_{};
    bool released_ = false;
    bool stopping_ = false;
    bool finished_ = false;
    std::function<void()> on_finished_;
};

}  // namespace pbxbench::uac
