#pragma once
// Forked test children that cannot outlive the test: each runs in its own process group, dies
// with the test process and after a deadline, and is killed and reaped, descendants included,
// when its guard goes out of scope (also when an assertion fails).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <stdexcept>

namespace pbxbench::monitor::testing {

// A one-way byte channel for "ready"/"go" handshakes between the test and its children.
class Pipe {
  public:
    Pipe() {
        if (::pipe2(fds_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    }
    ~Pipe() {
        ::close(fds_[0]);
        ::close(fds_[1]);
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;

    void send(char c = '.') const {
        while (::write(fds_[1], &c, 1) < 0 && errno == EINTR) {
        }
    }
    // Waits up to `timeout` for `n` bytes; false on timeout or EOF.
    bool receive(int n = 1, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (int got = 0; got < n;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd p{fds_[0], POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            char c;
            ssize_t r = ::read(fds_[0], &c, 1);
            if (r == 0) return false;
            if (r == 1) ++got;
        }
        return true;
    }

  private:
    int fds_[2];
};

// Runs `body` in a forked child (which then exits); the guard kills and reaps the whole group.
class Child {
  public:
    // `own` puts the child in a process group of its own, so the guard can kill it and all its
    // descendants at once; children forked inside a Child `inherit` that group.
    enum class Group { own, inherit };

    explicit Child(const std::function<void()>& body, Group group = Group::own, int deadline_s = 30)
        : group_(group) {
        // Orphaned grandchildren come back to us, so the destructor can reap them too.
        ::prctl(PR_SET_CHILD_SUBREAPER, 1);
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            if (group == Group::own) ::setpgid(0, 0);
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            ::alarm(static_cast<unsigned>(deadline_s));  // bounded even if the test hangs
            body();
            ::_exit(0);
        }
        if (group == Group::own)
            ::setpgid(pid_, pid_);  // also here: the child may not have run yet
    }
    ~Child() { kill_and_reap(); }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }

    // Kills the group and reaps every member that is ours; idempotent.
    void kill_and_reap() {
        if (pid_ <= 0) return;
        if (group_ == Group::own) ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        // Reaping the leader reparented its children to us; reap them as they die.
        while (group_ == Group::own && (::waitpid(-pid_, &status, 0) > 0 || errno == EINTR)) {
        }
        pid_ = -1;
    }
    // Reaps the child after it exits on its own; returns false if it has not within `timeout`.
    bool wait_exit(std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return true;
            }
            ::usleep(1000);
        }
        return false;
    }

  private:
    Group group_;
    pid_t pid_ = -1;
};

inline double thread_cpu_s() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Spins until this thread has used `cpu_s` more CPU seconds.
inline void burn_cpu_s(double cpu_s) {
    const double until = thread_cpu_s() + cpu_s;
    while (thread_cpu_s() < until) {
    }
}

inline void sleep_until(std::chrono::steady_clock::time_point t) {
    const auto d = t - std::chrono::steady_clock::now();
    if (d.count() <= 0) return;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

// Uses `duty` of a core, measured in CPU time rather than wall time, so a child that is briefly
// preempted catches up and the long-run share stays exact. Runs forever (until killed).
inline void burn_duty_cycle(double duty, std::chrono::milliseconds period) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu0 = thread_cpu_s();
    const double period_s = std::chrono::duration<double>(period).count();
    for (long k = 1;; ++k) {
        const double target = cpu0 + duty * period_s * static_cast<double>(k);
        while (thread_cpu_s() < target) {
        }
        sleep_until(start + k * period);
    }
}

}  // namespace pbxbench::monitor::testing
