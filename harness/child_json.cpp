#include "harness/child_json.hpp"

#include <cstdio>

namespace pbxbench::harness {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Short slices, so an interrupt is seen within a fifth of a second.
constexpr std::chrono::milliseconds slice{200};

std::string seconds_text(std::chrono::milliseconds d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(d.count()) / 1000.0);
    return buf;
}

}  // namespace

std::optional<nlohmann::json> parse_event_line(std::string_view line) {
    auto first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] != '{') return std::nullopt;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}

std::string event_name(const nlohmann::json& event) {
    auto it = event.find("event");
    return it != event.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<nlohmann::json> wait_for_event(Process& child, std::string_view wanted,
                                      const EventWait& how) {
    const auto deadline = Clock::now() + how.timeout;
    for (;;) {
        if (how.interrupted && how.interrupted->load())
            return fail("interrupted while waiting for " + child.name());
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left <= 0ms) {
            return fail(child.name() + " sent no '" + std::string(wanted) + "' event within " +
                        seconds_text(how.timeout) +
                        " s; its log ends with:" + format_log_tail(child.log_tail(10)));
        }
        LineRead r = child.read_line(std::min(left, slice));
        if (r.status == LineRead::Status::timeout) continue;
        if (r.status == LineRead::Status::eof) {
            // The pipe closes as the child exits; give it a moment so the status is known.
            std::optional<ExitStatus> status = child.wait_for(2s);
            return fail(
                child.name() + " ended before its '" + std::string(wanted) + "' event (" +
                (status ? status->describe() : std::string("still running, stdout closed")) +
                "); its log ends with:" + format_log_tail(child.log_tail(10)));
        }
        std::optional<nlohmann::json> event = parse_event_line(r.text);
        if (!event) continue;
        if (event_name(*event) == wanted) return *event;
        if (how.on_other) how.on_other(*event);
    }
}

}  // namespace pbxbench::harness
