#include "harness/run_messages.hpp"

#include <cstdio>

#include "harness/json_path.hpp"

namespace pbxbench::harness {

namespace {

using nlohmann::json;

std::string figure(const json& v, int decimals = 1) {
    if (!v.is_number()) return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v.get<double>());
    return buf;
}

std::string percentiles(const json& d) {
    if (!d.is_object() || json_at(d, {"count"}) == 0) return "n/a";
    return figure(json_at(d, {"p50"}), 2) + " / " + figure(json_at(d, {"p95"}), 2) + " / " +
           figure(json_at(d, {"p99"}), 2) + " / " + figure(json_at(d, {"max"}), 2);
}

std::uint64_t count(const json& v) {
    return v.is_number_unsigned() || v.is_number_integer() ? v.get<std::uint64_t>() : 0;
}

}  // namespace

void configure_messages(uac::UacArgs& uac, const RunOptions& options) {
    uac.messages = options.messages;
    uac.message_rate = options.message_rate;
    uac.message_bytes = options.message_bytes;
}

json messages_config(const RunOptions& options) {
    if (options.messages == 0) return nullptr;
    return {{"total", options.messages},
            {"rate", options.message_rate},
            {"bytes", options.message_bytes}};
}

double messages_seconds(const RunOptions& options) {
    if (options.messages == 0 || options.message_rate <= 0) return 0;
    return static_cast<double>(options.messages) / options.message_rate;
}

json messages_block(const json& uac_summary, const json& uas_summary) {
    const json& sent = json_at(uac_summary, {"methods", "message"});
    if (!sent.is_object()) return nullptr;
    const json& got = json_at(uas_summary, {"messages"});
    json block = {{"sent", json_at(sent, {"sent"})},
                  {"ok", json_at(sent, {"ok"})},
                  {"failed", json_at(sent, {"failed"})},
                  {"failures", json_at(sent, {"failures"})},
                  {"latency_ms", json_at(sent, {"latency_ms"})},
                  {"counters", json_at(sent, {"counters"})},
                  {"delivered", json_at(got, {"delivered"})},
                  {"duplicates", json_at(got, {"duplicates"})},
                  {"received", json_at(got, {"received"})},
                  {"delivered_min", json_at(got, {"delivered_min"})},
                  {"delivered_max", json_at(got, {"delivered_max"})},
                  {"delivery_latency_ms", json_at(got, {"latency_ms"})}};
    const bool complete = got.is_object() && count(block["failed"]) == 0 &&
                          count(block["ok"]) == count(block["sent"]) &&
                          count(block["delivered"]) == count(block["sent"]) &&
                          count(block["duplicates"]) == 0;
    block["complete"] = complete;
    return block;
}

std::string messages_problem(const json& block) {
    if (!block.is_object() || block["complete"] == true) return {};
    std::string line = "MESSAGE: delivered " + json_at(block, {"delivered"}).dump() + " of " +
                       json_at(block, {"sent"}).dump() + " sent; " +
                       json_at(block, {"failed"}).dump() + " failed";
    if (json_at(block, {"failures"}).is_object() && !block["failures"].empty())
        line += " " + block["failures"].dump();
    if (count(json_at(block, {"duplicates"})) > 0)
        line += "; " + block["duplicates"].dump() + " duplicates";
    return line;
}

void messages_section(std::ostream& out, const std::vector<const json*>& rows) {
    bool any = false;
    for (const json* r : rows) any = any || json_at(*r, {"messages"}).is_object();
    if (!any) return;
    out << "## MESSAGE load\n\nRFC 3428 page-mode MESSAGEs from the callers to the callees "
           "through the SUT, beside the calls: sent and answered by the UAC, delivered (distinct "
           "ids) and duplicates counted by the UAS endpoints. Latency: MESSAGE to its final 2xx "
           "at the sender; delivery: the sender's send stamp to arrival at the endpoint "
           "(p50 / p95 / p99 / max, ms).\n\n"
           "| Level | Scenario | Delivered | Answered 2xx | Failed | Duplicates | Latency ms | "
           "Delivery ms |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n";
    for (const json* r : rows) {
        const json& m = json_at(*r, {"messages"});
        if (!m.is_object()) continue;
        const std::string delivered = "MESSAGE: delivered " + json_at(m, {"delivered"}).dump() +
                                      " of " + json_at(m, {"sent"}).dump();
        out << "| " << json_at(*r, {"level"}).dump() << " | "
            << json_at(*r, {"scenario"}).get<std::string>() << " | "
            << (m["complete"] == true ? delivered : "**" + delivered + "**") << " | "
            << json_at(m, {"ok"}).dump() << " | " << json_at(m, {"failed"}).dump() << " | "
            << json_at(m, {"duplicates"}).dump() << " | " << percentiles(json_at(m, {"latency_ms"}))
            << " | " << percentiles(json_at(m, {"delivery_latency_ms"})) << " |\n";
    }
    out << '\n';
}

}  // namespace pbxbench::harness
