#include "monitor/health_probe.hpp"

#include <cstdlib>

#include <nlohmann/json.hpp>

namespace pbxbench::monitor {

namespace {

Result<double> parse_double(std::string_view token) {
    std::string s(token);  // strtod needs a terminator; it also knows NaN and +Inf
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) return fail("not a number: " + s);
    return v;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

// The value token of a sample line after the metric name: skips a {label="..."} block, whose
// quoted values may contain '}' and escaped quotes.
Result<std::string_view> sample_value(std::string_view rest) {
    if (!rest.empty() && rest.front() == '{') {
        bool quoted = false;
        std::size_t i = 1;
        for (; i < rest.size(); ++i) {
            char c = rest[i];
            if (quoted && c == '\\')
                ++i;
            else if (c == '"')
                quoted = !quoted;
            else if (!quoted && c == '}')
                break;
        }
        if (i >= rest.size()) return fail("unterminated label set");
        rest.remove_prefix(i + 1);
    }
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
    std::size_t end = 0;
    while (end < rest.size() && !is_space(rest[end])) ++end;
    return rest.substr(0, end);  // a trailing timestamp, if any, is ignored
}

Result<nlohmann::json> parse_json(std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return fail("reply is not JSON");
    return j;
}

Result<const nlohmann::json*> at_pointer(const nlohmann::json& j, const std::string& pointer) {
    nlohmann::json::json_pointer p(pointer);  // syntax was checked by validate()
    if (!j.contains(p)) return fail("no value at " + pointer);
    return &j.at(p);
}

Result<double> number_of(const nlohmann::json& v, const std::string& pointer) {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) return parse_double(v.get<std::string>());
    return fail("value at " + pointer + " is not a number: " + v.dump());
}

}  // namespace

Result<void> validate(const HealthConfig& config) {
    if (!config.calls_pointer.empty() && !config.calls_metric.empty())
        return fail("give either a calls JSON pointer or a calls metric name, not both");
    for (const std::string* p : {&config.calls_pointer, &config.ok_pointer}) {
        if (p->empty()) continue;
        try {
            nlohmann::json::json_pointer check(*p);
        } catch (const nlohmann::json::exception&) {
            return fail("'" + *p + "' is not a JSON pointer: write it like /result/all");
        }
    }
    return {};
}

Result<double> prometheus_value(std::string_view text, std::string_view name) {
    double sum = 0;
    bool found = false;
    while (!text.empty()) {
        auto eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
        if (line.empty() || line.front() == '#') continue;
        // The name must end exactly here, so "calls" does not pick up "calls_total".
        if (!line.starts_with(name)) continue;
        std::string_view rest = line.substr(name.size());
        if (!rest.empty() && rest.front() != '{' && !is_space(rest.front())) continue;
        while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
        auto token = sample_value(rest);
        if (!token) return fail(token.error().message);
        auto v = parse_double(*token);
        if (!v) return fail("metric " + std::string(name) + ": " + v.error().message);
        sum += *v;
        found = true;
    }
    if (!found) return fail("no metric " + std::string(name) + " in the reply");
    return sum;
}

Result<double> json_number_at(std::string_view text, const std::string& pointer) {
    auto j = parse_json(text);
    if (!j) return fail(j.error().message);
    auto v = at_pointer(*j, pointer);
    if (!v) return fail(v.error().message);
    return number_of(**v, pointer);
}

HealthResult interpret(const HealthConfig& config, const HttpReply& reply) {
    HealthResult r;
    if (reply.transport != Transport::ok) {
        r.outcome = reply.transport == Transport::timeout ? HealthOutcome::timeout
                                                          : HealthOutcome::transport_error;
        r.latency_ms = reply.latency_ms;
        r.error = reply.error;
        return r;
    }
    r.http_status = reply.status;
    r.latency_ms = reply.latency_ms;
    if (reply.status < 200 || reply.status > 299) {
        r.outcome = HealthOutcome::http_error;
        r.error = "HTTP " + std::to_string(reply.status);
        return r;
    }
    r.healthy = true;
    std::optional<nlohmann::json> json;
    if (!config.ok_pointer.empty() || !config.calls_pointer.empty()) {
        if (auto j = parse_json(reply.body)) json = std::move(*j);
    }
    if (!config.ok_pointer.empty()) {
        auto v = json ? at_pointer(*json, config.ok_pointer) : fail("reply is not JSON");
        if (!v) {
            r.healthy = false;
            r.outcome = HealthOutcome::unparsable;
            r.error = v.error().message;
            return r;
        }
        const nlohmann::json& got = **v;
        std::string text = got.is_string() ? got.get<std::string>() : got.dump();
        if (text != config.ok_value) {
            r.healthy = false;
            r.outcome = HealthOutcome::unhealthy;
            r.error = config.ok_pointer + " is " + got.dump() + ", not " + config.ok_value;
        }
    }
    Result<double> calls = fail("");
    if (!config.calls_pointer.empty()) {
        if (!json)
            calls = fail("reply is not JSON");
        else if (auto v = at_pointer(*json, config.calls_pointer))
            calls = number_of(**v, config.calls_pointer);
        else
            calls = fail(v.error().message);
    } else if (!config.calls_metric.empty()) {
        calls = prometheus_value(reply.body, config.calls_metric);
    } else {
        return r;
    }
    if (calls) {
        r.calls = *calls;
    } else if (r.outcome == HealthOutcome::ok) {
        r.outcome = HealthOutcome::unparsable;
        r.error = calls.error().message;
    }
    return r;
}

HealthResult HealthProbe::poll(double t_s) {
    HealthResult r = interpret(config_, client_->fetch(config_.request));
    r.t_s = t_s;
    return r;
}

}  // namespace pbxbench::monitor
