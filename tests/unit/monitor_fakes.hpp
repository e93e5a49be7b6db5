#pragma once
// Scripted stand-ins for the monitor's seams: a process table, a clock and an HTTP client.
#include <deque>
#include <map>
#include <mutex>
#include <optional>

#include "monitor/clock.hpp"
#include "monitor/http_client.hpp"
#include "monitor/proc_reader.hpp"

namespace pbxbench::monitor::testing {

struct FakeProc {
    ProcStat stat;
    std::optional<std::uint64_t> pss_bytes = 1000;
    std::optional<std::int64_t> fds = 3;
};

// A process table edited by the test; children are derived from each entry's ppid.
class FakeProcReader final : public ProcReader {
  public:
    std::map<pid_t, FakeProc> procs;
    std::uint64_t uptime = 10'000;
    pid_t last_pid = 0;  // changes on every spawn(), as the kernel's newest PID does
    int children_calls = 0;

    // Adds a process started now (at the current uptime).
    ProcStat& spawn(pid_t pid, pid_t ppid) {
        ++last_pid;  // not the PID itself: a reused PID is still a new creation
        FakeProc& p = procs[pid];
        p.stat = ProcStat{};
        p.stat.pid = pid;
        p.stat.ppid = ppid;
        p.stat.state = 'S';
        p.stat.starttime_ticks = uptime;
        p.stat.threads = 1;
        p.stat.rss_pages = 10;
        return p.stat;
    }
    ProcStat& at(pid_t pid) { return procs.at(pid).stat; }
    // The process exits; if `reaped`, its whole life goes into its parent's cutime/cstime, as
    // the kernel does when the parent waits for it.
    void exit(pid_t pid, bool reaped = true) {
        ProcStat st = procs.at(pid).stat;
        procs.erase(pid);
        for (auto& [other, p] : procs)
            if (p.stat.ppid == pid) p.stat.ppid = 1;  // orphans go to init
        if (reaped && procs.contains(st.ppid)) {
            procs.at(st.ppid).stat.cutime_ticks += st.utime_ticks + st.cutime_ticks;
            procs.at(st.ppid).stat.cstime_ticks += st.stime_ticks + st.cstime_ticks;
        }
    }

    Result<ProcStat> stat(pid_t pid) override {
        auto it = procs.find(pid);
        if (it == procs.end()) return fail("no process with PID " + std::to_string(pid));
        return it->second.stat;
    }
    Result<std::vector<pid_t>> children(const ProcStat& parent) override {
        const pid_t pid = parent.pid;
        ++children_calls;
        if (!procs.contains(pid)) return fail("gone");
        std::vector<pid_t> out;
        for (const auto& [child, p] : procs)
            if (p.stat.ppid == pid) out.push_back(child);
        return out;
    }
    Result<std::uint64_t> pss_bytes(pid_t pid) override {
        auto it = procs.find(pid);
        if (it == procs.end() || !it->second.pss_bytes) return fail("unreadable");
        return *it->second.pss_bytes;
    }
    Result<std::int64_t> fd_count(pid_t pid) override {
        auto it = procs.find(pid);
        if (it == procs.end() || !it->second.fds) return fail("unreadable");
        return *it->second.fds;
    }
    std::optional<pid_t> last_created_pid() override { return last_pid; }
    std::uint64_t uptime_ticks() override { return uptime; }
    long ticks_per_second() const override { return 100; }
    long page_size_bytes() const override { return 4096; }
    int cores() const override { return 2; }
};

// Time moves only when someone sleeps: to the deadline plus the next scripted oversleep.
class FakeClock final : public Clock {
  public:
    SteadyTime now() override {
        std::lock_guard lock(mutex_);
        return now_;
    }
    std::int64_t unix_ms() override {
        std::lock_guard lock(mutex_);
        return 1'700'000'000'000 +
               std::chrono::duration_cast<std::chrono::milliseconds>(now_ - SteadyTime{}).count();
    }
    bool sleep_until(SteadyTime deadline, std::stop_token stop) override {
        std::lock_guard lock(mutex_);
        if (stop.stop_requested()) return false;
        now_ = std::max(now_, deadline);
        if (!oversleep.empty()) {
            now_ += oversleep.front();
            oversleep.pop_front();
        }
        ++sleeps;
        return true;
    }
    void advance(std::chrono::milliseconds d) {
        std::lock_guard lock(mutex_);
        now_ += d;
    }

    std::deque<std::chrono::milliseconds> oversleep;
    int sleeps = 0;

  private:
    std::mutex mutex_;
    SteadyTime now_{std::chrono::seconds(1000)};
};

// Answers each fetch with the next scripted reply (the last one repeats) and records requests.
class FakeHttpClient final : public HttpClient {
  public:
    std::deque<HttpReply> replies;
    std::vector<HttpRequest> requests;

    HttpReply fetch(const HttpRequest& request) override {
        requests.push_back(request);
        if (replies.empty()) return HttpReply{Transport::error, 0, "", 0.0, "no reply scripted"};
        HttpReply r = replies.front();
        if (replies.size() > 1) replies.pop_front();
        return r;
    }
};

}  // namespace pbxbench::monitor::testing
