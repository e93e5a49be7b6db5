#include "harness/run_markdown_methods.hpp"

#include <string>

#include "harness/json_path.hpp"
#include "report/metrics.hpp"

namespace pbxbench::harness {

namespace {

using nlohmann::json;

std::string count(const json& v) {
    return v.is_number() ? std::to_string(v.get<long long>()) : "n/a";
}

std::string ms(const json& v) {
    return report::format_value(
        report::Unit::ms, v.is_number() ? std::optional<double>(v.get<double>()) : std::nullopt);
}

// "403: 2, timeout: 1", or "-".
std::string failures(const json& f) {
    if (!f.is_object() || f.empty()) return "-";
    std::string out;
    for (auto it = f.begin(); it != f.end(); ++it)
        out += (out.empty() ? "" : ", ") + it.key() + ": " + count(it.value());
    return out;
}

// The counters that say how the method went, in words.
std::string notes(const std::string& method, const json& m) {
    const json& c = json_at(m, {"counters"});
    std::string out;
    auto add = [&](const char* label, const json& v, bool even_zero = false) {
        if (!v.is_number() || (!even_zero && v.get<double>() == 0)) return;
        out += (out.empty() ? "" : ", ") + std::string(label) + " " + count(v);
    };
    if (method == "register") {
        add("users", json_at(c, {"users"}), true);
        add("peak bindings", json_at(c, {"peak_bindings"}), true);
        add("refreshes", json_at(c, {"refreshes"}), true);
        add("un-registered", json_at(c, {"unregistered"}), true);
        add("challenges", json_at(c, {"challenges"}));
        add("423 retried", json_at(c, {"retried_423"}));
        add("expiry shortened", json_at(c, {"expiry_shortened"}));
        add("200 without our binding", json_at(c, {"binding_missing"}));
        add("un-REGISTER failed", json_at(c, {"unregister_failed"}));
        const report::Metric* per_contact = report::find_metric("register_bytes_per_contact");
        const json bytes = json_at(m, {"sut_bytes_per_contact"});
        if (bytes.is_number())
            out += ", " + std::string(per_contact->label) + " " +
                   report::format_value(per_contact->unit, bytes.get<double>());
        add("registrar contacts after", json_at(m, {"registrar_contacts_after"}), true);
    } else {
        for (auto it = c.begin(); c.is_object() && it != c.end(); ++it)
            add(it.key().c_str(), it.value());
    }
    return out.empty() ? "-" : out;
}

}  // namespace

void methods_section(std::ostream& out, const std::vector<const json*>& rows) {
    bool any = false;
    for (const json* r : rows) any = any || json_at(*r, {"methods"}).is_object();
    if (!any) return;
    out << "## Method loads\n\nRequests beside the calls (the scenario's workload): latency is "
           "request to final 2xx, a digest challenge's round trip included; `all` adds the "
           "calls (one INVITE each) to every method.\n\n"
           "| Level | Scenario | Method | Sent | OK | Failed | Failures | Rate/s | p50 | p95 | "
           "p99 | max | Notes |\n"
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
    for (const json* r : rows) {
        const json& methods = json_at(*r, {"methods"});
        if (!methods.is_object()) continue;
        const std::string lead = "| " + count(json_at(*r, {"level"})) + " | " +
                                 json_at(*r, {"scenario"}).get<std::string>();
        for (auto it = methods.begin(); it != methods.end(); ++it) {
            const json& m = it.value();
            const json& lat = json_at(m, {"latency_ms"});
            char rate[32];
            const json rv = json_at(m, {"rate_per_s"});
            std::snprintf(rate, sizeof rate, "%.1f", rv.is_number() ? rv.get<double>() : 0.0);
            out << lead << " | " << it.key() << " | " << count(json_at(m, {"sent"})) << " | "
                << count(json_at(m, {"ok"})) << " | " << count(json_at(m, {"failed"})) << " | "
                << failures(json_at(m, {"failures"})) << " | " << rate << " | "
                << ms(json_at(lat, {"p50"})) << " | " << ms(json_at(lat, {"p95"})) << " | "
                << ms(json_at(lat, {"p99"})) << " | " << ms(json_at(lat, {"max"})) << " | "
                << notes(it.key(), m) << " |\n";
        }
        const json& total = json_at(*r, {"methods_total"});
        out << lead << " | all | " << count(json_at(total, {"sent"})) << " | "
            << count(json_at(total, {"ok"})) << " | " << count(json_at(total, {"failed"}))
            << " | | | | | | | calls and methods |\n";
    }
    out << '\n';
}

}  // namespace pbxbench::harness
