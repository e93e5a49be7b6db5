#pragma once
// `--pin sut=0,gen=1`: which CPUs the SUT (with its sidecars and setup steps) and the generator
// (pbxbench uas, pbxbench uac and the harness itself, monitor thread included) may run on.
// Parsing and validation are pure; applying the CPUs happens in the launched child
// (LaunchSpec::cpus) and, for the harness, in pin_this_thread.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace pbxbench::harness {

// Sorted, unique CPU numbers; empty means "not pinned" (wherever the scheduler likes).
using CpuList = std::vector<int>;

struct Pinning {
    CpuList sut;        // SUT, sidecars, setup steps
    CpuList generator;  // uas, uac, the harness (monitor)

    bool any() const { return !sut.empty() || !generator.empty(); }
};

// "0", "0-1", "0,2-3" -> sorted unique CPUs. Errors say what was expected.
Result<CpuList> parse_cpu_list(std::string_view text);

// "sut=0,gen=1", "sut=0-1,generator=2,3", "gen=1". An item without '=' continues the
// previous role's list, so commas work both between CPUs and between roles. Each role at most
// once; at least one; the two lists may not share a CPU (the point is to separate them).
Result<Pinning> parse_pin_option(std::string_view text);

// Every pinned CPU must be one this process may run on (`allowed`, from sched_getaffinity);
// otherwise an error naming the missing CPUs and the allowed ones.
Result<void> check_cpus_allowed(const Pinning& pinning, const CpuList& allowed);

// The CPUs this process may run on now (sched_getaffinity of the calling thread).
CpuList allowed_cpus();

// Restricts the calling thread (and the threads it creates afterwards) to `cpus`.
Result<void> pin_this_thread(const CpuList& cpus);

// The CPUs each role runs on for a run (empty lists: not pinned, run anywhere).
struct PinnedCpus {
    CpuList sut;
    CpuList generator;
};
// Checks `pinning` against the CPUs we may use and, when anything is pinned, moves this thread
// (the harness goes with the generator) onto the generator's CPUs; a role left out runs on
// every CPU we had, not the other role's. Errors say "--pin: ...".
Result<PinnedCpus> apply_pinning(const Pinning& pinning);

// "0-1,3": the kernel's own format (as in /proc/PID/status Cpus_allowed_list).
std::string format_cpu_list(const CpuList& cpus);

// For `run.pinning`: {"sut":[0],"generator":[1]} (null for a role left unpinned), or the string
// "none (SUT and generator share the machine)" without --pin.
nlohmann::json pinning_json(const Pinning& pinning);

}  // namespace pbxbench::harness
