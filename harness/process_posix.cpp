// The real ProcessLauncher: fork + execve.
//
// Why not posix_spawn or Boost.Process (the design card's first choice)? Neither can set
// PR_SET_PDEATHSIG in the child, and Boost.Process 1.74 has no clean way to make the child a
// process-group leader before exec. Both matter: PDEATHSIG kills a child whose harness was
// SIGKILLed (nothing else would), and a group per child lets stop() reach Kamailio's forked
// workers too. Between fork and execve the child calls only async-signal-safe functions,
// because the harness is multi-threaded; everything else is prepared before the fork.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include "harness/group_watchdog.hpp"
#include "harness/process.hpp"
#include "harness/profile.hpp"

extern char** environ;

namespace pbxbench::harness {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

ExitStatus from_wait_status(int status) {
    ExitStatus s;
    if (WIFSIGNALED(status)) {
        s.signal = WTERMSIG(status);
        s.core_dumped = WCOREDUMP(status);
    } else {
        s.code = WEXITSTATUS(status);
    }
    return s;
}

// What the child reports through the error pipe when it cannot exec.
struct ChildFailure {
    int stage;  // 0 chdir, 1 execve, 2 sched_setaffinity
    int error;
};

class PosixProcess final : public Process {
  public:
    PosixProcess(LaunchSpec spec, pid_t pid, int stdout_fd, std::shared_ptr<GroupWatchdog> guard)
        : spec_(std::move(spec)), pid_(pid), stdout_fd_(stdout_fd), guard_(std::move(guard)) {}
    ~PosixProcess() override {
        stop();
        if (stdout_fd_ >= 0) ::close(stdout_fd_);
    }

    const std::string& name() const override { return spec_.name; }
    pid_t pid() const override { return pid_; }

    std::optional<ExitStatus> poll() override {
        if (!status_) {
            int st = 0;
            pid_t r = ::waitpid(pid_, &st, WNOHANG);
            if (r == pid_) {
                status_ = from_wait_status(st);
            } else if (r < 0 && errno == ECHILD) {
                status_ = ExitStatus{};  // gone, reaped elsewhere: ended, status unknown
                status_->unknown = true;
            }
        }
        return status_;
    }

    std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout) override {
        const auto deadline = Clock::now() + timeout;
        // Polling (1-10 ms) instead of a pidfd keeps this simple; exits are rare events.
        for (auto step = 1ms; !poll() && Clock::now() < deadline; step = std::min(step * 2, 10ms))
            std::this_thread::sleep_for(step);
        return status_;
    }

    ExitStatus stop() override {
        if (stopped_) return *status_;
        // The whole group, even if the leader already exited: its workers may not have.
        ::kill(-pid_, spec_.stop_signal);
        if (!wait_group_empty(spec_.stop_grace)) {
            const bool leader_alive = !status_;
            ::kill(-pid_, SIGKILL);
            wait_group_empty(5s);  // SIGKILL cannot be ignored; this only waits for the kernel
            if (leader_alive && status_ && status_->signal == SIGKILL)
                status_->killed_after_grace = true;
        }
        if (!status_) {
            int st = 0;
            if (::waitpid(pid_, &st, 0) == pid_) {
                status_ = from_wait_status(st);
            } else {
                // Reaped by someone else: say so, never "exit code 0".
                status_ = ExitStatus{};
                status_->unknown = true;
            }
        }
        if (guard_) guard_->unwatch(pid_);
        stopped_ = true;
        return *status_;
    }

    LineRead read_line(std::chrono::milliseconds timeout) override {
        const auto deadline = Clock::now() + timeout;
        for (;;) {
            if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
                LineRead r{LineRead::Status::line, buffer_.substr(0, nl)};
                buffer_.erase(0, nl + 1);
                return r;
            }
            if (stdout_fd_ < 0 || eof_) {
                if (!buffer_.empty()) return {LineRead::Status::line, std::exchange(buffer_, {})};
                return {LineRead::Status::eof, {}};
            }
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) return {LineRead::Status::timeout, {}};
            pollfd p{stdout_fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            char chunk[4096];
            ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
            if (n > 0) buffer_.append(chunk, static_cast<std::size_t>(n));
            else if (n == 0 || errno != EINTR) eof_ = true;
        }
    }

    std::vector<std::string> log_tail(std::size_t n_lines) const override {
        std::vector<std::string> lines;
        std::ifstream in(spec_.log_path, std::ios::binary);
        if (!in) return lines;
        // The tail of a big log is in its last 64 KiB; reading all of a benchmark's log would not be.
        in.seekg(0, std::ios::end);
        std::streamoff size = in.tellg();
        in.seekg(std::max<std::streamoff>(0, size - 65536));
        std::string line;
        while (std::getline(in, line)) lines.push_back(line);
        if (size > 65536 && !lines.empty()) lines.erase(lines.begin());  // probably cut mid-line
        if (lines.size() > n_lines) lines.erase(lines.begin(), lines.end() - static_cast<long>(n_lines));
        return lines;
    }

    bool log_contains(std::string_view text) const override {
        std::ifstream in(spec_.log_path, std::ios::binary);
        std::string line;
        while (std::getline(in, line))
            if (line.find(text) != std::string::npos) return true;
        return false;
    }

  private:
    // Reaps the leader and any orphans of the group that came back to us (we are a subreaper)
    // until no member is left or `grace` passes.
    bool wait_group_empty(std::chrono::milliseconds grace) {
        const auto deadline = Clock::now() + grace;
        for (auto step = 1ms;; step = std::min(step * 2, 20ms)) {
            poll();
            int st = 0;
            // The group's reap takes the leader too if it exited since poll(): keep its
            // status, or a crash would later read as "exit code 0".
            for (pid_t r; (r = ::waitpid(-pid_, &st, WNOHANG)) > 0;)
                if (r == pid_ && !status_) status_ = from_wait_status(st);
            if (::kill(-pid_, 0) != 0 && errno == ESRCH) return true;
            if (Clock::now() >= deadline) return false;
            std::this_thread::sleep_for(step);
        }
    }

    LaunchSpec spec_;
    pid_t pid_;
    int stdout_fd_;
    std::string buffer_;
    bool eof_ = false;
    bool stopped_ = false;
    std::optional<ExitStatus> status_;
    std::shared_ptr<GroupWatchdog> guard_;
};

class PosixLauncher final : public ProcessLauncher {
  public:
    PosixLauncher() {
        ::prctl(PR_SET_CHILD_SUBREAPER, 1);
        // Best effort: without the guard, PDEATHSIG still takes our direct children.
        if (auto g = GroupWatchdog::start()) guard_ = std::move(*g);
    }

    Result<std::unique_ptr<Process>> launch(const LaunchSpec& spec) override {
        if (spec.argv.empty()) return fail(spec.name + ": empty command");
        auto path = resolve_command(spec.argv.front());
        if (!path) return fail("cannot start " + spec.name + ": " + path.error().message);

        // Everything the child needs, built before fork (no allocation after it).
        std::vector<std::string> env_strings;
        for (char** e = environ; *e; ++e) {
            std::string_view entry(*e);
            std::string key(entry.substr(0, entry.find('=')));
            if (!spec.env.contains(key)) env_strings.emplace_back(entry);
        }
        for (const auto& [k, v] : spec.env) env_strings.push_back(k + "=" + v);
        std::vector<char*> envp, argv;
        for (auto& s : env_strings) envp.push_back(s.data());
        envp.push_back(nullptr);
        std::vector<std::string> args = spec.argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const std::string exe = path->string();
        const std::string workdir = spec.workdir.string();
        cpu_set_t cpus;
        CPU_ZERO(&cpus);
        for (int c : spec.cpus)
            if (c >= 0 && c < CPU_SETSIZE) CPU_SET(c, &cpus);
        const cpu_set_t* affinity = spec.cpus.empty() ? nullptr : &cpus;

        const char* log = spec.log_path.empty() ? "/dev/null" : spec.log_path.c_str();
        int log_fd = ::open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (log_fd < 0) return fail("cannot open log " + std::string(log) + " for " + spec.name + ": " + std::strerror(errno));
        int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
        if (spec.stdout_to == StdoutTo::pipe && ::pipe2(out_pipe, O_CLOEXEC) != 0) out_pipe[0] = out_pipe[1] = -1;
        if (::pipe2(err_pipe, O_CLOEXEC) != 0) err_pipe[0] = err_pipe[1] = -1;
        auto close_all = [&] {
            for (int fd : {log_fd, null_fd, out_pipe[1], err_pipe[0], err_pipe[1]})
                if (fd >= 0) ::close(fd);
        };
        if (null_fd < 0 || err_pipe[0] < 0 || (spec.stdout_to == StdoutTo::pipe && out_pipe[0] < 0)) {
            close_all();
            if (out_pipe[0] >= 0) ::close(out_pipe[0]);
            return fail("cannot start " + spec.name + ": out of file descriptors");
        }

        const pid_t parent = ::getpid();
        pid_t pid = ::fork();
        if (pid < 0) {
            close_all();
            return fail("cannot start " + spec.name + ": fork: " + std::strerror(errno));
        }
        if (pid == 0)
            exec_child(parent, exe, workdir, affinity, argv.data(), envp.data(), null_fd, log_fd,
                       out_pipe[1], err_pipe[1]);

        // Also here, so the group exists before launch() returns whatever the scheduler did.
        ::setpgid(pid, pid);
        if (guard_) guard_->watch(pid);
        ::close(err_pipe[1]);
        err_pipe[1] = -1;
        ChildFailure failure{};
        ssize_t n;
        do n = ::read(err_pipe[0], &failure, sizeof failure);
        while (n < 0 && errno == EINTR);
        close_all();
        if (n == static_cast<ssize_t>(sizeof failure)) {
            int st;
            ::waitpid(pid, &st, 0);
            if (guard_) guard_->unwatch(pid);
            if (out_pipe[0] >= 0) ::close(out_pipe[0]);
            std::string what = failure.stage == 0   ? "cannot enter workdir " + workdir
                               : failure.stage == 2 ? "cannot pin it to its CPUs"
                                                    : "cannot execute " + exe;
            return fail("cannot start " + spec.name + ": " + what + ": " + std::strerror(failure.error));
        }
        return std::make_unique<PosixProcess>(spec, pid, out_pipe[0], guard_);
    }

  private:
    std::shared_ptr<GroupWatchdog> guard_;  // shared: a Process may outlive its launcher

    [[noreturn]] static void exec_child(pid_t parent, const std::string& exe,
                                        const std::string& workdir, const cpu_set_t* affinity,
                                        char** argv, char** envp, int null_fd, int log_fd,
                                        int out_fd, int err_fd) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        // The parent may have died before prctl: then we were already reparented and no signal
        // will ever come, so give up here.
        if (::getppid() != parent) ::_exit(127);
        // Signal dispositions set to ignore and the blocked mask survive execve; the SUT must
        // start with defaults whatever the harness did with SIGPIPE or SIGINT.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (int s = 1; s < NSIG; ++s) ::sigaction(s, &dfl, nullptr);
        ::dup2(null_fd, 0);
        ::dup2(out_fd >= 0 ? out_fd : log_fd, 1);
        ::dup2(log_fd, 2);
        // Close everything else we inherited (sockets of the harness), except the error pipe,
        // which closes itself on exec.
        if (err_fd > 3) ::close_range(3, static_cast<unsigned>(err_fd) - 1, 0);
        ::close_range(static_cast<unsigned>(err_fd) + 1, ~0U, 0);
        ChildFailure failure{0, 0};
        // Before exec, so every thread and worker process the program creates inherits it.
        if (affinity && ::sched_setaffinity(0, sizeof *affinity, affinity) != 0) {
            failure = {2, errno};
        } else if (!workdir.empty() && ::chdir(workdir.c_str()) != 0) {
            failure = {0, errno};
        } else {
            ::execve(exe.c_str(), argv, envp);
            failure = {1, errno};
        }
        (void)!::write(err_fd, &failure, sizeof failure);
        ::_exit(127);
    }
};

}  // namespace

std::unique_ptr<ProcessLauncher> make_real_launcher() {
    return std::make_unique<PosixLauncher>();
}

}  // namespace pbxbench::harness
