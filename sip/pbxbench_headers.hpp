#pragma once
// Headers pbxbench puts into its own requests so that its far end can measure them: a unique
// id (to find duplicates) and the send time. Both sides read one clock, the steady clock,
// which is CLOCK_MONOTONIC on Linux: the same for every process on one machine, so the
// receiver subtracts the sender's stamp from its own now.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "sip/text.hpp"
#include "sip/transaction_layer.hpp"

namespace pbxbench::sip {

inline constexpr std::string_view id_header = "X-Pbxbench-Id";
inline constexpr std::string_view sent_header = "X-Pbxbench-Sent";

// Nanoseconds since the steady clock's epoch (boot, for CLOCK_MONOTONIC).
inline std::uint64_t stamp_ns(TimePoint t) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch());
    return ns.count() < 0 ? 0 : static_cast<std::uint64_t>(ns.count());
}

// The time point a stamp names, or nullopt if `text` is not a number of nanoseconds.
inline std::optional<TimePoint> parse_stamp(std::string_view text) {
    auto ns = parse_uint(trim(text), UINT64_MAX - 1);
    if (!ns) return std::nullopt;
    return TimePoint(std::chrono::duration_cast<Duration>(
        std::chrono::nanoseconds(static_cast<std::int64_t>(*ns))));
}

}  // namespace pbxbench::sip
