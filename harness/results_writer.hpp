#pragma once
// The run's result files. results.jsonl gets one object per scenario and level, appended and
// flushed the moment that row is known; results.csv holds the same rows flattened to scalar
// columns and is rewritten (atomically, via rename) after each row. A crash later loses
// nothing already measured.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace pbxbench::harness {

// Nested objects become dotted columns ("calls.completed"); arrays are left out (no nested
// blobs in a CSV: the JSONL keeps them). Order follows the object's keys.
std::vector<std::pair<std::string, nlohmann::json>> flatten(const nlohmann::json& row);

// One CSV field: quoted when it holds a comma, quote, CR or LF (RFC 4180).
std::string csv_field(const nlohmann::json& value);

// Header line plus one line per row over the union of every row's columns, in order of first
// appearance; a row without a column leaves the field empty.
std::string to_csv(const std::vector<nlohmann::json>& rows);

class ResultsWriter {
public:
    // Creates `dir` (and parents) if needed; fails naming the path when it cannot.
    static Result<ResultsWriter> open(const std::filesystem::path& dir);

    // Appends one row to results.jsonl (flushed) and rewrites results.csv.
    Result<void> append(const nlohmann::json& row);

    const std::vector<nlohmann::json>& rows() const { return rows_; }
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
    std::vector<nlohmann::json> rows_;
};

}  // namespace pbxbench::harness
