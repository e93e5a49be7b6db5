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

bool used(const json& row) {
    for (const char* flow : {"hold", "resume"}) {
        const json& calls = json_at(row, {"midcall", flow, "calls"});
        if (calls.is_number() && calls.get<double>() > 0) return true;
    }
    return false;
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
    bool any = false;
    for (const json* r : rows) any = any || used(*r);
    if (!any) return;
    out << "## Mid-call flows\n\n"
           "Each call put on hold by re-INVITE (a=sendonly) and resumed (a=sendrecv); latency "
           "from the re-INVITE to its 2xx; a 491 is retried after 2.1-4 s (RFC 3261 §14.1); "
           "media loss is counted outside the holds only.\n\n"
           "| Level | Scenario | Flow | OK / calls | p50 / p95 ms | 491 retried | Failed | "
           "Timeouts | Abandoned |\n"
           "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n";
    for (const json* r : rows) {
        if (!used(*r)) continue;
        for (const char* flow : {"hold", "resume"}) {
            out << "| " << json_at(*r, {"level"}).dump() << " | "
                << json_at(*r, {"scenario"}).get<std::string>() << " | " << flow << " | "
                << flow_cells(json_at(*r, {"midcall", flow})) << " |\n";
        }
    }
    out << '\n';
}

}  // namespace pbxbench::harness
