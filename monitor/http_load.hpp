#pragma once
// Load on the PBX's management API while calls run (a dashboard polling it): the sans-IO half.
// An open-loop schedule (request i is due at i/rate seconds after the start, whether or not
// earlier ones were answered) and the tally of what happened to each request. The libcurl
// driver (http_load_driver.hpp) feeds both from its own thread.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "monitor/http_client.hpp"

namespace pbxbench::monitor {

// One stream of requests. `request.timeout` bounds each request, connect included.
struct HttpLoadSpec {
    std::string name;  // the key of its results ([A-Za-z0-9_-]+)
    HttpRequest request;
    double rate_per_s = 1;
    std::uint64_t max_requests = 0;             // 0: no count bound
    std::chrono::milliseconds max_duration{0};  // 0: until stopped
    // Requests in flight at once; a request due while this many are in flight is not sent
    // (counted as dropped), so a PBX that stops answering cannot pile up sockets without end.
    // 0: rate x timeout + 1, enough for every request to time out without a drop.
    std::size_t max_in_flight = 0;
};

// A request that started this late after its due time counts as a late start: the generator
// (its thread, the machine) fell behind the schedule.
inline constexpr double late_start_ms = 10.0;

// Checks a spec before anything is sent: a name, an http(s) URL, a rate, a timeout.
Result<void> validate(const HttpLoadSpec& spec);

// The in-flight bound the driver applies (max_in_flight, or the derived default).
std::size_t effective_max_in_flight(const HttpLoadSpec& spec);

// Request i is due at i / rate seconds after the start; the schedule ends at the count bound or
// with the first request due at or past the time bound.
class OpenLoopSchedule {
  public:
    explicit OpenLoopSchedule(const HttpLoadSpec& spec);

    std::uint64_t next() const { return next_; }
    double due_s(std::uint64_t i) const { return static_cast<double>(i) / rate_per_s_; }
    // True when request next() exists and is due at `now_s`.
    bool due(double now_s) const { return !exhausted() && due_s(next_) <= now_s; }
    // Seconds from `now_s` until next() is due (0 when due); none when the schedule is over.
    std::optional<double> wait_s(double now_s) const;
    // next() was handled (sent or dropped).
    void advance() { ++next_; }
    // No request remains: the count or time bound has been reached.
    bool exhausted() const;
    // When sending ends: the time bound, or the slot after the last counted request; none when
    // unbounded (it ends when stopped).
    std::optional<double> end_s() const;

  private:
    double rate_per_s_;
    std::uint64_t max_requests_;
    double max_duration_s_;
    std::uint64_t next_ = 0;
};

// How a request failed below HTTP.
enum class HttpLoadError { connect_refused, timeout, other };

// What happened to every request of one stream.
class HttpLoadTally {
  public:
    // A request went out `lag_ms` after its due time.
    void sent(double lag_ms);
    // A due request was not sent: max_in_flight requests were still in flight.
    void dropped() { ++dropped_; }
    void answered(long status, double latency_ms);
    void failed(HttpLoadError kind, const std::string& message);
    // Still in flight when the load was stopped (before its timeout); aborted, not an error.
    void cancelled() { ++cancelled_; }

    std::uint64_t sent_count() const { return sent_; }
    std::uint64_t answered_count() const { return answered_; }
    std::uint64_t dropped_count() const { return dropped_; }
    std::uint64_t cancelled_count() const { return cancelled_; }
    std::uint64_t late_starts() const { return late_starts_; }
    std::uint64_t errors(HttpLoadError kind) const;
    const std::map<long, std::uint64_t>& status_codes() const { return status_codes_; }
    const std::vector<double>& latencies_ms() const { return latencies_ms_; }

    // The results object of one stream (docs/results.md, "http_load"); `duration_s` is how
    // long it sent (rates are per second of it).
    nlohmann::json to_json(const HttpLoadSpec& spec, double duration_s) const;

  private:
    std::uint64_t sent_ = 0, answered_ = 0, dropped_ = 0, cancelled_ = 0, late_starts_ = 0;
    double max_lag_ms_ = 0;
    std::map<long, std::uint64_t> status_codes_;
    std::map<HttpLoadError, std::uint64_t> errors_;
    std::vector<std::string> first_errors_;  // the first few distinct (numbers aside) messages
    std::vector<double> latencies_ms_;       // answered requests only
};

}  // namespace pbxbench::monitor
