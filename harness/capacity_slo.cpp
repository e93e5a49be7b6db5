#include "harness/capacity_slo.hpp"
#include "harness/json_path.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace pbxbench::harness {

namespace {

using nlohmann::json;

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string_view op_text(SloOp op) {
    switch (op) {
        case SloOp::le:
            return "<=";
        case SloOp::lt:
            return "<";
        case SloOp::ge:
            return ">=";
        case SloOp::gt:
            return ">";
    }
    return "?";
}

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t");
    return std::string(s.substr(b, e - b + 1));
}

const SloMetric* find_metric(std::string_view id) {
    for (const SloMetric& m : slo_metrics())
        if (m.id == id) return &m;
    return nullptr;
}

std::string known_metrics() {
    std::string out;
    for (const SloMetric& m : slo_metrics()) out += (out.empty() ? "" : ", ") + std::string(m.id);
    return out;
}

constexpr auto at = &json_at;

std::optional<double> number_at(const json& row, std::initializer_list<const char*> path) {
    const json& v = at(row, path);
    if (!v.is_number()) return std::nullopt;
    return v.get<double>();
}

std::optional<double> measure(const Slo& slo, const json& row) {
    const std::string& n = slo.name;
    if (n == "failures") {
        auto failed = number_at(row, {"calls", "failed"});
        if (!failed || !slo.percent) return failed;
        auto attempted = number_at(row, {"calls", "attempted"});
        if (!attempted) return std::nullopt;
        return *attempted > 0 ? *failed * 100 / *attempted : 0.0;
    }
    if (n == "setup_p50") return number_at(row, {"latency", "setup_ms", "p50"});
    if (n == "setup_p95") return number_at(row, {"latency", "setup_ms", "p95"});
    if (n == "setup_p99") return number_at(row, {"latency", "setup_ms", "p99"});
    if (n == "loss") return number_at(row, {"media", "loss_percent"});
    if (n == "mos_p5") return number_at(row, {"media", "mos", "p5"});
    if (n == "mos_mean") return number_at(row, {"media", "mos", "mean"});
    if (n == "jitter_p95") return number_at(row, {"media", "jitter_ms", "p95"});
    return std::nullopt;
}

bool holds(SloOp op, double measured, double limit) {
    switch (op) {
        case SloOp::le:
            return measured <= limit;
        case SloOp::lt:
            return measured < limit;
        case SloOp::ge:
            return measured >= limit;
        case SloOp::gt:
            return measured > limit;
    }
    return false;
}

Result<Slo> parse_one(const std::string& item) {
    const auto op_at = item.find_first_of("<>=");
    if (op_at == std::string::npos)
        return fail("--slo '" + item +
                    "': expected NAME<=LIMIT or NAME>=LIMIT, e.g. setup_p99<=500ms");
    Slo slo;
    slo.name = trim(std::string_view(item).substr(0, op_at));
    const SloMetric* metric = find_metric(slo.name);
    if (metric == nullptr)
        return fail("--slo '" + item + "': unknown metric '" + slo.name +
                    "' (known: " + known_metrics() + ")");
    std::string rest = item.substr(op_at);
    std::size_t op_len = 1;
    if (rest.rfind("<=", 0) == 0)
        slo.op = SloOp::le, op_len = 2;
    else if (rest.rfind(">=", 0) == 0)
        slo.op = SloOp::ge, op_len = 2;
    else if (rest[0] == '<')
        slo.op = SloOp::lt;
    else if (rest[0] == '>')
        slo.op = SloOp::gt;
    else
        return fail("--slo '" + item + "': the operator must be <=, <, >= or >");
    std::string value = trim(std::string_view(rest).substr(op_len));
    const std::string unit =
        metric->unit == "ms" || metric->unit == "%" ? std::string(metric->unit) : "";
    const char* begin = value.c_str();
    char* end = nullptr;
    slo.limit = std::strtod(begin, &end);
    std::string suffix = trim(end);
    if (end == begin || !std::isfinite(slo.limit) || slo.limit < 0)
        return fail("--slo '" + item + "': the limit must be a number of 0 or more" +
                    (unit.empty() ? std::string() : " (in " + unit + ")"));
    if (metric->id == "failures") {
        slo.percent = suffix == "%";
        if (!suffix.empty() && !slo.percent)
            return fail("--slo '" + item +
                        "': failures are a count (failures<=0) or a share "
                        "of the calls (failures<=0.1%)");
    } else if (metric->unit == "ms") {
        if (suffix == "s")
            slo.limit *= 1000;
        else if (!suffix.empty() && suffix != "ms")
            return fail("--slo '" + item + "': a latency limit is in ms or s, e.g. 500ms");
    } else if (metric->unit == "%") {
        if (!suffix.empty() && suffix != "%")
            return fail("--slo '" + item + "': " + slo.name + " is a percentage, e.g. 0.1%");
    } else if (!suffix.empty()) {
        return fail("--slo '" + item + "': " + slo.name + " takes a plain number, e.g. 4.0");
    }
    const bool upper = slo.op == SloOp::le || slo.op == SloOp::lt;
    const bool higher_is_better = metric->id.substr(0, 3) == "mos";
    if (upper == higher_is_better)
        return fail("--slo '" + item + "': " + slo.name + " is " +
                    (higher_is_better ? "better higher: write " + slo.name + ">=LIMIT"
                                      : "better lower: write " + slo.name + "<=LIMIT"));
    return slo;
}

}  // namespace

std::string Slo::text() const {
    std::string out = name + std::string(op_text(op)) + number(limit);
    if (percent || name == "loss")
        out += "%";
    else if (name.rfind("setup_", 0) == 0 || name == "jitter_p95")
        out += "ms";
    return out;
}

const std::vector<SloMetric>& slo_metrics() {
    static const std::vector<SloMetric> metrics = {
        {"failures", "calls or %",
         "failed calls (any outcome but completed), a count or % of attempts", false},
        {"setup_p50", "ms", "INVITE to 2xx, median", false},
        {"setup_p95", "ms", "INVITE to 2xx, 95th percentile", false},
        {"setup_p99", "ms", "INVITE to 2xx, 99th percentile", false},
        {"loss", "%", "RTP lost on the round trip through the echo", true},
        {"mos_p5", "", "E-model MOS of the worst 5% of calls", true},
        {"mos_mean", "", "E-model MOS, mean over calls", true},
        {"jitter_p95", "ms", "RFC 3550 interarrival jitter, 95th percentile over calls", true},
    };
    return metrics;
}

Result<std::vector<Slo>> parse_slos(std::string_view text) {
    std::vector<Slo> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = text.find(',', start);
        const std::string item = trim(text.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (!item.empty()) {
            auto slo = parse_one(item);
            if (!slo) return tl::unexpected(slo.error());
            out.push_back(*slo);
        }
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    if (out.empty()) return fail("--slo: no objective given (e.g. failures<=0,setup_p99<=500ms)");
    return out;
}

std::vector<Slo> merge_slos(std::vector<Slo> defaults, const std::vector<Slo>& given) {
    for (const Slo& g : given) {
        bool replaced = false;
        for (Slo& d : defaults)
            if (d.name == g.name) d = g, replaced = true;
        if (!replaced) defaults.push_back(g);
    }
    return defaults;
}

Result<void> check_measurable(const std::vector<Slo>& slos, bool media) {
    if (media) return {};
    for (const Slo& s : slos)
        if (find_metric(s.name)->needs_media)
            return fail("--slo " + s.text() +
                        " needs media, but the trials send none: add "
                        "--media, or drop that objective");
    return {};
}

std::vector<SloCheck> evaluate_slos(const std::vector<Slo>& slos, const json& row) {
    std::vector<SloCheck> out;
    for (const Slo& s : slos) {
        SloCheck c{s, measure(s, row), false};
        c.ok = c.measured && holds(s.op, *c.measured, s.limit);
        out.push_back(c);
    }
    return out;
}

std::optional<std::uint64_t> failure_budget(const std::vector<Slo>& slos, std::uint64_t calls) {
    for (const Slo& s : slos) {
        if (s.name != "failures") continue;
        double allowed = s.percent ? s.limit * static_cast<double>(calls) / 100 : s.limit;
        // "<" allows one fewer than the limit when the limit is a whole number of calls.
        if (s.op == SloOp::lt) allowed = std::ceil(allowed) - 1;
        return allowed < 0 ? 0 : static_cast<std::uint64_t>(std::floor(allowed));
    }
    return std::nullopt;
}

json to_json(const SloCheck& c) {
    return {{"slo", c.slo.text()},
            {"name", c.slo.name},
            {"limit", c.slo.limit},
            {"measured", c.measured ? json(*c.measured) : json(nullptr)},
            {"ok", c.ok}};
}

}  // namespace pbxbench::harness
