#include "harness/http_load_plan.hpp"

#include <cmath>
#include <cstdlib>

#include "harness/profile_check.hpp"

namespace pbxbench::harness {

namespace {

std::string option_name(std::size_t i) {
    return "cli-" + std::to_string(i + 1);
}

}  // namespace

Result<HttpLoadOption> parse_http_load_option(std::string_view text) {
    const auto at = text.rfind('@');
    const std::string usage =
        "expected URL@RATE, e.g. http://127.0.0.1:8080/status@20, got '" + std::string(text) + "'";
    if (at == std::string_view::npos) return fail(usage);
    HttpLoadOption o;
    o.url = std::string(text.substr(0, at));
    const std::string rate(text.substr(at + 1));
    char* end = nullptr;
    o.rate_per_s = std::strtod(rate.c_str(), &end);
    if (rate.empty() || *end != '\0' || !(o.rate_per_s > 0) || !std::isfinite(o.rate_per_s) ||
        o.rate_per_s > 100000)
        return fail(usage + " (RATE: requests per second above 0, at most 100000)");
    if (!o.url.starts_with("http://") && !o.url.starts_with("https://"))
        return fail(usage + " (the URL must start with http:// or https://)");
    return o;
}

Result<void> check_http_load_options(const Profile& profile,
                                     const std::vector<const ScenarioSpec*>& scenarios,
                                     const std::vector<HttpLoadOption>& options) {
    for (const ScenarioSpec* s : scenarios) {
        const Variables vars = detail::declared_variables(profile, *s);
        for (std::size_t i = 0; i < options.size(); ++i)
            if (auto r = render_template(options[i].url, vars, "--http-load " + options[i].url); !r)
                return fail(r.error().message + " (in scenario " + s->name + ")");
    }
    return {};
}

Result<std::vector<monitor::HttpLoadSpec>> plan_http_load(
    const Profile& profile, const ScenarioSpec& scenario, const Variables& vars,
    const std::vector<HttpLoadOption>& options) {
    std::vector<monitor::HttpLoadSpec> out;
    auto render = [&](const std::string& text, const std::string& field) -> Result<std::string> {
        return render_template(text, vars, field);
    };
    for (const std::string& name : scenario.http_load) {
        const HttpLoadEntrySpec* e = nullptr;
        for (const auto& entry : profile.http_load)
            if (entry.name == name) e = &entry;
        if (!e) return fail("http_load: no entry named '" + name + "'");
        monitor::HttpLoadSpec s;
        s.name = e->name;
        auto url = render(e->url, "http_load." + name + ".url");
        auto body = render(e->body, "http_load." + name + ".body");
        if (!url) return fail(url.error().message);
        if (!body) return fail(body.error().message);
        s.request.url = *url;
        s.request.body = *body;
        s.request.method = e->method;
        for (const std::string& h : e->headers) {
            auto header = render(h, "http_load." + name + ".headers");
            if (!header) return fail(header.error().message);
            s.request.headers.push_back(*header);
        }
        s.request.timeout = std::chrono::milliseconds(e->timeout_ms);
        s.rate_per_s = e->rate_per_s;
        s.max_in_flight = e->max_in_flight;
        s.max_requests = e->max_requests;
        s.max_duration = std::chrono::milliseconds(std::llround(e->duration_s * 1000));
        out.push_back(std::move(s));
    }
    for (std::size_t i = 0; i < options.size(); ++i) {
        monitor::HttpLoadSpec s;
        s.name = option_name(i);
        auto url = render(options[i].url, "--http-load");
        if (!url) return fail(url.error().message);
        s.request.url = *url;
        s.rate_per_s = options[i].rate_per_s;
        out.push_back(std::move(s));
    }
    for (const auto& s : out)
        if (auto v = monitor::validate(s); !v) return fail(v.error().message);
    return out;
}

}  // namespace pbxbench::harness
