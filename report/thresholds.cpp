#include "report/thresholds.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>

namespace pbxbench::report {

namespace {

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return std::string(s.substr(b, e - b + 1));
}

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix.data(), suffix.size()) == 0;
}

// Bytes metrics take absolute limits in MB (10^6 bytes, as the outputs print them).
double absolute_scale(Unit unit) {
    return unit == Unit::bytes ? 1e6 : 1.0;
}

// One limit of a spec into `t`; `name` is only for messages.
Result<void> apply_limit(const Metric& m, std::string text, Threshold& t, const std::string& spec) {
    text = trim(text);
    if (text.empty()) return fail("threshold '" + spec + "': empty limit");
    int sign = 0;
    if (text[0] == '+' || text[0] == '-') {
        sign = text[0] == '+' ? 1 : -1;
        text.erase(0, 1);
    }
    const int worse_sign = m.worse == Worse::higher ? 1 : -1;
    if (sign != 0 && sign != worse_sign)
        return fail("threshold '" + spec + "': " + std::string(m.id) + " gets worse when it goes " +
                    (worse_sign > 0 ? "up; write the limit as +N" : "down; write the limit as -N"));
    bool relative = false;
    const std::string suffix(threshold_suffix(m.unit));
    if (ends_with(text, "%")) {
        relative = true;
        text.pop_back();
    } else if (!suffix.empty() && ends_with(text, suffix)) {
        text.resize(text.size() - suffix.size());
    } else if (!text.empty() && std::isalpha(static_cast<unsigned char>(text.back()))) {
        return fail("threshold '" + spec + "': " + std::string(m.id) +
                    " takes a relative limit (+10%)" +
                    (suffix.empty() ? std::string(" or a plain number")
                                    : " or an absolute one in " + suffix));
    }
    text = trim(text);
    std::size_t used = 0;
    double v = 0;
    try {
        v = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size() || !std::isfinite(v) || v < 0)
        return fail("threshold '" + spec + "': '" + text + "' is not a non-negative number");
    if (relative)
        t.relative_percent = v;
    else
        t.absolute = v * absolute_scale(m.unit);
    return {};
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

}  // namespace

Thresholds default_thresholds() {
    Thresholds t;
    for (const Metric& m : metrics())
        t[std::string(m.id)] = Threshold{m.default_relative_percent, m.default_absolute};
    return t;
}

Result<void> apply_threshold(Thresholds& thresholds, std::string_view spec_view) {
    const std::string spec = trim(spec_view);
    const auto eq = spec.find('=');
    if (eq == std::string::npos)
        return fail("threshold '" + spec + "': expected NAME=LIMIT, e.g. cpu_peak=+10%");
    const std::string name = trim(spec.substr(0, eq));
    const Metric* m = find_metric(name);
    if (m == nullptr) {
        std::string known;
        for (const Metric& k : metrics()) known += (known.empty() ? "" : ", ") + std::string(k.id);
        return fail("threshold '" + spec + "': unknown metric '" + name + "' (known: " + known +
                    ")");
    }
    Threshold t;
    const std::string limits = trim(spec.substr(eq + 1));
    if (limits != "off") {
        std::size_t start = 0;
        while (true) {
            const auto comma = limits.find(',', start);
            auto ok = apply_limit(*m, limits.substr(start, comma - start), t, spec);
            if (!ok) return ok;
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    thresholds[std::string(m->id)] = t;
    return {};
}

Result<void> apply_threshold_file(Thresholds& thresholds, const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return fail(file.string() + ": cannot read the thresholds file");
    std::string line;
    int number_of_line = 0;
    while (std::getline(in, line)) {
        ++number_of_line;
        const auto hash = line.find('#');
        const std::string spec = trim(line.substr(0, hash));
        if (spec.empty()) continue;
        if (auto ok = apply_threshold(thresholds, spec); !ok)
            return fail(file.string() + ":" + std::to_string(number_of_line) + ": " +
                        ok.error().message);
    }
    return {};
}

std::string describe(const Metric& metric, const Threshold& threshold) {
    if (!threshold.enabled()) return "off";
    const std::string sign = metric.worse == Worse::higher ? "+" : "-";
    std::string out;
    if (threshold.relative_percent) out = sign + number(*threshold.relative_percent) + "%";
    if (threshold.absolute) {
        if (!out.empty()) out += " and ";
        out += sign + number(*threshold.absolute / absolute_scale(metric.unit));
        const std::string_view suffix = threshold_suffix(metric.unit);
        if (!suffix.empty()) out += " " + std::string(suffix);
    }
    return out;
}

}  // namespace pbxbench::report
