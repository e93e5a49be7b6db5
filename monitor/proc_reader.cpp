#include "monitor/proc_reader.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <ctime>
#include <string_view>
#include <unordered_map>

namespace pbxbench::monitor {

namespace {

// Reads all of an open /proc file from offset 0: seq files restart at a pread of offset 0.
bool read_all(int fd, std::string& out) {
    out.clear();
    char buf[4096];
    for (off_t offset = 0;;) {
        ssize_t n = ::pread(fd, buf, sizeof buf, offset);
        if (n < 0) return false;
        if (n == 0) return true;
        out.append(buf, static_cast<std::size_t>(n));
        offset += n;
    }
}

// Reads a whole small /proc file with plain syscalls: the sampler does this hundreds of times a
// second, and iostreams would cost more than the kernel does.
Result<std::string> read_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail("cannot open " + path);
    std::string out;
    const bool ok = read_all(fd, out);
    ::close(fd);
    if (!ok) return fail("cannot read " + path);
    return out;
}

template <class Int>
bool parse_int(std::string_view s, Int& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

// Calls `f(name)` for each numeric entry of a /proc directory.
template <class F>
bool for_each_numeric_entry(const std::string& dir, F&& f) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return false;
    while (dirent* e = ::readdir(d)) {
        pid_t id = 0;
        if (parse_int(std::string_view(e->d_name), id)) f(id);
    }
    ::closedir(d);
    return true;
}

void append_pids(std::string_view text, std::vector<pid_t>& out) {
    while (!text.empty()) {
        auto space = text.find(' ');
        pid_t pid = 0;
        if (parse_int(text.substr(0, space), pid)) out.push_back(pid);
        if (space == std::string_view::npos) break;
        text.remove_prefix(space + 1);
    }
}

// Open /proc files kept across ticks: re-reading an open file skips the path walk, which is
// most of the cost of a small /proc read. A descriptor stays bound to its process, so once that
// process is reaped, reads fail (ESRCH) instead of returning a recycled PID's data.
class FileCache {
  public:
    enum class Kind : std::uint64_t { stat = 0, children = 1, loadavg = 2 };

    ~FileCache() {
        for (auto& [key, entry] : files_) ::close(entry.fd);
    }

    // The content of /proc/PID/stat, /proc/PID/task/PID/children or (pid 0) /proc/loadavg.
    bool read(pid_t pid, Kind kind, std::string& out) {
        const std::uint64_t key =
            (static_cast<std::uint64_t>(pid) << 2) | static_cast<std::uint64_t>(kind);
        if (auto it = files_.find(key); it != files_.end()) {
            it->second.last_used = generation_;
            if (read_all(it->second.fd, out)) return true;
            ::close(it->second.fd);
            files_.erase(it);
            return false;  // the process is gone; reopening would find it gone or recycled
        }
        const std::string p = std::to_string(pid);
        const std::string path = kind == Kind::stat ? "/proc/" + p + "/stat"
                                 : kind == Kind::children
                                     ? "/proc/" + p + "/task/" + p + "/children"
                                     : std::string("/proc/loadavg");
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return false;
        if (!read_all(fd, out)) {
            ::close(fd);
            return false;
        }
        if (files_.size() < max_open_files)
            files_[key] = Entry{fd, generation_};
        else
            ::close(fd);
        return true;
    }

    // Closes what was not read during the previous tick: those processes left the tree.
    void begin_tick() {
        ++generation_;
        std::erase_if(files_, [&](auto& kv) {
            if (kv.second.last_used + 1 >= generation_) return false;
            ::close(kv.second.fd);
            return true;
        });
    }

  private:
    // Bounds our descriptor use on a huge tree; beyond it files are simply reopened.
    static constexpr std::size_t max_open_files = 2048;
    struct Entry {
        int fd;
        std::uint64_t last_used;
    };
    std::unordered_map<std::uint64_t, Entry> files_;
    std::uint64_t generation_ = 0;
};

class RealProcReader final : public ProcReader {
  public:
    RealProcReader()
        : ticks_per_second_(::sysconf(_SC_CLK_TCK)),
          page_size_bytes_(::sysconf(_SC_PAGESIZE)),
          cores_(static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN))) {
        // task/TID/children needs CONFIG_PROC_CHILDREN; without it we scan all of /proc.
        auto self = std::to_string(::getpid());
        has_children_file_ =
            ::access(("/proc/" + self + "/task/" + self + "/children").c_str(), R_OK) == 0;
    }

    Result<ProcStat> stat(pid_t pid) override {
        if (!files_.read(pid, FileCache::Kind::stat, text_))
            return fail("no process with PID " + std::to_string(pid));
        return parse_proc_stat(text_);
    }

    Result<std::vector<pid_t>> children(const ProcStat& parent) override {
        if (!has_children_file_) return scan_children(parent.pid);
        std::vector<pid_t> out;
        if (parent.threads <= 1) {
            // The common case for forking servers: one thread, one file, kept open.
            if (!files_.read(parent.pid, FileCache::Kind::children, text_))
                return fail("no process with PID " + std::to_string(parent.pid));
            append_pids(text_, out);
            return out;
        }
        const std::string base = "/proc/" + std::to_string(parent.pid) + "/task/";
        bool ok = for_each_numeric_entry(base, [&](pid_t tid) {
            if (auto text = read_file(base + std::to_string(tid) + "/children"))
                append_pids(*text, out);
        });
        if (!ok) return fail("no process with PID " + std::to_string(parent.pid));
        return out;
    }

    Result<std::uint64_t> pss_bytes(pid_t pid) override {
        auto text = read_file("/proc/" + std::to_string(pid) + "/smaps_rollup");
        if (!text) return fail(text.error().message);
        return parse_smaps_rollup_pss(*text);
    }

    Result<std::int64_t> fd_count(pid_t pid) override {
        std::int64_t n = 0;
        if (!for_each_numeric_entry("/proc/" + std::to_string(pid) + "/fd", [&](pid_t) { ++n; }))
            return fail("cannot list fds of PID " + std::to_string(pid));
        return n;
    }

    std::optional<pid_t> last_created_pid() override {
        // "0.03 0.04 0.00 2/81 4703": cheap, and kept open like the stat files.
        if (!files_.read(0, FileCache::Kind::loadavg, text_)) return std::nullopt;
        auto slash = text_.rfind(' ');
        pid_t pid = 0;
        if (slash == std::string::npos) return std::nullopt;
        std::string_view tail(text_);
        tail.remove_prefix(slash + 1);
        while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.remove_suffix(1);
        if (!parse_int(tail, pid)) return std::nullopt;
        return pid;
    }

    void begin_tick() override { files_.begin_tick(); }

    std::uint64_t uptime_ticks() override {
        // The kernel stamps starttime from the boot-time clock, so compare on that clock.
        timespec ts{};
        ::clock_gettime(CLOCK_BOOTTIME, &ts);
        const auto tps = static_cast<std::uint64_t>(ticks_per_second_);
        return static_cast<std::uint64_t>(ts.tv_sec) * tps +
               static_cast<std::uint64_t>(ts.tv_nsec) * tps / 1'000'000'000u;
    }

    long ticks_per_second() const override { return ticks_per_second_; }
    long page_size_bytes() const override { return page_size_bytes_; }
    int cores() const override { return cores_; }

  private:
    Result<std::vector<pid_t>> scan_children(pid_t parent) {
        std::vector<pid_t> out;
        for_each_numeric_entry("/proc", [&](pid_t pid) {
            auto text = read_file("/proc/" + std::to_string(pid) + "/stat");
            if (!text) return;
            auto st = parse_proc_stat(*text);
            if (st && st->ppid == parent) out.push_back(pid);
        });
        return out;
    }

    long ticks_per_second_;
    long page_size_bytes_;
    int cores_;
    bool has_children_file_ = false;
    FileCache files_;
    std::string text_;  // reused so a steady-state read allocates nothing
};

}  // namespace

Result<ProcStat> parse_proc_stat(std::string_view text) {
    // The command name is "(comm)" and may itself contain ") ", so split at the last ')'.
    auto open = text.find('(');
    auto close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return fail("malformed /proc stat line");
    ProcStat st;
    if (!parse_int(text.substr(0, open == 0 ? 0 : open - 1), st.pid))
        return fail("malformed pid in /proc stat line");
    std::string_view rest = text.substr(close + 1);
    // Field numbers follow proc(5): 3 is state, right after the command name.
    int field = 3;
    std::int64_t cutime = 0, cstime = 0;
    while (!rest.empty() && field <= 24) {
        while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
        auto end = rest.find_first_of(" \n");
        std::string_view tok = rest.substr(0, end);
        bool ok = true;
        switch (field) {
            case 3:
                st.state = tok.empty() ? '?' : tok.front();
                break;
            case 4:
                ok = parse_int(tok, st.ppid);
                break;
            case 14:
                ok = parse_int(tok, st.utime_ticks);
                break;
            case 15:
                ok = parse_int(tok, st.stime_ticks);
                break;
            case 16:
                ok = parse_int(tok, cutime);
                break;
            case 17:
                ok = parse_int(tok, cstime);
                break;
            case 20:
                ok = parse_int(tok, st.threads);
                break;
            case 22:
                ok = parse_int(tok, st.starttime_ticks);
                break;
            case 24:
                ok = parse_int(tok, st.rss_pages);
                break;
            default:
                break;
        }
        if (!ok) return fail("malformed field " + std::to_string(field) + " in /proc stat line");
        if (end == std::string_view::npos)
            rest = {};
        else
            rest.remove_prefix(end);
        ++field;
    }
    if (field <= 24) return fail("truncated /proc stat line");
    // cutime/cstime are signed in the kernel's format; they are never negative in practice.
    st.cutime_ticks = cutime > 0 ? static_cast<std::uint64_t>(cutime) : 0;
    st.cstime_ticks = cstime > 0 ? static_cast<std::uint64_t>(cstime) : 0;
    return st;
}

Result<std::uint64_t> parse_smaps_rollup_pss(std::string_view text) {
    for (std::size_t pos = 0; pos < text.size();) {
        auto eol = text.find('\n', pos);
        std::string_view line = text.substr(pos, eol == std::string_view::npos ? eol : eol - pos);
        if (line.starts_with("Pss:")) {
            line.remove_prefix(4);
            while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
            auto sp = line.find(' ');
            std::uint64_t kib = 0;
            if (!parse_int(line.substr(0, sp), kib)) return fail("malformed Pss line");
            return kib * 1024;
        }
        if (eol == std::string_view::npos) break;
        pos = eol + 1;
    }
    return fail("no Pss line in smaps_rollup");
}

std::unique_ptr<ProcReader> make_real_proc_reader() {
    return std::make_unique<RealProcReader>();
}

}  // namespace pbxbench::monitor
