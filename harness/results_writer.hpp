#pragma once
// The run's result files. results.jsonl gets one object per scenario and level, appended in one
// write and fsync'd the moment that row is known; results.csv holds the same rows flattened to
// scalar columns and is rewritten (atomically, via rename) after each row. A crash later loses
// nothing already measured, and a full disk leaves every file whole: the failed row is not
// kept anywhere, and the error says why (ENOSPC) so the run can stop.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/files.hpp"

namespace pbxbench::harness {

// Nested objects become dotted columns ("calls.completed"); arrays are left out (no nested
// blobs in a CSV: the JSONL keeps them). Order follows the object's keys.
std::vector<std::pair<std::string, nlohmann::json>> flatten(const nlohmann::json& row);

// One CSV field: quoted when it holds a comma, quote, CR or LF (RFC 4180).
std::string csv_field(const nlohmann::json& value);

// Header line plus one line per row over the union of every row's columns, in order of first
// appearance; a row without a column leaves the field empty.
std::string to_csv(const std::vector<nlohmann::json>& rows);

// One results.jsonl line: compact JSON, with bytes that are not UTF-8 (a SUT's log tail, a
// collect step's output) replaced by U+FFFD instead of throwing.
std::string to_jsonl_line(const nlohmann::json& row);

// Creates `parent/stem`, or `parent/stem-2`, `-3`, ... when that name is taken. mkdir either
// creates a directory or fails, so two runs started in the same second never share one.
Result<std::filesystem::path> create_unique_dir(const std::filesystem::path& parent,
                                                const std::string& stem);

class ResultsWriter {
public:
  // A new run in `dir`: created if needed (with parents); an error naming the path when it
  // cannot be, or when it already holds files (one run per directory). `append`: an existing
  // run directory is added to; its rows are read back (a torn last line is dropped, with a
  // warning) so results.csv and summary.md cover every row.
  static Result<ResultsWriter> open(const std::filesystem::path& dir, bool append = false);

  // Appends one row to results.jsonl (one write, fsync'd) and rewrites results.csv. On an
  // error neither file holds the row, rows() does not either, and the message says why.
  Result<void> append(const nlohmann::json& row);

  // Replaces dir()/name with `content` atomically (summary.md).
  Result<void> write_file(const std::string& name, const std::string& content) const;

  const std::vector<nlohmann::json>& rows() const { return rows_; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

private:
    std::filesystem::path dir_;
    LineFile jsonl_;
    std::vector<nlohmann::json> rows_;
    std::vector<std::string> warnings_;
};

}  // namespace pbxbench::harness
