#include "monitor/monitor.hpp"

#include <cmath>
#include <limits>
#include <set>
#include <thread>
#include <tuple>

#include <nlohmann/json.hpp>

#include "monitor/summary.hpp"

namespace pbxbench::monitor {

namespace {

double ms_between(SteadyTime from, SteadyTime to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

// Adds `v` into `sum`; a sum stays absent only while every part is absent.
template <class T>
void add_optional(std::optional<T>& sum, const std::optional<T>& v) {
    if (v) sum = sum.value_or(T{}) + *v;
}

}  // namespace

Result<void> validate(const MonitorConfig& config) {
    if (config.trees.empty()) return fail("nothing to monitor: give at least one --pid");
    std::set<std::string> names;
    for (const TreeConfig& t : config.trees) {
        if (t.root_pid <= 0) return fail("invalid PID " + std::to_string(t.root_pid));
        if (t.name.empty() || t.name == "total")
            return fail("invalid tree name '" + t.name +
                        "': use a non-empty name other than total");
        if (!names.insert(t.name).second)
            return fail("tree name '" + t.name + "' is used twice: give each tree its own name");
    }
    if (config.interval < min_interval)
        return fail("interval " + std::to_string(config.interval.count()) +
                    " ms is too short: the minimum is 100 ms");
    if (config.duration && *config.duration < config.interval)
        return fail("duration is shorter than one interval");
    if (config.health) {
        if (config.health->request.url.empty()) return fail("health check without a URL");
        if (auto ok = validate(*config.health); !ok) return ok;
    }
    return {};
}

MonitorSeams make_real_seams() {
    return {make_real_proc_reader(), make_real_clock(), make_curl_http_client()};
}

Monitor::Monitor(MonitorConfig config, MonitorSeams seams)
    : config_(std::move(config)), seams_(std::move(seams)) {
    if (auto ok = validate(config_); !ok) throw Fatal(ok.error().message, ExitCode::usage);
    if (config_.health) {
        if (!seams_.http) throw Fatal("health check configured without an HTTP client");
        probe_.emplace(*config_.health, std::move(seams_.http));
    }
    for (const TreeConfig& t : config_.trees)
        trees_.push_back({t, ProcessTree(t.root_pid), {}, true, {}, {}});
    recording_.cores = seams_.proc->cores();
    recording_.ticks_per_second = seams_.proc->ticks_per_second();
    recording_.interval_ms = static_cast<double>(config_.interval.count());
}

double Monitor::seconds_since_start(SteadyTime t) const {
    return start_ ? ms_between(*start_, t) / 1000.0 : 0.0;
}

Sample Monitor::sample_once(SteadyTime now) {
    if (!start_) start_ = now;
    return take_sample(now, static_cast<std::int64_t>(recording_.samples.size()), 0.0);
}

Sample Monitor::take_sample(SteadyTime now, std::int64_t tick, double late_ms) {
    Sample s;
    s.tick = tick;
    s.t_s = seconds_since_start(now);
    s.timestamp_ms = seams_.clock->unix_ms();
    s.late_ms = late_ms;
    seams_.proc->begin_tick();
    const std::uint64_t uptime = seams_.proc->uptime_ticks();
    const int cores = std::max(1, seams_.proc->cores());
    bool sut_fds_complete = true, gen_fds_complete = true;
    bool sut_pss_complete = true, gen_pss_complete = true;
    for (TreeState& state : trees_) {
        TreeSample t = sample_tree(state, now, uptime, s);
        if (t.alive) {
            const bool gen = t.role == Role::generator;
            TotalSample& total = gen ? s.generator : s.total;
            add_optional(total.cpu_percent, t.cpu_percent);
            total.rss_bytes += t.rss_bytes;
            total.threads += t.threads;
            add_optional(total.pss_bytes, t.pss_bytes);
            add_optional(total.fds, t.fds);
            // A total missing one tree's share would understate: then it is absent too.
            (gen ? gen_pss_complete : sut_pss_complete) &= t.pss_bytes.has_value();
            (gen ? gen_fds_complete : sut_fds_complete) &= t.fds.has_value();
        }
        s.trees.push_back(std::move(t));
    }
    for (auto [total, pss_ok, fds_ok] :
         {std::tuple{&s.total, sut_pss_complete, sut_fds_complete},
          std::tuple{&s.generator, gen_pss_complete, gen_fds_complete}}) {
        if (!pss_ok) total->pss_bytes.reset();
        if (!fds_ok) total->fds.reset();
        if (total->cpu_percent) total->machine_share_percent = *total->cpu_percent / cores;
    }
    {
        std::lock_guard lock(health_mutex_);
        s.health = std::exchange(pending_health_, std::nullopt);
    }
    for (const ExitEvent& e : s.events) recording_.events.push_back(e);
    recording_.samples.push_back(s);
    return s;
}

TreeSample Monitor::sample_tree(TreeState& state, SteadyTime now, std::uint64_t uptime_ticks,
                                Sample& out) {
    TreeSample t;
    t.name = state.config.name;
    t.role = state.config.role;
    t.root_pid = state.config.root_pid;
    if (!state.alive) return t;
    ProcReader& proc = *seams_.proc;
    TreeSnapshot snap = state.tree.discover(proc);
    if (!snap.root_alive) {
        // The root is gone: record when, and stop sampling this tree (its orphans included).
        state.alive = false;
        out.events.push_back({state.config.name, state.config.root_pid, out.t_s,
                              state.last_seen ? seconds_since_start(*state.last_seen) : 0.0,
                              out.timestamp_ms});
        return t;
    }
    t.alive = true;
    t.processes = static_cast<std::int64_t>(snap.members.size());
    std::optional<CpuDelta> delta = state.cpu.update(snap.members, uptime_ticks);
    if (delta && state.last_seen) {
        const double wall_s = ms_between(*state.last_seen, now) / 1000.0;
        const double tps = static_cast<double>(proc.ticks_per_second());
        if (wall_s > 0) {
            t.cpu_percent = 100.0 * static_cast<double>(delta->tree_ticks) / tps / wall_s;
            t.peak_process_cpu_percent =
                100.0 * static_cast<double>(delta->peak_process_ticks) / tps / wall_s;
            t.peak_pid = delta->peak_pid;
        }
    }
    state.last_seen = now;
    // Half an interval of slack keeps a 1 s detail interval on every 10th tick at 10 Hz even
    // when ticks jitter.
    const bool detail = !state.last_detail ||
                        now - *state.last_detail >= config_.detail_interval - config_.interval / 2;
    if (detail) state.last_detail = now;
    const auto page = static_cast<std::uint64_t>(proc.page_size_bytes());
    std::optional<std::uint64_t> pss;
    std::optional<std::int64_t> fds;
    if (detail) {
        pss = 0;
        fds = 0;
    }
    for (const ProcStat& st : snap.members) {
        t.rss_bytes += st.rss_pages * page;
        t.threads += st.threads;
        // A member that exited since discovery makes the sum partial; report none rather than
        // a number that looks exact and is not.
        if (pss) {
            auto p = proc.pss_bytes(st.pid);
            pss = p ? std::optional(*pss + *p) : std::nullopt;
        }
        if (fds) {
            auto f = proc.fd_count(st.pid);
            fds = f ? std::optional(*fds + *f) : std::nullopt;
        }
    }
    t.pss_bytes = pss;
    t.fds = fds;
    return t;
}

void Monitor::poll_health_once(SteadyTime now) {
    if (!probe_) return;
    HealthResult r = probe_->poll(seconds_since_start(now));
    std::lock_guard lock(health_mutex_);
    recording_.health_polls.push_back(r);
    pending_health_ = std::move(r);  // a newer poll supersedes one no sample has taken yet
}

void Monitor::health_loop(std::stop_token stop) {
    const SteadyTime t0 = *start_;
    const auto half = config_.interval / 2;
    for (std::int64_t k = 0;; ++k) {
        poll_health_once(seams_.clock->now());
        // Skip the slots a slow poll overran instead of firing them back to back.
        const auto elapsed = seams_.clock->now() - t0 + half;
        k = std::max<std::int64_t>(k, elapsed / config_.interval);
        // Poll half an interval before each sample: the poll for tick k+1 has long finished
        // when that sample is taken, so samples and polls pair one to one instead of racing
        // (a sample slowed by a PSS read would otherwise take two polls' worth and drop one).
        if (!seams_.clock->sleep_until(t0 + (k + 1) * config_.interval - half, stop)) return;
    }
}

void Monitor::run(std::stop_token stop, const std::function<void(const Sample&)>& on_sample) {
    Clock& clock = *seams_.clock;
    const auto interval = config_.interval;
    // With a health endpoint the first poll goes out now and the first sample half an interval
    // later, so even sample 0 carries its own poll (see health_loop).
    const SteadyTime t0 = clock.now() + (probe_ ? interval / 2 : SteadyTime::duration{});
    if (!start_) start_ = t0;
    const std::int64_t last_tick = config_.duration
                                       ? static_cast<std::int64_t>(*config_.duration / interval)
                                       : std::numeric_limits<std::int64_t>::max();

    // jthread's destructor stops and joins the poller on every way out, exceptions included;
    // a poll in flight ends within its timeout.
    std::jthread health;
    if (probe_) health = std::jthread([this](std::stop_token st) { health_loop(st); });

    std::int64_t tick = 0;
    if (probe_ && !clock.sleep_until(t0, stop)) return;
    SteadyTime now = probe_ ? clock.now() : t0;
    while (true) {
        const SteadyTime scheduled = t0 + tick * interval;
        Sample s = take_sample(now, tick, std::max(0.0, ms_between(scheduled, now)));
        if (on_sample) on_sample(s);
        if (tick >= last_tick) break;
        if (config_.end_when_all_exited == EndWhenAllExited::yes && !s.any_tree_alive()) break;
        if (!clock.sleep_until(t0 + (tick + 1) * interval, stop)) break;
        now = clock.now();
        // A tick that starts a whole interval late stands in for the ones it overran; those are
        // counted as missed, never merged silently.
        std::int64_t due = std::max<std::int64_t>(tick + 1, (now - t0) / interval);
        due = std::min(due, last_tick);
        recording_.samples_missed += due - tick - 1;
        tick = due;
    }
}

nlohmann::json Monitor::summary_json() const {
    return monitor::summary_json(recording_);
}

std::vector<std::string> jsonl_lines(const Sample& sample) {
    constexpr auto replace = nlohmann::json::error_handler_t::replace;
    std::vector<std::string> lines;
    for (const ExitEvent& e : sample.events)
        lines.push_back(to_json(e).dump(-1, ' ', false, replace));
    lines.push_back(to_json(sample).dump(-1, ' ', false, replace));
    return lines;
}

void write_jsonl(std::ostream& out, const Sample& sample) {
    for (const std::string& line : jsonl_lines(sample)) out << line << '\n';
    out.flush();
}

}  // namespace pbxbench::monitor
