#include "monitor/http_load.hpp"

#include <algorithm>
#include <cmath>

#include "base/distribution.hpp"

namespace pbxbench::monitor {

namespace {

// Results are keyed by name in JSON and CSV columns: keep it a plain word.
bool plain_name(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
}

const char* error_key(HttpLoadError kind) {
    switch (kind) {
        case HttpLoadError::connect_refused:
            return "connect_refused";
        case HttpLoadError::timeout:
            return "timeout";
        case HttpLoadError::other:
            return "other";
    }
    return "other";
}

// A message with its numbers blanked: "timed out after 1017 ms" and "... 1016 ms" are one kind.
std::string message_kind(const std::string& message) {
    std::string out;
    for (char c : message) {
        const bool digit = std::isdigit(static_cast<unsigned char>(c)) != 0;
        if (!digit)
            out += c;
        else if (out.empty() || out.back() != '#')
            out += '#';
    }
    return out;
}

}  // namespace

Result<void> validate(const HttpLoadSpec& spec) {
    if (!plain_name(spec.name))
        return fail("http load name '" + spec.name + "': expected letters, digits, '_' or '-'");
    const std::string& url = spec.request.url;
    if (!url.starts_with("http://") && !url.starts_with("https://"))
        return fail("http load " + spec.name + ": expected an http:// or https:// URL, got '" +
                    url + "'");
    if (!(spec.rate_per_s > 0) || !std::isfinite(spec.rate_per_s))
        return fail("http load " + spec.name + ": the rate must be above 0 requests/s");
    if (spec.request.timeout.count() <= 0)
        return fail("http load " + spec.name + ": the timeout must be at least 1 ms");
    return {};
}

std::size_t effective_max_in_flight(const HttpLoadSpec& spec) {
    if (spec.max_in_flight > 0) return spec.max_in_flight;
    // Every request may time out; then rate x timeout are in flight at once, never more.
    const double n =
        std::ceil(spec.rate_per_s * static_cast<double>(spec.request.timeout.count()) / 1000.0) + 1;
    return static_cast<std::size_t>(std::clamp(n, 1.0, 100000.0));
}

OpenLoopSchedule::OpenLoopSchedule(const HttpLoadSpec& spec)
    : rate_per_s_(spec.rate_per_s),
      max_requests_(spec.max_requests),
      max_duration_s_(static_cast<double>(spec.max_duration.count()) / 1000.0) {}

bool OpenLoopSchedule::exhausted() const {
    if (max_requests_ > 0 && next_ >= max_requests_) return true;
    return max_duration_s_ > 0 && due_s(next_) >= max_duration_s_;
}

std::optional<double> OpenLoopSchedule::wait_s(double now_s) const {
    if (exhausted()) return std::nullopt;
    return std::max(0.0, due_s(next_) - now_s);
}

std::optional<double> OpenLoopSchedule::end_s() const {
    std::optional<double> end;
    if (max_requests_ > 0) end = due_s(max_requests_);
    if (max_duration_s_ > 0) end = std::min(end.value_or(max_duration_s_), max_duration_s_);
    return end;
}

void HttpLoadTally::sent(double lag_ms) {
    ++sent_;
    if (lag_ms > late_start_ms) ++late_starts_;
    max_lag_ms_ = std::max(max_lag_ms_, lag_ms);
}

void HttpLoadTally::answered(long status, double latency_ms) {
    ++answered_;
    ++status_codes_[status];
    latencies_ms_.push_back(latency_ms);
}

void HttpLoadTally::failed(HttpLoadError kind, const std::string& message) {
    ++errors_[kind];
    // A few distinct kinds of message say what went wrong without repeating one per request.
    if (first_errors_.size() >= 3) return;
    const std::string kind_of = message_kind(message);
    for (const std::string& seen : first_errors_)
        if (message_kind(seen) == kind_of) return;
    first_errors_.push_back(message);
}

std::uint64_t HttpLoadTally::errors(HttpLoadError kind) const {
    auto it = errors_.find(kind);
    return it == errors_.end() ? 0 : it->second;
}

nlohmann::json HttpLoadTally::to_json(const HttpLoadSpec& spec, double duration_s) const {
    using nlohmann::json;
    json statuses = json::object();
    for (const auto& [status, n] : status_codes_) statuses[std::to_string(status)] = n;
    json errors = json::object();
    for (HttpLoadError kind :
         {HttpLoadError::connect_refused, HttpLoadError::timeout, HttpLoadError::other})
        errors[error_key(kind)] = this->errors(kind);
    std::vector<double> latencies = latencies_ms_;
    // Nothing answered: no latency at all, never a 0 that reads as instant.
    json latency = latencies.empty() ? json(nullptr) : pbxbench::to_json(summarize(latencies));
    auto per_s = [&](std::uint64_t n) {
        return duration_s > 0 ? json(static_cast<double>(n) / duration_s) : json(nullptr);
    };
    return {{"url", spec.request.url},
            {"method", spec.request.method},
            {"rate_per_s", spec.rate_per_s},
            {"timeout_ms", spec.request.timeout.count()},
            {"max_in_flight", effective_max_in_flight(spec)},
            {"duration_s", duration_s},
            {"sent", sent_},
            {"answered", answered_},
            {"sent_per_s", per_s(sent_)},
            {"answered_per_s", per_s(answered_)},
            {"latency_ms", latency},
            {"status_codes", statuses},
            {"errors", errors},
            {"first_errors", first_errors_},
            {"cancelled_at_stop", cancelled_},
            {"dropped_in_flight_limit", dropped_},
            {"late_starts", late_starts_},
            {"max_start_lag_ms", max_lag_ms_},
            {"behind_schedule", late_starts_ > 0 || dropped_ > 0}};
}

}  // namespace pbxbench::monitor
