#include "base/private_file.hpp"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

namespace pbxbench {

Result<void> write_private_file(const std::filesystem::path& path, std::string_view text) {
    // unlink, then O_EXCL: an existing file (or a symlink in its place) is never written through.
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return fail(path.string() + ": cannot replace: " + strerror(errno));
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return fail(path.string() + ": cannot create: " + strerror(errno));
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int e = errno;
            ::close(fd);
            return fail(path.string() + ": cannot write: " + strerror(e));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) return fail(path.string() + ": cannot write: " + strerror(errno));
    return {};
}

Result<nlohmann::json> read_json_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(path.string() + ": cannot read: " + strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::parse_error& e) {
        return fail(path.string() + ": not valid JSON: " + e.what());
    }
}

}  // namespace pbxbench
