#pragma once
// Finds the processes that make up one monitored tree, afresh on every tick.
#include <sys/types.h>

#include <compare>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "monitor/proc_reader.hpp"

namespace pbxbench::monitor {

// Identifies a process across PID reuse: a recycled PID has a later start time.
struct ProcKey {
    pid_t pid = 0;
    std::uint64_t starttime_ticks = 0;
    auto operator<=>(const ProcKey&) const = default;
};

inline ProcKey key_of(const ProcStat& st) {
    return {st.pid, st.starttime_ticks};
}

// One observation of a tree: the stat of every member, root first.
struct TreeSnapshot {
    bool root_alive = false;
    std::vector<ProcStat> members;
};

// The root and all its descendants. Members once seen stay members while they live, even when
// reparented out of the tree (to init or a subreaper outside it) because their parent died:
// otherwise their CPU would silently leave the books. The tree is walked again only when a
// process was created somewhere since the last walk; a process adopted by a subreaper member
// without any fork is therefore noticed at the next fork on the machine.
class ProcessTree {
  public:
    explicit ProcessTree(pid_t root_pid) : root_pid_(root_pid) {}

    // Walks the tree; the root counts as gone once it is a zombie, absent, or its PID reused.
    TreeSnapshot discover(ProcReader& proc);

    pid_t root_pid() const { return root_pid_; }

  private:
    void walk(ProcReader& proc, const ProcStat& root, TreeSnapshot& out);
    void visit(ProcReader& proc, const ProcStat& start, TreeSnapshot& out,
               std::set<pid_t>& visited);

    pid_t root_pid_;
    std::uint64_t root_starttime_ticks_ = 0;
    bool root_seen_ = false;
    std::set<ProcKey> members_;
    std::optional<pid_t> walked_at_last_pid_;  // the newest PID in the system at the last walk
};

}  // namespace pbxbench::monitor
