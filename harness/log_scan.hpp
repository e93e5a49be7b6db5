#pragma once
// The SUT's own log, scanned for error lines after a level or trial: how many there were and
// the first few distinct ones, so "why did the calls fail" has the SUT's own words (e.g.
// Kamailio's "could not allocate shared memory from shm pool"). The pattern comes from the
// profile (`[sut] error_pattern`).
#include <filesystem>
#include <istream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pbxbench::harness {

struct LogScan {
    std::string pattern;
    std::uint64_t error_lines = 0;
    // The first line of each distinct kind, in order of first appearance, at most `max_distinct`.
    // Lines are of one kind when they match after digits are ignored from the pattern on, so
    // the process id, Call-ID counters and timestamps before it do not make every line new.
    std::vector<std::string> first_distinct;
    std::uint64_t distinct = 0;  // kinds seen, including those not kept
};

// Scans `in` line by line for `pattern` (plain text, case-sensitive). An empty pattern finds
// nothing. Lines longer than 400 characters are cut in `first_distinct`.
LogScan scan_log(std::istream& in, const std::string& pattern, std::size_t max_distinct = 5);

// The same over a file from byte `offset` on (a SUT kept across trials: only what this trial
// logged); an unreadable or missing file scans as nothing.
LogScan scan_log_file(const std::filesystem::path& file, const std::string& pattern,
                      std::size_t max_distinct = 5, std::uintmax_t offset = 0);

// {"pattern", "error_lines", "distinct", "first_distinct": [...]}
nlohmann::json to_json(const LogScan& scan);

}  // namespace pbxbench::harness
