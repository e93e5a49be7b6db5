#include "harness/run_markdown_midcall.hpp"

#include <cstdio>
#include <string>

#include "harness/json_path.hpp"

namespace pbxbench::harness {

namespace {

using nlohmann::json;

std::string count(const json& v) {
    return v.is_number_unsigned() || v.is_number_integer() ? v.dump() : "n/a";
}

std::string ms(const json& v) {
    if (!v.is_number()) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v.get<double>());
    return buf;
}

bool positive(const json& v) {
    return v.is_number() && v.get<double>() > 0;
}

bool holds_used(const json& row) {
    return positive(json_at(row, {"midcall", "hold", "calls"}));
}
bool early_used(const json& row) {
    return positive(json_at(row, {"midcall", "early_media", "calls"}));
}
bool timers_used(const json& row) {
    return positive(json_at(row, {"midcall", "session_timer", "calls"}));
}
bool used(const json& row) {
    return holds_used(row) || early_used(row) || timers_used(row);
}

// "ok/calls", the latency p50 / p95, 491s retried, failures by status, timeouts, abandoned.
std::string flow_cells(const json& f) {
    std::string failed = count(json_at(f, {"failed"}));
    const json& codes = json_at(f, {"failed_status"});
    if (codes.is_object() && !codes.empty()) {
        std::string list;
        for (auto it = codes.begin(); it != codes.end(); ++it)
            list += (list.empty() ? "" : ", ") + it.key() + "×" + it.value().dump();
        failed += " (" + list + ")";
    }
    return count(json_at(f, {"ok"})) + " / " + count(json_at(f, {"calls"})) + " | " +
           ms(json_at(f, {"latency_ms", "p50"})) + " / " + ms(json_at(f, {"latency_ms", "p95"})) +
           " | " + count(json_at(f, {"glare_491"})) + " | " + failed + " | " +
           count(json_at(f, {"timeouts"})) + " | " + count(json_at(f, {"abandoned"}));
}

}  // namespace

void midcall_section(std::ostream& out, const std::vector<const json*>& rows) {
    bool any = false, holds = false;
    for (const json* r : rows) {
        any = any || used(*r);
        holds = holds || holds_used(*r);
    }
    if (!any) return;
    out << "## Mid-call flows\n\n";
    bool lines = false;
    for (const json* r : rows) {
        const std::string where = "- " + json_at(*r, {"scenario"}).get<std::string>() + " at " +
                                  json_at(*r, {"level"}).dump();
        if (early_used(*r)) {
            lines = true;
            const json& e = json_at(*r, {"midcall", "early_media"});
            out << where << ", early media: " << count(json_at(e, {"calls"}))
                << " calls with SDP in an 18x, " << count(json_at(e, {"calls_with_rtp"}))
                << " with RTP before the answer (" << count(json_at(e, {"packets_before_answer"}))
                << " packets), first early packet p50 / p95 "
                << ms(json_at(e, {"first_rtp_ms", "p50"})) << " / "
                << ms(json_at(e, {"first_rtp_ms", "p95"})) << " ms after the INVITE; answer "
                << count(json_at(e, {"answer_matched"})) << " matched, "
                << count(json_at(e, {"answer_retargeted"})) << " moved the media\n";
        }
        if (timers_used(*r)) {
            lines = true;
            const json& t = json_at(*r, {"midcall", "session_timer"});
            out << where << ", session timers: " << count(json_at(t, {"negotiated"})) << " / "
                << count(json_at(t, {"calls"})) << " granted, "
                << count(json_at(t, {"retries_422"})) << " retried after 422, refreshes "
                << count(json_at(t, {"refreshes_ok"})) << " / "
                << count(json_at(t, {"refreshes_sent"})) << " answered (p50 / p95 "
                << ms(json_at(t, {"refresh_latency_ms", "p50"})) << " / "
                << ms(json_at(t, {"refresh_latency_ms", "p95"})) << " ms), "
                << count(json_at(t, {"refreshes_received"})) << " received, "
                << count(json_at(t, {"expired"})) << " expired (BYE)\n";
        }
    }
    if (!holds) {
        out << '\n';
        return;
    }
    if (lines) out << '\n';
    out << "Each call put on hold by re-INVITE (a=sendonly) and resumed (a=sendrecv); latency "
           "from the re-INVITE to its 2xx; a 491 is retried after 2.1-4 s (RFC 3261 §14.1); "
           "media loss is counted outside the holds only.\n\n"
           "| Level | Scenario | Flow | OK / calls | p50 / p95 ms | 491 retried | Failed | "
           "Timeouts | Abandoned |\n"
           "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n";
    for (const json* r : rows) {
        if (!holds_used(*r)) continue;
        for (const char* flow : {"hold", "resume"}) {
            out << "| " << json_at(*r, {"level"}).dump() << " | "
                << json_at(*r, {"scenario"}).get<std::string>() << " | " << flow << " | "
                << flow_cells(json_at(*r, {"midcall", flow})) << " |\n";
        }
    }
    out << '\n';
}

}  // namespace pbxbench::harness
