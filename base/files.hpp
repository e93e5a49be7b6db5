#pragma once
// Result files that survive a full disk, a crash or a kill: JSON Lines appended whole (one
// write per line, undone if it comes back short) and whole-file rewrites through a temporary
// file and a rename. Every error names the file and the system's reason ("No space left on
// device"), so a run can stop at once and say why.
#include <filesystem>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace pbxbench {

// An append-only file of lines. Not thread-safe: one owner writes.
class LineFile {
  public:
    LineFile() = default;
    // Opens (creating, 0644) for appending; an error naming the path and errno otherwise.
    static Result<LineFile> open(const std::filesystem::path& path);
    ~LineFile();
    LineFile(LineFile&& other) noexcept;
    LineFile& operator=(LineFile&& other) noexcept;
    LineFile(const LineFile&) = delete;
    LineFile& operator=(const LineFile&) = delete;

    // Appends `line` and a newline in one write(2) (`line` must not contain one). If the write
    // fails or comes back short, the file is cut back to its size before, so it only ever
    // holds whole lines. `sync`: fsync before returning, so the line survives a crash.
    Result<void> append(std::string_view line, bool sync);
    Result<void> sync();
    bool is_open() const { return fd_ >= 0; }
    const std::filesystem::path& path() const { return path_; }

  private:
    int fd_ = -1;
    std::filesystem::path path_;
};

// Replaces `path` with `content`: written to a temporary file beside it, fsync'd and renamed
// over it. On any failure the temporary file is removed and `path` keeps its old content.
Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view content);

// "<path>: <strerror(error)>", for messages.
std::string file_error(const std::filesystem::path& path, int error);

}  // namespace pbxbench
