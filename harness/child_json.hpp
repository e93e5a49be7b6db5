#pragma once
// Reading JSON events from a child's piped stdout (`pbxbench uas`, `pbxbench uac`) with
// deadlines, so a child that hangs or dies never hangs the run.
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "harness/process.hpp"

namespace pbxbench::harness {

// The JSON object on `line`, or nothing for anything else (a stray human line, a cut line).
std::optional<nlohmann::json> parse_event_line(std::string_view line);

// The value of `"event"` in `event`, or "" if it has none.
std::string event_name(const nlohmann::json& event);

struct EventWait {
    std::chrono::milliseconds timeout{10000};
    const std::atomic<bool>* interrupted = nullptr;       // stops the wait early when set
    std::function<void(const nlohmann::json&)> on_other;  // every other event seen meanwhile
};

// Reads events until one named `wanted`, the child's stdout ends, the timeout passes or the
// run is interrupted. The errors say which, and for a child that ended, its exit status and
// the last lines of its log (where its stderr goes).
Result<nlohmann::json> wait_for_event(Process& child, std::string_view wanted,
                                      const EventWait& how);

}  // namespace pbxbench::harness
