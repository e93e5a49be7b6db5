#include "report/run_data.hpp"

#include <fstream>
#include <iterator>

#include "report/run_fields.hpp"

namespace pbxbench::report {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const json* step(const json& j, std::string_view dotted_path) {
    const json* cur = &j;
    while (!dotted_path.empty()) {
        auto dot = dotted_path.find('.');
        std::string key(dotted_path.substr(0, dot));
        if (!cur->is_object()) return nullptr;
        auto it = cur->find(key);
        if (it == cur->end()) return nullptr;
        cur = &*it;
        dotted_path =
            dot == std::string_view::npos ? std::string_view{} : dotted_path.substr(dot + 1);
    }
    return cur;
}

std::optional<double> optional_number(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
}

// The lines of a text file, each with whether a newline ended it (only the last may lack one).
struct Line {
    std::string text;
    bool terminated = true;
};

std::optional<std::vector<Line>> read_lines(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::string text((std::istreambuf_iterator<char>(in)), {});
    std::vector<Line> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto nl = text.find('\n', start);
        if (nl == std::string::npos) {
            lines.push_back({text.substr(start), false});
            break;
        }
        lines.push_back({text.substr(start, nl - start), true});
        start = nl + 1;
    }
    return lines;
}

std::string run_label(const fs::path& dir, const json& run) {
    std::string name = dir.filename().string();
    if (name.empty()) name = dir.string();
    std::string version = sut_version_text(string_at(run, "sut_version"));
    return version.empty() ? name : name + " (" + version + ")";
}

}  // namespace

std::optional<double> number_at(const json& j, std::string_view dotted_path) {
    const json* v = step(j, dotted_path);
    if (v == nullptr || !v->is_number()) return std::nullopt;
    return v->get<double>();
}

std::string string_at(const json& j, std::string_view dotted_path) {
    const json* v = step(j, dotted_path);
    return v != nullptr && v->is_string() ? v->get<std::string>() : std::string{};
}

Result<RunData> load_run(const fs::path& path) {
    RunData data;
    std::error_code ec;
    if (!fs::exists(path, ec))
        return fail(path.string() +
                    ": no such run directory or results file (expected a run directory of "
                    "`pbxbench run` or its results.jsonl)");
    if (fs::is_directory(path, ec)) {
        data.dir = path;
        data.results = path / "results.jsonl";
    } else {
        data.results = path;
        data.dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    }
    if (!fs::is_regular_file(data.results, ec))
        return fail(data.results.string() +
                    ": no such results file (is this a run directory of `pbxbench run`?)");
    const auto lines = read_lines(data.results);
    if (!lines) return fail(data.results.string() + ": cannot be read");
    int number = 0;
    for (const Line& l : *lines) {
        const std::string& line = l.text;
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const std::string where = data.results.string() + ":" + std::to_string(number);
        json row = json::parse(line, nullptr, /*allow_exceptions=*/false);
        if ((row.is_discarded() || !row.is_object()) && !l.terminated) {
            data.warnings.push_back(where + ": torn last line (cut short, no newline) skipped");
            break;
        }
        if (row.is_discarded() || !row.is_object())
            return fail(where + ": not a JSON object (is this a results.jsonl of `pbxbench run`?)");
        const std::string kind = string_at(row, "kind");
        if (kind != "level" && kind != "scaling") {
            if (kind.empty()) return fail(where + ": row without a \"kind\"");
            continue;
        }
        if (string_at(row, "scenario").empty())
            return fail(where + ": " + kind + " row without a \"scenario\"");
        if (kind == "level" && !number_at(row, "level"))
            return fail(where + ": level row without a numeric \"level\"");
        if (data.run.is_null() && row.contains("run")) data.run = row["run"];
        (kind == "level" ? data.levels : data.scalings).push_back(std::move(row));
    }
    if (data.levels.empty() && data.scalings.empty())
        return fail(data.results.string() + ": no level or scaling rows");
    data.label = run_label(fs::absolute(data.dir).lexically_normal(), data.run);
    return data;
}

Result<SampleSeries> load_samples(const RunData& run, const std::string& scenario, int level) {
    SampleSeries series;
    series.file = fs::path("samples") / (scenario + "-" + std::to_string(level) + ".jsonl");
    const fs::path full = run.dir / series.file;
    const auto lines = read_lines(full);
    if (!lines) return fail(full.string() + ": no samples");
    int number = 0;
    for (const Line& l : *lines) {
        const std::string& line = l.text;
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        json j = json::parse(line, nullptr, false);
        if ((j.is_discarded() || !j.is_object()) && !l.terminated) {
            series.torn_last_line = true;
            break;
        }
        if (j.is_discarded() || !j.is_object())
            return fail(full.string() + ":" + std::to_string(number) + ": not a JSON object");
        if (string_at(j, "type") != "sample") continue;
        SamplePoint p;
        p.t_s = optional_number(j, "t_s").value_or(0);
        p.cpu_percent = number_at(j, "cpu_percent.total");
        p.rss_bytes = optional_number(j, "rss_bytes");
        p.pss_bytes = optional_number(j, "pss_bytes");
        p.calls = optional_number(j, "calls");
        series.points.push_back(p);
    }
    return series;
}

}  // namespace pbxbench::report
