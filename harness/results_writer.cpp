#include "harness/results_writer.hpp"

#include <cstdio>
#include <fstream>
#include <map>

namespace pbxbench::harness {

namespace {

void flatten_into(const nlohmann::json& value, const std::string& prefix,
                  std::vector<std::pair<std::string, nlohmann::json>>& out) {
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            flatten_into(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
        }
    } else if (!value.is_array()) {
        out.emplace_back(prefix, value);
    }
}

}  // namespace

std::vector<std::pair<std::string, nlohmann::json>> flatten(const nlohmann::json& row) {
    std::vector<std::pair<std::string, nlohmann::json>> out;
    flatten_into(row, "", out);
    return out;
}

std::string csv_field(const nlohmann::json& value) {
    std::string text;
    if (value.is_null()) return text;
    text = value.is_string() ? value.get<std::string>() : value.dump();
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"') quoted.push_back('"');
        quoted.push_back(c);
    }
    quoted.push_back('"');
    return quoted;
}

std::string to_csv(const std::vector<nlohmann::json>& rows) {
    std::vector<std::string> columns;
    std::map<std::string, std::size_t> index;
    std::vector<std::vector<std::pair<std::string, nlohmann::json>>> flat;
    for (const auto& row : rows) {
        flat.push_back(flatten(row));
        for (const auto& [key, value] : flat.back()) {
            if (index.emplace(key, columns.size()).second) columns.push_back(key);
        }
    }
    std::string out;
    for (std::size_t i = 0; i < columns.size(); ++i) out += (i ? "," : "") + csv_field(columns[i]);
    out += "\n";
    for (const auto& row : flat) {
        std::vector<std::string> fields(columns.size());
        for (const auto& [key, value] : row) fields[index[key]] = csv_field(value);
        for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + fields[i];
        out += "\n";
    }
    return out;
}

Result<ResultsWriter> ResultsWriter::open(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail("cannot create results directory " + dir.string() + ": " + ec.message());
    ResultsWriter w;
    w.dir_ = dir;
    return w;
}

Result<void> ResultsWriter::append(const nlohmann::json& row) {
    rows_.push_back(row);
    {
        std::ofstream jsonl(dir_ / "results.jsonl", std::ios::app);
        jsonl << row.dump() << '\n';
        jsonl.flush();
        if (!jsonl) return fail("cannot append to " + (dir_ / "results.jsonl").string());
    }
    const auto tmp = dir_ / "results.csv.tmp";
    {
        std::ofstream csv(tmp, std::ios::trunc);
        csv << to_csv(rows_);
        csv.flush();
        if (!csv) return fail("cannot write " + tmp.string());
    }
    std::error_code ec;
    std::filesystem::rename(tmp, dir_ / "results.csv", ec);
    if (ec) return fail("cannot replace " + (dir_ / "results.csv").string() + ": " + ec.message());
    return {};
}

}  // namespace pbxbench::harness
