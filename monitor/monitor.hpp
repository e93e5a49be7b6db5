#pragma once
// The monitor: samples CPU and memory of named process trees and polls a health endpoint on a
// fixed schedule. Used as a library by the harness and by `pbxbench monitor`.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <stop_token>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "base/error.hpp"
#include "monitor/clock.hpp"
#include "monitor/cpu_accounting.hpp"
#include "monitor/health_probe.hpp"
#include "monitor/http_client.hpp"
#include "monitor/proc_reader.hpp"
#include "monitor/process_tree.hpp"
#include "monitor/sample.hpp"

namespace pbxbench::monitor {

// One process tree to watch: `root_pid` and all its descendants.
struct TreeConfig {
    std::string name;
    pid_t root_pid = 0;
    Role role = Role::sut;
};

enum class EndWhenAllExited { yes, no };

struct MonitorConfig {
    std::vector<TreeConfig> trees;
    std::optional<HealthConfig> health;
    std::chrono::milliseconds interval{1000};
    std::optional<std::chrono::milliseconds> duration;  // none: until stopped
    // PSS and fd counts are read at most this often (null in the samples between): reading
    // smaps_rollup walks every page table of the process, about 1 ms per process with a
    // Kamailio-sized shared memory, and would otherwise dominate the monitor's own CPU.
    std::chrono::milliseconds detail_interval{5000};
    EndWhenAllExited end_when_all_exited = EndWhenAllExited::yes;
};

inline constexpr std::chrono::milliseconds min_interval{100};

// Checks the configuration: at least one tree, unique names, interval of at least 100 ms.
Result<void> validate(const MonitorConfig& config);

// The outside world as the monitor sees it; tests pass fakes.
struct MonitorSeams {
    std::unique_ptr<ProcReader> proc;
    std::unique_ptr<Clock> clock;
    std::unique_ptr<HttpClient> http;  // needed only when health is configured
};

// /proc, steady/system clocks and libcurl.
MonitorSeams make_real_seams();

class Monitor {
  public:
    // Throws Fatal if `config` does not validate; check with validate() first to avoid that.
    Monitor(MonitorConfig config, MonitorSeams seams);

    // Takes one sample at `now`: deterministic given the seams' answers. The first sample of a
    // tree is its CPU baseline (cpu_percent absent). Not thread-safe against run().
    Sample sample_once(SteadyTime now);

    // Polls the health endpoint once; the result goes to the next sample. Blocks at most about
    // the configured timeout. Safe to call from another thread than sample_once().
    void poll_health_once(SteadyTime now);

    // Samples at start + k * interval until the duration elapses, `stop` is requested, or every
    // tree has exited (if so configured). Health is polled on a second thread on the same
    // schedule, so a hanging endpoint never delays a CPU sample. `on_sample` runs on the calling
    // thread after each sample (e.g. to write it out).
    void run(std::stop_token stop, const std::function<void(const Sample&)>& on_sample = {});

    // The samples, polls and events so far. Read it only when run() is not running.
    const Recording& recording() const { return recording_; }

    // summary_json(recording()).
    nlohmann::json summary_json() const;

  private:
    struct TreeState {
        TreeConfig config;
        ProcessTree tree;
        CpuAccountant cpu;
        bool alive = true;
        std::optional<SteadyTime> last_seen;
        std::optional<SteadyTime> last_detail;  // when PSS and fds were last read
    };

    Sample take_sample(SteadyTime now, std::int64_t tick, double late_ms);
    TreeSample sample_tree(TreeState& state, SteadyTime now, std::uint64_t uptime_ticks,
                           Sample& out);
    void health_loop(std::stop_token stop);
    double seconds_since_start(SteadyTime t) const;

    MonitorConfig config_;
    MonitorSeams seams_;
    std::optional<HealthProbe> probe_;
    std::vector<TreeState> trees_;
    std::optional<SteadyTime> start_;
    Recording recording_;
    // Guards the health hand-over between the poll thread and the sampler.
    std::mutex health_mutex_;
    std::optional<HealthResult> pending_health_;
};

// The sample's events, then the sample: one JSON object each, without newlines. Bytes that are
// not UTF-8 (a health endpoint answering garbage ends up in health_error) are replaced by
// U+FFFD rather than throwing.
std::vector<std::string> jsonl_lines(const Sample& sample);

// Writes jsonl_lines, one per line, and flushes so a crash loses nothing already measured.
void write_jsonl(std::ostream& out, const Sample& sample);

}  // namespace pbxbench::monitor
