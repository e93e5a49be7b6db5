#include "base/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace pbxbench {

namespace {

// Writes all of `data` (retrying short writes and EINTR); 0 or the errno of the failure.
int write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (n == 0) return EIO;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return 0;
}

}  // namespace

std::string file_error(const std::filesystem::path& path, int error) {
    return path.string() + ": " + std::strerror(error);
}

Result<LineFile> LineFile::open(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return fail("cannot open " + file_error(path, errno));
    LineFile f;
    f.fd_ = fd;
    f.path_ = path;
    return f;
}

LineFile::~LineFile() {
    if (fd_ >= 0) ::close(fd_);
}

LineFile::LineFile(LineFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

LineFile& LineFile::operator=(LineFile&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
    }
    return *this;
}

Result<void> LineFile::append(std::string_view line, bool sync_after) {
    if (fd_ < 0) return fail(path_.string() + ": not open");
    struct stat before {};
    if (::fstat(fd_, &before) != 0) return fail("cannot append to " + file_error(path_, errno));
    std::string whole;
    whole.reserve(line.size() + 1);
    whole.append(line);
    whole.push_back('\n');
    // One write for the whole line: a reader (or a crash) sees all of it or none of it.
    if (int err = write_all(fd_, whole); err != 0) {
        // Whatever part made it to the file goes again, or the next line would be glued to it.
        (void)!::ftruncate(fd_, before.st_size);
        return fail("cannot append to " + file_error(path_, err));
    }
    if (sync_after) return sync();
    return {};
}

Result<void> LineFile::sync() {
    if (fd_ >= 0 && ::fsync(fd_) != 0 && errno != EINVAL)
        return fail("cannot sync " + file_error(path_, errno));
    return {};
}

Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view content) {
    static std::atomic<unsigned> counter{0};
    auto tmp = path;
    tmp += ".tmp" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail("cannot write " + file_error(tmp, errno));
    int err = write_all(fd, content);
    if (err == 0 && ::fsync(fd) != 0 && errno != EINVAL) err = errno;
    if (::close(fd) != 0 && err == 0) err = errno;
    if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
    if (err != 0) {
        ::unlink(tmp.c_str());
        return fail("cannot write " + file_error(path, err));
    }
    return {};
}

}  // namespace pbxbench
