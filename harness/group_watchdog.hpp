#pragma once
// Kills our children's process groups when the harness dies without stopping them (kill -9,
// a crash). PR_SET_PDEATHSIG only reaches the processes we fork ourselves: Kamailio's workers
// (forked by Kamailio) outlive a SIGKILLed main process, reparented to init. So a tiny guard
// process, forked once, holds the read end of a pipe and a table of process groups; when that
// socket reaches EOF (every write end closed: we exited or were killed) it SIGKILLs every group
// still in the table and exits.
#include <sys/types.h>

#include <memory>

#include "base/error.hpp"

namespace pbxbench::harness {

class GroupWatchdog {
  public:
    // Forks the guard. Fork it before starting threads you care about: the guard only calls
    // async-signal-safe functions, but it is a copy of this process's memory.
    static Result<std::unique_ptr<GroupWatchdog>> start();
    // Closes our end (the guard kills whatever is still registered, normally nothing) and
    // reaps the guard.
    ~GroupWatchdog();
    GroupWatchdog(const GroupWatchdog&) = delete;
    GroupWatchdog& operator=(const GroupWatchdog&) = delete;

    // Registers a process group; call it right after fork, before the group can grow.
    void watch(pid_t group);
    // Forgets a group we stopped, so a later guard kill can never hit a reused group id.
    void unwatch(pid_t group);
    pid_t pid() const { return pid_; }

  private:
    GroupWatchdog(pid_t pid, int write_fd) : pid_(pid), write_fd_(write_fd) {}
    void send(int message);

    pid_t pid_;
    int write_fd_;
};

}  // namespace pbxbench::harness
