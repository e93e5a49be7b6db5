#pragma once
// The wall clock as results and reports print it.
#include <ctime>
#include <string>

namespace pbxbench {

// Now as ISO 8601 UTC to the second, e.g. "2026-11-22T07:54:48Z".
inline std::string utc_timestamp_now() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace pbxbench
