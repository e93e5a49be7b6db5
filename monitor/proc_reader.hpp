#pragma once
// The seam to /proc: everything the monitor learns about processes comes through ProcReader,
// so tests can substitute a scripted process table (FakeProcReader in tests/unit).
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace pbxbench::monitor {

// The fields of /proc/PID/stat the monitor uses; times are in clock ticks (sysconf(_SC_CLK_TCK)).
struct ProcStat {
    pid_t pid = 0;
    pid_t ppid = 0;
    char state = '?';
    std::uint64_t utime_ticks = 0;
    std::uint64_t stime_ticks = 0;
    std::uint64_t cutime_ticks = 0;  // reaped children's utime+cutime, added when the parent waits
    std::uint64_t cstime_ticks = 0;
    std::uint64_t starttime_ticks = 0;  // since boot; with pid it identifies a process across reuse
    std::int64_t threads = 0;
    std::uint64_t rss_pages = 0;

    std::uint64_t self_ticks() const { return utime_ticks + stime_ticks; }
    std::uint64_t reaped_ticks() const { return cutime_ticks + cstime_ticks; }
};

// Reads the process table. Every call may fail because the process exited meanwhile.
class ProcReader {
  public:
    virtual ~ProcReader() = default;
    // The parsed /proc/PID/stat of `pid`, or an error if it no longer exists.
    virtual Result<ProcStat> stat(pid_t pid) = 0;
    // The direct children of the process `parent` describes (forked by any of its threads).
    virtual Result<std::vector<pid_t>> children(const ProcStat& parent) = 0;
    // Proportional set size from /proc/PID/smaps_rollup; an error where not readable.
    virtual Result<std::uint64_t> pss_bytes(pid_t pid) = 0;
    // Number of open file descriptors (entries of /proc/PID/fd).
    virtual Result<std::int64_t> fd_count(pid_t pid) = 0;
    // The most recently created PID on the machine (the 5th field of /proc/loadavg); it stays
    // the same exactly while no process or thread is created. Nothing if unknown.
    virtual std::optional<pid_t> last_created_pid() = 0;
    // Marks the start of a tick, so an implementation can drop what it cached for processes
    // that were not read during the previous tick.
    virtual void begin_tick() {}
    // Clock ticks since boot now, on the same clock as ProcStat::starttime_ticks.
    virtual std::uint64_t uptime_ticks() = 0;
    virtual long ticks_per_second() const = 0;
    virtual long page_size_bytes() const = 0;
    virtual int cores() const = 0;
};

// Parses the text of /proc/PID/stat; the command name may contain spaces and parentheses.
Result<ProcStat> parse_proc_stat(std::string_view text);

// Extracts the "Pss:" line of /proc/PID/smaps_rollup, in bytes.
Result<std::uint64_t> parse_smaps_rollup_pss(std::string_view text);

// The ProcReader over the real /proc of this machine.
std::unique_ptr<ProcReader> make_real_proc_reader();

}  // namespace pbxbench::monitor
