#include "harness/http_load_profile.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "harness/profile_check.hpp"

namespace pbxbench::harness::detail {

namespace {

// A whole number in [min, max], or an error at the key.
std::optional<std::uint64_t> whole(TableReader& t, std::string_view key, double min, double max) {
    auto v = t.number(key);
    if (!v) return std::nullopt;
    if (*v < min || *v > max || std::floor(*v) != *v)
        t.error(key, "expected a whole number from " + std::to_string(static_cast<long>(min)) +
                         " to " + std::to_string(static_cast<long>(max)));
    return static_cast<std::uint64_t>(*v);
}

bool plain_name(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
}

}  // namespace

HttpLoadEntrySpec read_http_load_entry(TableReader t) {
    HttpLoadEntrySpec e;
    e.name = t.required_string("name");
    // The name keys the results (JSON and CSV columns): no dots or spaces.
    if (!plain_name(e.name))
        t.error("name", "expected letters, digits, '_' or '-' (it names the results), got '" +
                            e.name + "'");
    e.url = t.required_string("url");
    if (!e.url.starts_with("http://") && !e.url.starts_with("https://") && !e.url.starts_with("${"))
        t.error("url", "expected an http:// or https:// URL, got '" + e.url + "'");
    e.method = t.string("method").value_or(e.method);
    static const std::vector<std::string> methods = {"GET",    "POST",  "PUT",
                                                     "DELETE", "PATCH", "HEAD"};
    if (std::find(methods.begin(), methods.end(), e.method) == methods.end())
        t.error("method",
                "expected one of GET, POST, PUT, DELETE, PATCH, HEAD, got '" + e.method + "'");
    e.body = t.string("body").value_or("");
    if (!e.body.empty() && (e.method == "GET" || e.method == "HEAD"))
        t.error("body", "a body needs method = \"POST\" (or PUT, PATCH, DELETE)");
    e.headers = t.strings("headers").value_or(std::vector<std::string>{});
    for (std::size_t i = 0; i < e.headers.size(); ++i)
        if (e.headers[i].find(':') == std::string::npos)
            t.error("headers", "item " + std::to_string(i + 1) + " '" + e.headers[i] +
                                   "': expected \"Name: value\"");
    auto rate = t.number("rate");
    if (!rate) t.error("rate", "missing (expected requests per second, e.g. rate = 20)");
    if (!(*rate > 0) || *rate > 100000)
        t.error("rate", "expected requests per second above 0 and at most 100000");
    e.rate_per_s = *rate;
    e.timeout_ms = whole(t, "timeout_ms", 1, 600000).value_or(e.timeout_ms);
    e.max_in_flight = whole(t, "max_in_flight", 1, 100000).value_or(0);
    e.max_requests = whole(t, "max_requests", 1, 1e12).value_or(0);
    e.duration_s = t.number("duration_s").value_or(0);
    if (t.number("duration_s") && e.duration_s <= 0)
        t.error("duration_s", "expected seconds above 0 (leave it out to run until the calls end)");
    t.finish();
    return e;
}

void read_scenario_http_load(TableReader& t, ScenarioSpec& scenario,
                             const std::vector<HttpLoadEntrySpec>& entries) {
    scenario.http_load = t.strings("http_load").value_or(std::vector<std::string>{});
    std::set<std::string> seen;
    for (const std::string& name : scenario.http_load) {
        auto known = std::find_if(entries.begin(), entries.end(),
                                  [&](const HttpLoadEntrySpec& e) { return e.name == name; });
        if (known == entries.end()) {
            std::string names;
            for (const auto& e : entries) names += (names.empty() ? "" : ", ") + e.name;
            t.error("http_load", "no [[http_load]] named '" + name + "'; defined: " +
                                     (names.empty() ? std::string("none") : names));
        }
        if (!seen.insert(name).second) t.error("http_load", "'" + name + "' is listed twice");
    }
    scenario.http_load_baseline = t.string("http_load_baseline").value_or("");
}

void check_http_load(const Profile& p) {
    const std::string file = p.file.string();
    std::set<std::string> names;
    for (std::size_t i = 0; i < p.http_load.size(); ++i)
        if (!names.insert(p.http_load[i].name).second)
            throw ProfileError(file + ": http_load[" + std::to_string(i) +
                               "].name: duplicate name '" + p.http_load[i].name + "'");
    for (std::size_t i = 0; i < p.scenarios.size(); ++i) {
        const ScenarioSpec& s = p.scenarios[i];
        const std::string field = "scenarios[" + std::to_string(i) + "]";
        if (!s.http_load_baseline.empty() &&
            (s.http_load_baseline == s.name || !p.find_scenario(s.http_load_baseline)))
            throw ProfileError(file + ": " + field + ".http_load_baseline: expected the name of " +
                               "another scenario, got '" + s.http_load_baseline + "'");
        const Variables vars = declared_variables(p, s);
        auto defined = [&](const std::string& text, const std::string& where) {
            if (auto r = render_template(text, vars, "value"); !r)
                throw ProfileError(file + ": " + where + ": " + r.error().message +
                                   " (in scenario " + s.name + ")");
        };
        for (const std::string& name : s.http_load) {
            for (const HttpLoadEntrySpec& e : p.http_load) {
                if (e.name != name) continue;
                defined(e.url, "http_load." + name + ".url");
                defined(e.body, "http_load." + name + ".body");
                for (const std::string& h : e.headers) defined(h, "http_load." + name + ".headers");
            }
        }
    }
}

}  // namespace pbxbench::harness::detail
