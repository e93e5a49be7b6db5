// The three outputs of `pbxbench compare`: a terminal table, Markdown for a pull-request
// comment, JSON for machines. All render the same Comparison.
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "report/compare.hpp"

namespace pbxbench::report {

namespace {

using nlohmann::json;

std::string_view verdict_id(Verdict v) {
    switch (v) {
        case Verdict::pass:
            return "pass";
        case Verdict::regression:
            return "regression";
        case Verdict::not_significant:
            return "not_significant";
        case Verdict::improved:
            return "improved";
        case Verdict::not_judged:
            return "not_judged";
        case Verdict::not_available:
            return "not_available";
    }
    return "not_available";
}

std::string relative(const MetricComparison& m) {
    if (!m.relative_percent) return m.delta ? (*m.delta == 0 ? "0%" : "n/a (base 0)") : "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.1f%%", *m.relative_percent);
    if (std::string(buf) == "-0.0%") return "+0.0%";
    return buf;
}

std::string p_value(const MetricComparison& m) {
    if (!m.p_value) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", *m.p_value);
    return buf;
}

std::vector<std::string> cells(const MetricComparison& m) {
    const Unit u = m.metric->unit;
    return {std::string(m.metric->id),
            format_value(u, m.base_mean),
            format_value(u, m.new_mean),
            format_delta(u, m.delta),
            relative(m),
            p_value(m),
            m.threshold,
            std::string(to_string(m.verdict))};
}

const std::vector<std::string> header = {"metric",   "base", "new",       "change",
                                         "relative", "p",    "threshold", "verdict"};

// Columns padded to their widest cell.
std::string aligned(const std::vector<std::vector<std::string>>& rows, const std::string& indent) {
    std::vector<std::size_t> width(header.size(), 0);
    for (const auto& r : rows)
        for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    std::string out;
    for (const auto& r : rows) {
        std::string line = indent;
        for (std::size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
        }
        out += line + "\n";
    }
    return out;
}

std::string list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

// "result: ..." naming every regression, so a CI log says what got worse in one line each.
std::string result_lines(const Comparison& c) {
    std::ostringstream out;
    const int n = c.regressions();
    if (n == 0) {
        std::size_t compared = 0;
        for (const GroupComparison& g : c.groups) compared += g.compared ? 1 : 0;
        out << "result: no regression (" << compared << " group(s) compared";
        if (compared < c.groups.size())
            out << ", " << c.groups.size() - compared << " not compared: see above";
        out << ")\n";
        return out.str();
    }
    out << "result: " << n << " regression(s)\n";
    for (const GroupComparison& g : c.groups) {
        const std::string name = group_name(g.scenario, g.level);
        if (g.failed_in_new) out << "  " << name << ": the level failed in NEW\n";
        for (const MetricComparison& m : g.metrics) {
            if (m.verdict != Verdict::regression) continue;
            out << "  " << name << ": " << m.metric->id << " "
                << format_value(m.metric->unit, m.base_mean) << " -> "
                << format_value(m.metric->unit, m.new_mean) << " (" << relative(m) << ", threshold "
                << m.threshold << ")\n";
        }
    }
    return out.str();
}

}  // namespace

std::string render_warnings(const Comparison& c) {
    if (c.warnings.empty()) return {};
    std::string out = "\n";
    out += "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n";
    out += "WARNING: these runs may not be comparable; differences below can come from the\n";
    out += "setup rather than the PBX. Rerun BASE and NEW on the same machine and profile.\n";
    for (const auto& w : c.warnings) out += "  - " + w + "\n";
    out += "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n";
    return out;
}

std::string render_table(const Comparison& c) {
    std::ostringstream out;
    out << "BASE: " << list(c.base_sources) << "\nNEW:  " << list(c.new_sources) << "\n";
    for (const GroupComparison& g : c.groups) {
        out << "\n" << group_name(g.scenario, g.level) << "  (" << g.method << ")\n";
        for (const auto& note : g.notes) out << "  note: " << note << "\n";
        if (!g.compared) continue;
        std::vector<std::vector<std::string>> rows{header};
        for (const MetricComparison& m : g.metrics) rows.push_back(cells(m));
        out << aligned(rows, "  ");
    }
    out << "\n";
    if (!c.only_in_base.empty())
        out << "only in BASE (not compared): " << list(c.only_in_base) << "\n";
    if (!c.only_in_new.empty())
        out << "only in NEW (not compared): " << list(c.only_in_new) << "\n";
    for (const auto& n : c.not_compared) out << "not compared: " << n << "\n";
    if (!c.warnings.empty())
        out << "warning: " << c.warnings.size() << " metadata mismatch(es), see stderr\n";
    out << result_lines(c);
    return out.str();
}

std::string render_markdown(const Comparison& c) {
    std::ostringstream out;
    const int n = c.regressions();
    out << "### pbxbench compare: "
        << (n == 0 ? "no regression" : "**" + std::to_string(n) + " regression(s)**") << "\n\n";
    out << "BASE: `" << list(c.base_sources) << "`  \nNEW: `" << list(c.new_sources) << "`\n\n";
    if (!c.warnings.empty()) {
        out << "> [!WARNING]\n> **These runs may not be comparable** (rerun on the same machine "
               "and profile):\n";
        for (const auto& w : c.warnings) out << "> - " << w << "\n";
        out << "\n";
    }
    if (n > 0) out << "```\n" << result_lines(c) << "```\n\n";
    for (const GroupComparison& g : c.groups) {
        out << "#### " << group_name(g.scenario, g.level) << "\n\n_" << g.method << "_\n\n";
        for (const auto& note : g.notes) out << "- " << note << "\n";
        if (!g.notes.empty()) out << "\n";
        if (!g.compared) continue;
        out << "| metric | base | new | change | relative | p | threshold | verdict |\n";
        out << "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |\n";
        for (const MetricComparison& m : g.metrics) {
            auto r = cells(m);
            r[0] = "`" + r[0] + "`";
            if (m.verdict == Verdict::regression) r[7] = "**" + r[7] + "**";
            out << "|";
            for (const auto& cell : r) out << " " << cell << " |";
            out << "\n";
        }
        out << "\n";
    }
    if (!c.only_in_base.empty())
        out << "Only in BASE (not compared): " << list(c.only_in_base) << "\n\n";
    if (!c.only_in_new.empty())
        out << "Only in NEW (not compared): " << list(c.only_in_new) << "\n\n";
    for (const auto& skipped : c.not_compared) out << "Not compared: " << skipped << "  \n";
    return out.str();
}

json render_json(const Comparison& c) {
    auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
    json groups = json::array();
    for (const GroupComparison& g : c.groups) {
        json ms = json::array();
        for (const MetricComparison& m : g.metrics) {
            ms.push_back({{"id", m.metric->id},
                          {"description", m.metric->description},
                          {"base", opt(m.base_mean)},
                          {"new", opt(m.new_mean)},
                          {"base_values", m.base_values},
                          {"new_values", m.new_values},
                          {"delta", opt(m.delta)},
                          {"relative_percent", opt(m.relative_percent)},
                          {"p_value", opt(m.p_value)},
                          {"threshold", m.threshold},
                          {"verdict", verdict_id(m.verdict)}});
        }
        groups.push_back({{"scenario", g.scenario},
                          {"level", g.level ? json(*g.level) : json(nullptr)},
                          {"base_repeats", g.base_repeats},
                          {"new_repeats", g.new_repeats},
                          {"method", g.method},
                          {"notes", g.notes},
                          {"compared", g.compared},
                          {"skipped", g.compared ? json(nullptr) : json(g.skipped)},
                          {"failed_in_new", g.failed_in_new},
                          {"metrics", ms}});
    }
    return {{"kind", "comparison"},
            {"schema_version", 1},
            {"base", c.base_sources},
            {"new", c.new_sources},
            {"result", c.regressions() > 0 ? "regression" : "pass"},
            {"regressions", c.regressions()},
            {"warnings", c.warnings},
            {"only_in_base", c.only_in_base},
            {"only_in_new", c.only_in_new},
            {"not_compared", c.not_compared},
            {"groups", groups}};
}

}  // namespace pbxbench::report
