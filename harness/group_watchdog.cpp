#include "harness/group_watchdog.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pbxbench::harness {

namespace {

// Groups one run can have alive at once are a handful; 4096 leaves room for any harness.
constexpr int max_groups = 4096;

// The guard's whole life: only read, kill, sigaction, close and _exit (async-signal-safe),
// because it is forked from a possibly multi-threaded process and never execs.
[[noreturn]] void guard(int read_fd) {
    // Its own group: a Ctrl-C meant for the harness must not kill the guard first, and a
    // SIGKILL to the harness's group leaves the guard to clean up after it.
    ::setpgid(0, 0);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) ::sigaction(s, &ignore, nullptr);
    ::prctl(PR_SET_NAME, "pbxbench-guard");
    // Every other inherited descriptor goes, above all the pipe's write end (or no EOF ever).
    if (read_fd > 0) ::close_range(0, static_cast<unsigned>(read_fd) - 1, 0);
    ::close_range(static_cast<unsigned>(read_fd) + 1, ~0U, 0);

    static pid_t groups[max_groups];
    int count = 0;
    for (;;) {
        int message = 0;
        ssize_t n = ::read(read_fd, &message, sizeof message);
        if (n < 0 && errno == EINTR) continue;
        if (n != static_cast<ssize_t>(sizeof message)) break;  // EOF: the harness is gone
        if (message > 0) {
            if (count < max_groups) groups[count++] = message;
        } else {
            for (int i = 0; i < count; ++i)
                if (groups[i] == -message) {
                    groups[i] = groups[--count];
                    break;
                }
        }
    }
    for (int i = 0; i < count; ++i) ::kill(-groups[i], SIGKILL);
    ::_exit(0);
}

}  // namespace

Result<std::unique_ptr<GroupWatchdog>> GroupWatchdog::start() {
    int fds[2];
    // A socket pair rather than a pipe: send(MSG_NOSIGNAL) cannot raise SIGPIPE if the guard
    // is gone. CLOEXEC: children we exec must not hold our end (the guard would never see EOF).
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
        return fail(std::string("process guard: socketpair: ") + std::strerror(errno));
    pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return fail(std::string("process guard: fork: ") + std::strerror(errno));
    }
    if (pid == 0) guard(fds[0]);
    ::close(fds[0]);
    return std::unique_ptr<GroupWatchdog>(new GroupWatchdog(pid, fds[1]));
}

GroupWatchdog::~GroupWatchdog() {
    ::close(write_fd_);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
}

void GroupWatchdog::watch(pid_t group) {
    if (group > 0) send(group);
}

void GroupWatchdog::unwatch(pid_t group) {
    if (group > 0) send(-group);
}

void GroupWatchdog::send(int message) {
    // One message per packet (SEQPACKET); the guard reads them as fast as we start processes.
    ssize_t n;
    do n = ::send(write_fd_, &message, sizeof message, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
}

}  // namespace pbxbench::harness
