#pragma once
// What the monitor records: one Sample per tick, events, and their JSON lines.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pbxbench::monitor {

// The system under test, a helper it relies on (rtpengine), or our own load generator.
enum class Role { sut, sidecar, generator };

const char* role_name(Role role);

// One tree at one tick. Memory and thread figures are sums over the tree's processes.
struct TreeSample {
    std::string name;
    Role role = Role::sut;
    pid_t root_pid = 0;
    bool alive = false;
    std::int64_t processes = 0;
    std::optional<double> cpu_percent;  // 100 = one core; absent on the baseline tick
    std::optional<double> peak_process_cpu_percent;
    pid_t peak_pid = 0;
    std::uint64_t rss_bytes = 0;             // summed RSS: shared pages count once per process
    std::optional<std::uint64_t> pss_bytes;  // summed PSS; absent unless readable for every member
    std::int64_t threads = 0;
    std::optional<std::int64_t> fds;  // absent unless readable for every member
};

// Aggregate over several trees (the SUT and its sidecars, or the generator's trees).
struct TotalSample {
    std::optional<double> cpu_percent;
    std::optional<double> machine_share_percent;  // cpu_percent / cores
    std::uint64_t rss_bytes = 0;
    std::optional<std::uint64_t> pss_bytes;
    std::int64_t threads = 0;
    std::optional<std::int64_t> fds;
};

// How one health poll ended.
enum class HealthOutcome { ok, http_error, unhealthy, unparsable, timeout, transport_error };

const char* outcome_name(HealthOutcome outcome);

// The interpreted result of one health poll.
struct HealthResult {
    double t_s = 0;  // when the poll started, seconds since the monitor's start
    HealthOutcome outcome = HealthOutcome::ok;
    bool healthy = false;
    std::optional<long> http_status;
    std::optional<double> latency_ms;
    std::optional<double> calls;
    std::string error;  // empty when nothing went wrong
};

// A tree's root process exited; it happened in (last_seen_t_s, t_s].
struct ExitEvent {
    std::string tree;
    pid_t pid = 0;
    double t_s = 0;
    double last_seen_t_s = 0;
    std::int64_t timestamp_ms = 0;
};

// Everything recorded at one tick.
struct Sample {
    std::int64_t tick = 0;          // scheduled at start + tick * interval
    double t_s = 0;                 // when it was taken, seconds since the monitor's start
    std::int64_t timestamp_ms = 0;  // wall clock, Unix epoch milliseconds
    double late_ms = 0;             // how long after its scheduled time it started
    std::vector<TreeSample> trees;
    TotalSample total;                   // trees with role sut or sidecar
    TotalSample generator;               // trees with role generator
    std::optional<HealthResult> health;  // the newest poll finished since the previous sample
    std::vector<ExitEvent> events;

    bool any_tree_alive() const;
};

// One JSON object per line, keys as in docs/monitor.md.
nlohmann::json to_json(const TreeSample& tree);
nlohmann::json to_json(const TotalSample& total);
nlohmann::json to_json(const HealthResult& health);
nlohmann::json to_json(const ExitEvent& event);
nlohmann::json to_json(const Sample& sample);

}  // namespace pbxbench::monitor

namespace pbxbench::monitor {

// Everything one monitoring run produced, kept whole so summaries are exact and runs can merge.
struct Recording {
    int cores = 1;
    long ticks_per_second = 100;
    double interval_ms = 1000;
    std::vector<Sample> samples;
    std::vector<HealthResult> health_polls;  // every poll, including ones no sample carried
    std::vector<ExitEvent> events;
    std::int64_t samples_missed = 0;  // scheduled ticks skipped because an earlier one ran late
};

}  // namespace pbxbench::monitor
