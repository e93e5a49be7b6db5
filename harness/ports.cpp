#include "harness/ports.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace pbxbench::harness {

namespace {

// Binds a socket of `type` to 127.0.0.1:`port` (0: any); returns the bound port, 0 on failure.
std::uint16_t try_bind(int type, std::uint16_t port) {
    int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::uint16_t bound = 0;
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        bound = ntohs(a.sin_port);
    ::close(fd);
    return bound;
}

}  // namespace

Result<std::uint16_t> PortAllocator::allocate() {
    for (int attempt = 0; attempt < 200; ++attempt) {
        std::uint16_t port = try_bind(SOCK_STREAM, 0);
        if (port == 0) return fail(std::string("cannot bind a TCP socket on 127.0.0.1: ") + std::strerror(errno));
        if (given_.contains(port)) continue;
        if (try_bind(SOCK_DGRAM, port) != port) continue;  // the UDP twin is taken
        given_.insert(port);
        return port;
    }
    return fail("no port free for both UDP and TCP on 127.0.0.1 after 200 tries");
}

}  // namespace pbxbench::harness
