#include "monitor/cpu_accounting.hpp"

#include <unordered_map>

namespace pbxbench::monitor {

namespace {

std::uint64_t growth(std::uint64_t now, std::uint64_t before) {
    return now > before ? now - before : 0;
}

}  // namespace

std::optional<CpuDelta> CpuAccountant::update(const std::vector<ProcStat>& members,
                                              std::uint64_t uptime_ticks) {
    std::map<ProcKey, Seen> current;
    for (const ProcStat& st : members)
        current[key_of(st)] = Seen{st.ppid, st.self_ticks(), st.reaped_ticks()};

    std::optional<CpuDelta> result;
    if (previous_uptime_ticks_) {
        CpuDelta delta;
        // Growth of each live member's cutime+cstime, before subtracting what we counted already.
        std::unordered_map<pid_t, std::uint64_t> reaped_growth;
        std::unordered_map<pid_t, std::uint64_t> already_counted;
        for (const auto& [key, now] : current) {
            std::uint64_t self = 0;
            if (auto it = previous_.find(key); it != previous_.end()) {
                self = growth(now.self_ticks, it->second.self_ticks);
                reaped_growth[key.pid] = growth(now.reaped_ticks, it->second.reaped_ticks);
            } else if (key.starttime_ticks >= *previous_uptime_ticks_) {
                self = now.self_ticks;  // born since the last tick: its whole life is new
                reaped_growth[key.pid] = now.reaped_ticks;
            }
            // else: alive at the last tick but not seen then (e.g. a subreaper adopted it):
            // this tick is its baseline.
            delta.tree_ticks += self;
            if (self > delta.peak_process_ticks) {
                delta.peak_process_ticks = self;
                delta.peak_pid = key.pid;
            }
        }
        std::unordered_map<pid_t, const Seen*> gone;
        for (const auto& [key, before] : previous_)
            if (!current.contains(key)) gone[key.pid] = &before;
        for (const auto& [pid, before] : gone) {
            // A vanished member's life lands in the cutime of whoever reaped it; when its parent
            // vanished too, that is the nearest live ancestor (it reaped the parent, which had
            // reaped it, or adopted it as a subreaper).
            pid_t ancestor = before->ppid;
            for (std::size_t hops = 0; hops <= gone.size(); ++hops) {
                auto up = gone.find(ancestor);
                if (up == gone.end()) break;
                ancestor = up->second->ppid;
            }
            if (reaped_growth.contains(ancestor))
                already_counted[ancestor] += before->self_ticks + before->reaped_ticks;
        }
        for (const auto& [pid, grown] : reaped_growth)
            delta.tree_ticks += growth(grown, already_counted[pid]);
        result = delta;
    }
    previous_ = std::move(current);
    previous_uptime_ticks_ = uptime_ticks;
    return result;
}

}  // namespace pbxbench::monitor
