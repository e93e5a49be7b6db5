#include "report/capacity_compare.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace pbxbench::report {

namespace {

using nlohmann::json;

std::filesystem::path capacity_file(const std::filesystem::path& path) {
    return std::filesystem::is_directory(path) ? path / "capacity.jsonl" : path;
}

std::optional<double> confirmed_value(const json& row) {
    const json& r = row.value("result", json::object());
    if (r.value("confirmed", false) && r.contains("value") && r["value"].is_number())
        return r["value"].get<double>();
    return std::nullopt;
}

std::string fmt(std::optional<double> v, const char* spec = "%g") {
    if (!v) return "none";
    char buf[32];
    std::snprintf(buf, sizeof buf, spec, *v);
    return buf;
}

}  // namespace

bool is_capacity_results(const std::filesystem::path& path) {
    if (std::filesystem::is_directory(path))
        return std::filesystem::exists(path / "capacity.jsonl") &&
               !std::filesystem::exists(path / "results.jsonl");
    return path.filename() == "capacity.jsonl";
}

Result<std::vector<json>> load_capacity_rows(const std::filesystem::path& path) {
    const auto file = capacity_file(path);
    std::ifstream in(file);
    if (!in)
        return fail(file.string() + ": cannot read (not a pbxbench capacity results directory?)");
    std::vector<json> rows;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        json row = json::parse(line, nullptr, false);
        if (row.is_discarded() || !row.is_object())
            return fail(file.string() + ":" + std::to_string(n) + ": not a JSON object");
        if (row.value("kind", "") == "capacity") rows.push_back(std::move(row));
    }
    if (rows.empty())
        return fail(file.string() + ": no capacity result (the search did not finish?)");
    return rows;
}

std::vector<CapacityChange> compare_capacity(const std::vector<json>& base,
                                             const std::vector<json>& next, double drop_percent) {
    std::vector<CapacityChange> out;
    auto key = [](const json& r) { return r.value("scenario", "") + "/" + r.value("find", ""); };
    for (const json& b : base) {
        CapacityChange c;
        c.scenario = b.value("scenario", "");
        c.find = b.value("find", "");
        c.unit = b.value("unit", "");
        c.base_value = confirmed_value(b);
        const json* n = nullptr;
        for (const json& x : next)
            if (key(x) == key(b)) n = &x;
        if (n == nullptr) {
            c.verdict = "only in BASE";
            out.push_back(c);
            continue;
        }
        c.new_value = confirmed_value(*n);
        c.new_stop_reason = n->value("result", json::object()).value("stop_reason", "");
        if (c.base_value && c.new_value && *c.base_value > 0)
            c.change_percent = (*c.new_value - *c.base_value) / *c.base_value * 100;
        if (c.base_value && !c.new_value) {
            c.regression = true;
            c.verdict = "regression";
        } else if (!c.new_value) {
            c.verdict = "not_confirmed";
        } else if (c.change_percent && *c.change_percent < -drop_percent) {
            c.regression = true;
            c.verdict = "regression";
        } else if (c.change_percent && *c.change_percent > drop_percent) {
            c.verdict = "improved";
        } else {
            c.verdict = "pass";
        }
        out.push_back(c);
    }
    for (const json& n : next) {
        bool known = false;
        for (const json& b : base) known = known || key(b) == key(n);
        if (known) continue;
        CapacityChange c;
        c.scenario = n.value("scenario", "");
        c.find = n.value("find", "");
        c.unit = n.value("unit", "");
        c.new_value = confirmed_value(n);
        c.verdict = "only in NEW";
        out.push_back(c);
    }
    return out;
}

std::string render_capacity_table(const std::vector<CapacityChange>& changes, double drop_percent,
                                  bool markdown) {
    std::ostringstream out;
    const std::string sep = markdown ? " | " : "  ";
    if (markdown)
        out << "| Scenario | Find | BASE | NEW | Change | Verdict |\n| --- | --- | ---: | ---: | "
               "---: | --- |\n";
    for (const CapacityChange& c : changes) {
        std::string change = c.change_percent ? fmt(c.change_percent, "%+.1f") + "%" : "n/a";
        std::string verdict = c.verdict;
        if (c.verdict == "regression" && !c.new_value)
            verdict += " (NEW not confirmed: " + c.new_stop_reason + ")";
        out << (markdown ? "| " : "") << c.scenario << sep << c.find << sep << fmt(c.base_value)
            << " " << c.unit << sep << fmt(c.new_value) << " " << c.unit << sep << change << sep
            << verdict << (markdown ? " |" : "") << "\n";
    }
    int regressions = 0;
    for (const auto& c : changes) regressions += c.regression;
    out << (markdown ? "\n" : "") << regressions << " regression(s): a capacity drop of more than "
        << fmt(drop_percent) << "%, or a capacity BASE confirmed and NEW did not\n";
    return out.str();
}

json render_capacity_json(const std::vector<CapacityChange>& changes, double drop_percent) {
    json rows = json::array();
    int regressions = 0;
    for (const CapacityChange& c : changes) {
        auto opt = [](std::optional<double> v) { return v ? json(*v) : json(nullptr); };
        rows.push_back({{"scenario", c.scenario},
                        {"find", c.find},
                        {"unit", c.unit},
                        {"base", opt(c.base_value)},
                        {"new", opt(c.new_value)},
                        {"change_percent", opt(c.change_percent)},
                        {"verdict", c.verdict}});
        regressions += c.regression;
    }
    return {{"kind", "capacity_comparison"},
            {"drop_threshold_percent", drop_percent},
            {"regressions", regressions},
            {"capacities", rows}};
}

}  // namespace pbxbench::report
