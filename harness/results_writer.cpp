#include "harness/results_writer.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iterator>
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

std::string to_jsonl_line(const nlohmann::json& row) {
    return row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::filesystem::path> create_unique_dir(const std::filesystem::path& parent,
                                                const std::string& stem) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return fail("cannot create " + parent.string() + ": " + ec.message());
    for (int n = 1; n < 10000; ++n) {
        const auto dir = parent / (n == 1 ? stem : stem + "-" + std::to_string(n));
        if (::mkdir(dir.c_str(), 0755) == 0) return dir;
        if (errno != EEXIST) return fail("cannot create " + file_error(dir, errno));
    }
    return fail("cannot create a results directory under " + parent.string() +
                ": 9999 runs named " + stem + " already");
}

namespace {

// Rows already in `file` (--append). A last line without its newline was cut by a crash or a
// full disk: it is dropped from the file (so the next row starts on a line of its own) with a
// warning. Any other line that does not parse is an error.
Result<std::vector<nlohmann::json>> read_rows(const std::filesystem::path& file,
                                              std::vector<std::string>& warnings) {
    std::vector<nlohmann::json> rows;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return rows;  // none yet (or a device)
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail("cannot read " + file.string());
    std::string text((std::istreambuf_iterator<char>(in)), {});
    std::size_t start = 0, number = 0;
    while (start < text.size()) {
        ++number;
        const std::size_t nl = text.find('\n', start);
        const std::string line = text.substr(start, nl == std::string::npos ? nl : nl - start);
        auto row = nlohmann::json::parse(line, nullptr, false);
        if (nl == std::string::npos) {
            if (row.is_discarded() || !row.is_object()) {
                warnings.push_back(file.string() + ":" + std::to_string(number) +
                                   ": torn last line (no newline) dropped");
                std::error_code cut;
                std::filesystem::resize_file(file, start, cut);
                if (cut)
                    return fail("cannot drop the torn last line of " + file.string() + ": " +
                                cut.message());
                break;
            }
            // Whole but unterminated: finish it, or the next row would be glued to it.
            auto f = LineFile::open(file);
            if (!f) return fail(f.error().message);
            if (auto a = f->append("", true); !a) return fail(a.error().message);
        } else if (line.find_first_not_of(" \t\r") != std::string::npos &&
                   (row.is_discarded() || !row.is_object())) {
            return fail(file.string() + ":" + std::to_string(number) +
                        ": not a JSON object; --append needs a results.jsonl of `pbxbench run`");
        }
        if (!row.is_discarded() && row.is_object()) rows.push_back(std::move(row));
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    return rows;
}

}  // namespace

Result<ResultsWriter> ResultsWriter::open(const std::filesystem::path& dir, bool append) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail("cannot create results directory " + dir.string() + ": " + ec.message());
    ResultsWriter w;
    w.dir_ = dir;
    const bool empty = std::filesystem::is_empty(dir, ec);
    if (ec) return fail("cannot read results directory " + dir.string() + ": " + ec.message());
    if (!empty && !append)
        return fail(dir.string() +
                    " already holds files: one run per directory (choose a new --out, or add "
                    "this run to it with --append)");
    if (append) {
        auto rows = read_rows(dir / "results.jsonl", w.warnings_);
        if (!rows) return fail(rows.error().message);
        w.rows_ = std::move(*rows);
    }
    auto jsonl = LineFile::open(dir / "results.jsonl");
    if (!jsonl) return fail(jsonl.error().message);
    w.jsonl_ = std::move(*jsonl);
    return w;
}

Result<void> ResultsWriter::append(const nlohmann::json& row) {
    if (auto a = jsonl_.append(to_jsonl_line(row), /*sync=*/true); !a) return a;
    rows_.push_back(row);
    // results.jsonl has the row now; results.csv follows it, whole or not at all.
    if (auto c = write_file_atomically(dir_ / "results.csv", to_csv(rows_)); !c)
        return fail(c.error().message + " (results.jsonl has the row; results.csv lags it)");
    return {};
}

Result<void> ResultsWriter::write_file(const std::string& name, const std::string& content) const {
    return write_file_atomically(dir_ / name, content);
}

}  // namespace pbxbench::harness
