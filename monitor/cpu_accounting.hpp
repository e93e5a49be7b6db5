#pragma once
// Turns successive snapshots of a process tree into CPU time consumed between them.
//
// Method (see docs/monitor.md): per-process bookkeeping keyed by (pid, starttime).
// - A member seen at both ticks contributes the growth of its utime+stime.
// - A member born since the previous tick contributes all of its utime+stime.
// - When a member exits, the kernel adds its whole life (utime+stime+cutime+cstime) to its
//   parent's cutime+cstime, but only once the parent reaps it. So each live member also
//   contributes the growth of its cutime+cstime, minus the last-seen totals of the members that
//   vanished beneath it (already counted tick by tick), clamped at zero. What remains is the tail
//   of those members since the last tick plus short-lived children born and reaped in between.
// Lost, by construction: the tail since the last tick of a member reaped outside the tree (after
// reparenting to init) or auto-reaped (SIGCHLD ignored, which skips cutime); a zombie not yet
// reaped is still a member, so nothing is lost while it waits.
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "monitor/process_tree.hpp"

namespace pbxbench::monitor {

// CPU time of one tree between two ticks, in clock ticks.
struct CpuDelta {
    std::uint64_t tree_ticks = 0;
    // The member whose own utime+stime grew most: a single process pinned near 100% of a core is
    // a bottleneck even when the tree total looks modest.
    std::uint64_t peak_process_ticks = 0;
    pid_t peak_pid = 0;
};

class CpuAccountant {
  public:
    // Records `members` as seen at `uptime_ticks`; returns the CPU used since the previous call,
    // or nothing on the first call, which only sets the baseline.
    std::optional<CpuDelta> update(const std::vector<ProcStat>& members,
                                   std::uint64_t uptime_ticks);

  private:
    struct Seen {
        pid_t ppid = 0;
        std::uint64_t self_ticks = 0;
        std::uint64_t reaped_ticks = 0;
    };
    std::map<ProcKey, Seen> previous_;
    std::optional<std::uint64_t> previous_uptime_ticks_;
};

}  // namespace pbxbench::monitor
