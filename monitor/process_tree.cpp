#include "monitor/process_tree.hpp"

namespace pbxbench::monitor {

TreeSnapshot ProcessTree::discover(ProcReader& proc) {
    TreeSnapshot out;
    // Read before walking, so a fork during the walk triggers a fresh walk next time.
    const std::optional<pid_t> last_pid = proc.last_created_pid();
    auto root = proc.stat(root_pid_);
    // A zombie root has exited; only its parent has not waited for it yet.
    const bool dead = root && (root->state == 'Z' || root->state == 'X');
    if (root && !dead && (!root_seen_ || root->starttime_ticks == root_starttime_ticks_)) {
        root_seen_ = true;
        root_starttime_ticks_ = root->starttime_ticks;
        out.root_alive = true;
        if (last_pid && last_pid == walked_at_last_pid_) {
            // Nothing was created anywhere since the last walk, so no process can have joined:
            // re-reading the known members is enough and halves the /proc reads per tick.
            out.members.push_back(*root);
            for (const ProcKey& k : members_) {
                if (k.pid == root_pid_) continue;
                auto st = proc.stat(k.pid);
                if (st && st->starttime_ticks == k.starttime_ticks) out.members.push_back(*st);
            }
        } else {
            walk(proc, *root, out);
            walked_at_last_pid_ = last_pid;
        }
    }
    members_.clear();
    for (const ProcStat& st : out.members) members_.insert(key_of(st));
    return out;
}

void ProcessTree::walk(ProcReader& proc, const ProcStat& root, TreeSnapshot& out) {
    std::set<pid_t> visited;
    visit(proc, root, out, visited);
    // Orphans of the tree that still live (same PID, same start time) and their descendants.
    for (const ProcKey& k : members_) {
        if (visited.contains(k.pid)) continue;
        auto st = proc.stat(k.pid);
        if (st && st->starttime_ticks == k.starttime_ticks) visit(proc, *st, out, visited);
    }
}

void ProcessTree::visit(ProcReader& proc, const ProcStat& start, TreeSnapshot& out,
                        std::set<pid_t>& visited) {
    // Iterative, so a deep fork chain cannot exhaust the stack.
    visited.insert(start.pid);
    out.members.push_back(start);
    std::vector<pid_t> pending;
    auto push_children = [&](const ProcStat& st) {
        if (auto kids = proc.children(st)) {
            for (auto it = kids->rbegin(); it != kids->rend(); ++it) pending.push_back(*it);
        }
    };
    push_children(start);
    while (!pending.empty()) {
        pid_t pid = pending.back();
        pending.pop_back();
        if (!visited.insert(pid).second) continue;
        auto st = proc.stat(pid);
        if (!st) continue;  // exited between the parent's listing and now
        out.members.push_back(*st);
        push_children(*st);
    }
}

}  // namespace pbxbench::monitor
