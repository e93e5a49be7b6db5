#include "harness/log_scan.hpp"

#include <cctype>
#include <fstream>
#include <set>

namespace pbxbench::harness {

namespace {

// The kind of a line: the text from the pattern on, each run of digits replaced by '#'.
std::string kind_of(const std::string& line, std::size_t from) {
    std::string kind;
    bool in_digits = false;
    for (std::size_t i = from; i < line.size(); ++i) {
        const bool digit = std::isdigit(static_cast<unsigned char>(line[i])) != 0;
        if (!digit)
            kind += line[i];
        else if (!in_digits)
            kind += '#';
        in_digits = digit;
    }
    return kind;
}

}  // namespace

LogScan scan_log(std::istream& in, const std::string& pattern, std::size_t max_distinct) {
    LogScan scan;
    scan.pattern = pattern;
    if (pattern.empty()) return scan;
    std::set<std::string> kinds;
    std::string line;
    while (std::getline(in, line)) {
        const std::size_t at = line.find(pattern);
        if (at == std::string::npos) continue;
        ++scan.error_lines;
        if (!kinds.insert(kind_of(line, at)).second) continue;
        ++scan.distinct;
        if (scan.first_distinct.size() < max_distinct) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            scan.first_distinct.push_back(line.size() > 400 ? line.substr(0, 400) + "…" : line);
        }
    }
    return scan;
}

LogScan scan_log_file(const std::filesystem::path& file, const std::string& pattern,
                      std::size_t max_distinct, std::uintmax_t offset) {
    std::ifstream in(file, std::ios::binary);
    if (in && offset > 0) in.seekg(static_cast<std::streamoff>(offset));
    if (!in) {
        LogScan scan;
        scan.pattern = pattern;
        return scan;
    }
    return scan_log(in, pattern, max_distinct);
}

nlohmann::json to_json(const LogScan& scan) {
    return {{"pattern", scan.pattern},
            {"error_lines", scan.error_lines},
            {"distinct", scan.distinct},
            {"first_distinct", scan.first_distinct}};
}

}  // namespace pbxbench::harness
