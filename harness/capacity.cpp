#include "harness/capacity.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <ctime>
#include <fstream>
#include <iostream>
#include <thread>

#include "base/files.hpp"
#include "harness/capacity_report.hpp"
#include "harness/results_writer.hpp"
#include "harness/run_metadata.hpp"
#include "harness/run_plan.hpp"
#include "harness/scenario_runner.hpp"
#include "harness/warm_sut.hpp"
#include "report/capacity_html.hpp"

namespace pbxbench::harness {

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

std::atomic<bool> g_interrupted{false};

extern "C" void on_capacity_signal(int) {
    g_interrupted.store(true);
}

// As `pbxbench run` does (run.cpp): signals only set a flag that every wait looks at.
void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_capacity_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
}

std::filesystem::path default_out_dir(const std::string& profile_name) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    return std::filesystem::path("results") /
           (std::string(stamp) + "-" + profile_name + "-capacity");
}

double seconds_since(SteadyClock::time_point t) {
    return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

std::string g(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// The UAC's RTP port range holds a pair per call: its size bounds concurrent calls with media.
std::optional<double> port_pairs(const std::string& range) {
    auto dash = range.find('-');
    if (dash == std::string::npos) return std::nullopt;
    try {
        return (std::stod(range.substr(dash + 1)) - std::stod(range.substr(0, dash)) + 1) / 2;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// The mode's defaults, then the user's choices (docs/capacity.md).
struct Resolved {
    SearchConfig search;
    std::vector<Slo> slos;
    double hold_s = 0.5;    // cps trials
    double ramp_cps = 200;  // concurrent trials
    bool media = false;
    std::string unit;
};

Resolved resolve(const CapacityOptions& o) {
    Resolved r;
    const bool cps = o.find == FindMode::cps;
    r.unit = cps ? "calls/s" : "calls";
    r.media = o.media.value_or(!cps);
    r.hold_s = o.hold_s.value_or(0.5);
    r.ramp_cps = o.ramp_cps.value_or(200);
    SearchConfig& c = r.search;
    c.start = o.start.value_or(cps ? 100 : 50);
    c.resolution = o.resolution;
    c.budget_s = o.budget_s;
    c.trial_s = o.trial_s.value_or(cps ? 10 : 20);
    c.confirm_s = o.confirm_s.value_or(60);
    c.whole_numbers = !cps;
    c.min_value = 1;
    // The UAC stays clean to about 20,000 calls/s on one thread (docs/uac.md); with media
    // every concurrent call needs an RTP port pair on each side.
    double ceiling = cps ? 20000.0 * std::max(o.uac_threads, 1) : 100000;
    if (!cps && r.media)
        ceiling = std::min(port_pairs(o.uac_rtp_ports).value_or(ceiling),
                           port_pairs(o.uas_rtp_ports).value_or(ceiling));
    c.max_value = o.max_value.value_or(ceiling);
    if (o.max_value && *o.max_value > ceiling)
        throw Fatal("--max " + g(*o.max_value) + " is more than the generator can offer here (" +
                        g(ceiling) + " " + r.unit +
                        (cps ? "; add --threads" : "; widen --uac-rtp-ports/--uas-rtp-ports") + ")",
                    ExitCode::usage);
    if (auto v = validate(c); !v) throw Fatal(v.error().message, ExitCode::usage);

    std::vector<Slo> defaults;
    const char* default_text = cps ? "failures<=0,setup_p99<=2000ms"
                                   : "failures<=0,setup_p99<=2000ms,loss<0.1,mos_p5>=4.0,"
                                     "jitter_p95<=20ms";
    auto parsed_defaults = parse_slos(default_text);
    defaults = *parsed_defaults;
    if (!r.media) {
        std::erase_if(defaults, [](const Slo& s) {
            return s.name == "loss" || s.name.rfind("mos", 0) == 0 || s.name == "jitter_p95";
        });
    }
    r.slos = defaults;
    if (!o.slos.empty()) {
        auto given = parse_slos(o.slos);
        if (!given) throw Fatal(given.error().message, ExitCode::usage);
        r.slos = merge_slos(defaults, *given);
    }
    if (auto m = check_measurable(r.slos, r.media); !m)
        throw Fatal(m.error().message, ExitCode::usage);
    return r;
}

json search_config_json(const Resolved& r, const CapacityOptions& o) {
    const SearchConfig& c = r.search;
    return {{"start", c.start},
            {"resolution", c.resolution},
            {"growth", c.growth},
            {"min", c.min_value},
            {"max", c.max_value},
            {"trial_s", c.trial_s},
            {"confirm_s", c.confirm_s},
            {"budget_s", c.budget_s},
            {"hold_s", r.hold_s},
            {"ramp_cps", r.ramp_cps},
            {"media", r.media},
            {"warm", o.warm},
            {"uac_threads", o.uac_threads},
            {"uas_count", o.uas_count},
            {"cooldown_s", o.cooldown_s}};
}

class CapacityRun {
  public:
    CapacityRun(const CapacityOptions& o, const Resolved& r, const Profile& profile,
                const std::filesystem::path& out_dir, const json& run, RunContext& base_ctx,
                const RunOptions& base_options)
        : o_(o),
          r_(r),
          profile_(profile),
          out_dir_(out_dir),
          run_(run),
          base_ctx_(base_ctx),
          base_options_(base_options) {}

    // One scenario's search; false when no capacity was confirmed.
    bool search(const ScenarioSpec& scenario, std::vector<json>& rows) {
        SearchInfo info;
        info.scenario = scenario.name;
        info.find = o_.find == FindMode::cps ? "cps" : "concurrent";
        info.unit = r_.unit;
        info.sut_mode = base_ctx_.attach ? "attached" : o_.warm ? "warm" : "fresh";
        info.slos = r_.slos;
        info.config = search_config_json(r_, o_);
        CapacitySearch search(r_.search);
        const auto started = SteadyClock::now();
        std::unique_ptr<WarmSut> warm;
        std::optional<AttachTarget> attach = base_ctx_.attach;
        std::string warm_error;
        if (o_.warm && !base_ctx_.attach) {
            base_ctx_.view.note(scenario.name + ": starting one SUT for every trial (--warm)");
            auto w =
                WarmSut::start(base_ctx_, scenario, out_dir_ / "logs" / (scenario.name + "-warm"));
            if (!w)
                warm_error = "the warm SUT did not start: " + w.error().message;
            else
                warm = std::move(*w), attach = warm->target();
        }
        std::vector<json> trial_rows;
        while (!g_interrupted.load()) {
            std::optional<TrialRequest> trial = search.next(seconds_since(started));
            if (!trial) break;
            if (!warm_error.empty()) {
                // Recorded as a trial that measured nothing, so the search stops with the reason.
                LevelMeasurement m;
                m.scenario = scenario.name;
                m.error = warm_error;
                append_trial(info, *trial, m, 0, {}, trial_rows, rows);
                search.record(*trial, TrialVerdict::error, 0);
                break;
            }
            if (trial->index > 0) cooldown();
            if (warm && !warm->alive()) {
                LevelMeasurement m;
                m.scenario = scenario.name;
                m.error = "the warm SUT exited between trials; see " + warm->log_path().string();
                append_trial(info, *trial, m, 0, {}, trial_rows, rows);
                search.record(*trial, TrialVerdict::error, 0);
                break;
            }
            const TrialVerdict v =
                run_trial(info, scenario, *trial, attach, warm.get(), trial_rows, rows);
            const double cost = trial_rows.back()["trial"]["cost_s"].get<double>();
            search.record(*trial, v, cost);
        }
        json result = build_capacity_row(info, search, trial_rows, seconds_since(started), run_);
        if (g_interrupted.load()) result["result"]["stop_reason"] = "interrupted";
        append(result, rows);
        base_ctx_.view.note(scenario.name + ": " +
                            result["result"]["explanation"].get<std::string>());
        return result["result"]["stop_reason"] == "confirmed";
    }

  private:
    void cooldown() {
        const auto end =
            SteadyClock::now() + std::chrono::milliseconds(static_cast<long>(o_.cooldown_s * 1000));
        while (SteadyClock::now() < end && !g_interrupted.load()) std::this_thread::sleep_for(50ms);
    }

    TrialVerdict run_trial(const SearchInfo& info, const ScenarioSpec& scenario,
                           const TrialRequest& trial, const std::optional<AttachTarget>& attach,
                           WarmSut* warm, std::vector<json>& trial_rows, std::vector<json>& rows) {
        const bool cps_mode = o_.find == FindMode::cps;
        RunOptions opts = base_options_;
        std::uint64_t calls = 0;
        if (cps_mode) {
            calls = static_cast<std::uint64_t>(
                std::max(1.0, std::round(trial.value * trial.duration_s)));
            opts.cps = trial.value;
            opts.hold_s = r_.hold_s;
        } else {
            calls = static_cast<std::uint64_t>(trial.value);
            opts.cps = r_.ramp_cps;
            opts.hold_s = trial.duration_s;
        }
        opts.total = static_cast<int>(calls);
        opts.levels = {opts.total};
        RunContext ctx = base_ctx_with(opts, attach);
        LevelOptions lo;
        char stem[64];
        std::snprintf(stem, sizeof stem, "-t%02d-%s-%g", trial.index,
                      std::string(to_string(trial.purpose)).c_str(), trial.value);
        lo.file_stem = scenario.name + stem;
        lo.max_failures = failure_budget(r_.slos, calls);
        if (warm && !profile_.sut.error_pattern.empty()) {
            lo.sut_log = warm->log_path();
            std::error_code ec;
            lo.sut_log_offset = std::filesystem::file_size(warm->log_path(), ec);
            if (ec) lo.sut_log_offset = 0;
        }
        base_ctx_.view.note(scenario.name + " trial " + std::to_string(trial.index) + " (" +
                            std::string(to_string(trial.purpose)) + "): " + g(trial.value) + " " +
                            r_.unit + ", " + std::to_string(calls) + " calls, " +
                            g(trial.duration_s) + " s");
        const auto t0 = SteadyClock::now();
        LevelMeasurement m = run_scenario_level(ctx, scenario, opts.total, 1, lo);
        const double cost = seconds_since(t0);
        TrialSetup setup;
        setup.offered_cps = opts.cps;
        setup.calls = calls;
        setup.generator_cpus = static_cast<int>(
            (base_ctx_.generator_cpus.empty() ? allowed_cpus() : base_ctx_.generator_cpus).size());
        setup.sut_cpus = static_cast<int>(
            (base_ctx_.sut_cpus.empty() ? allowed_cpus() : base_ctx_.sut_cpus).size());
        setup.failure_budget = lo.max_failures;
        return append_trial(info, trial, m, cost, setup, trial_rows, rows, calls, &opts);
    }

    // Judges a trial, writes its row and tells the live view; `opts` null: it never ran.
    TrialVerdict append_trial(const SearchInfo& info, const TrialRequest& trial,
                              const LevelMeasurement& m, double cost, const TrialSetup& setup,
                              std::vector<json>& trial_rows, std::vector<json>& rows,
                              std::uint64_t calls = 0, const RunOptions* opts_ptr = nullptr) {
        json level = build_level_row(m, run_);
        TrialAssessment a = assess_trial(m, level, r_.slos, setup);
        TrialFacts f;
        f.request = trial;
        f.calls = calls;
        f.cps = opts_ptr ? opts_ptr->cps : 0;
        f.hold_s = opts_ptr ? opts_ptr->hold_s : 0;
        f.media = r_.media;
        f.cost_s = cost;
        f.aborted_early = m.aborted_early;
        const json& retrans = m.uac_summary.is_object()
                                  ? m.uac_summary.value("transactions", json::object())
                                        .value("retransmissions_sent", json())
                                  : json();
        if (retrans.is_number()) f.retransmissions = retrans.get<double>();
        f.sip_messages = sip_message_rate(m.uac_summary, m.uas_summary);
        json row = build_trial_row(info, f, a, level, run_);
        trial_rows.push_back(row);
        append(row, rows);
        const auto& reasons = a.generator_reasons.empty() ? a.why : a.generator_reasons;
        std::string why = reasons.empty() ? "" : ": " + reasons.front();
        base_ctx_.view.note(info.scenario + " trial " + std::to_string(trial.index) + " " +
                            g(trial.value) + " " + r_.unit + " → " +
                            std::string(to_string(a.verdict)) + why);
        return a.verdict;
    }

    RunContext base_ctx_with(const RunOptions& opts, const std::optional<AttachTarget>& attach) {
        return RunContext{base_ctx_.profile,
                          opts,
                          base_ctx_.launcher,
                          base_ctx_.probe,
                          base_ctx_.clock,
                          base_ctx_.ports,
                          base_ctx_.view,
                          base_ctx_.interrupted,
                          base_ctx_.out_dir,
                          base_ctx_.self_exe,
                          base_ctx_.sut_cpus,
                          base_ctx_.generator_cpus,
                          attach};
    }

    // As results.jsonl (base/files.hpp): a whole line per write, fsync'd, bytes that are not
    // UTF-8 (a SUT log line) replaced; the row is kept only once it is on disk, and summary.md
    // is replaced atomically.
    void append(const json& row, std::vector<json>& rows) {
        auto jsonl = LineFile::open(out_dir_ / "capacity.jsonl");
        Result<void> written = jsonl ? jsonl->append(to_jsonl_line(row), /*sync=*/true)
                                     : Result<void>(tl::unexpected(jsonl.error()));
        if (!written) {
            base_ctx_.view.problem("error: " + written.error().message);
            return;
        }
        rows.push_back(row);
        if (auto md =
                write_file_atomically(out_dir_ / "summary.md", render_capacity_md(rows, run_));
            !md)
            base_ctx_.view.problem("error: " + md.error().message);
    }

    const CapacityOptions& o_;
    const Resolved& r_;
    const Profile& profile_;
    std::filesystem::path out_dir_;
    const json& run_;
    RunContext& base_ctx_;
    const RunOptions& base_options_;
};

}  // namespace

// The plan `capacity` prints first: what it searches, how, and its longest duration.
static std::string describe_search(const std::vector<const ScenarioSpec*>& scenarios,
                                   const Resolved& r, const CapacityOptions& o) {
    std::string names;
    for (const ScenarioSpec* s : scenarios) names += (names.empty() ? "" : ", ") + s->name;
    const SearchConfig& c = r.search;
    const bool cps = o.find == FindMode::cps;
    std::string text =
        "pbxbench capacity: plan: " + std::to_string(scenarios.size()) + " scenario(s) (" + names +
        "): the highest " + r.unit + " within the SLOs, from " + g(c.start) + ", " +
        human_duration(c.trial_s) + " trials (" +
        (cps ? "calls held " + g(r.hold_s) + " s" : "ramp at " + g(r.ramp_cps) + " calls/s") +
        (r.media ? ", with media" : ", no media") + "), a " + human_duration(c.confirm_s) +
        " confirmation, resolution " + g(c.resolution * 100) + "%\n";
    text += "  at most " + human_duration(c.budget_s) + " per scenario (--budget): at most " +
            human_duration(c.budget_s * static_cast<double>(scenarios.size())) + " in all\n";
    return text;
}

ExitCode run_capacity(const CapacityOptions& options) {
    auto profile = load_profile(options.profile);
    if (!profile) throw Fatal(profile.error().message, ExitCode::usage);
    if (profile->scenarios.empty())
        throw Fatal(options.profile.string() + " has no scenarios", ExitCode::usage);
    auto selected = select_scenarios(
        *profile, options.scenarios.empty() ? profile->scenarios.front().name : options.scenarios);
    if (!selected) throw Fatal(selected.error().message, ExitCode::usage);
    const Resolved resolved = resolve(options);

    std::optional<AttachTarget> attach;
    if (options.attach.enabled) {
        auto target = check_attach(options.attach);
        if (!target) throw Fatal(target.error().message, ExitCode::usage);
        if (selected->size() != 1)
            throw Fatal(
                "--attach measures the PBX as it is running: name the one scenario it is "
                "configured for with --scenario NAME",
                ExitCode::usage);
        if (options.warm)
            throw Fatal(
                "--warm and --attach: an attached PBX is never restarted anyway; drop "
                "--warm",
                ExitCode::usage);
        if (!options.pinning.sut.empty())
            throw Fatal(
                "--pin sut=...: an attached PBX is not started by us, so it cannot be "
                "pinned (pin it yourself, e.g. taskset; gen= still works)",
                ExitCode::usage);
        attach = *target;
    }
    // What the search will do and how long it may take, before anything starts: the budget
    // bounds each scenario's search, so the whole run is bounded too.
    std::cerr << describe_search(*selected, resolved, options) << std::flush;
    if (options.dry_run) {
        std::cerr << "pbxbench capacity: --dry-run: nothing started\n";
        return ExitCode::success;
    }
    auto pinned = apply_pinning(options.pinning);
    if (!pinned) throw Fatal(pinned.error().message, ExitCode::usage);
    const CpuList& sut_cpus = pinned->sut;
    const CpuList& generator_cpus = pinned->generator;

    const auto out_dir = std::filesystem::absolute(
        options.out.empty() ? default_out_dir(profile->name) : options.out);
    std::error_code ec;
    std::filesystem::create_directories(out_dir / "logs", ec);
    if (ec) throw Fatal("cannot create " + out_dir.string() + ": " + ec.message());

    g_interrupted.store(false);
    install_signal_handlers();
    auto launcher = make_real_launcher();
    auto probe = make_real_readiness_probe();
    auto clock = monitor::make_real_clock();
    PortAllocator ports;
    LiveView view(std::cerr, resolve_view_output(options.progress, ::isatty(STDERR_FILENO) != 0),
                  *clock, "pbxbench capacity", STDERR_FILENO);
    view.set_sut_label(profile->name + " " +
                       (profile->health ? profile->health->calls_label : std::string("calls")));
    json run = collect_run_metadata(profile->name, std::filesystem::absolute(options.profile), "",
                                    pinning_json(options.pinning), attach_json(attach));
    const auto self_exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) throw Fatal("cannot find this program's path in /proc/self/exe: " + ec.message());

    RunOptions base;
    base.profile = options.profile;
    base.uas_count = options.uas_count;
    base.media = resolved.media;
    base.uac_rtp_ports = options.uac_rtp_ports;
    base.uas_rtp_ports = options.uas_rtp_ports;
    base.uac_threads = options.uac_threads;
    base.cooldown_s = options.cooldown_s;
    base.pinning = options.pinning;
    RunContext ctx{*profile,      base,    *launcher, *probe,   *clock,         ports, view,
                   g_interrupted, out_dir, self_exe,  sut_cpus, generator_cpus, attach};
    view.note(std::string(options.find == FindMode::cps ? "call rate" : "concurrent calls") +
              " of " + std::to_string(selected->size()) + " scenario(s), budget " +
              g(options.budget_s) + " s each; results in " + out_dir.string());
    std::vector<json> rows;
    bool all_confirmed = true;
    CapacityRun capacity(options, resolved, *profile, out_dir, run, ctx, base);
    for (const ScenarioSpec* scenario : *selected) {
        if (g_interrupted.load()) break;
        all_confirmed = capacity.search(*scenario, rows) && all_confirmed;
    }
    view.finish();
    // A convenience, as for `pbxbench run`: a failure warns and never fails the search.
    if (auto r = report::write_capacity_html(rows, out_dir / "report.html"); !r)
        std::cerr << "warning: report.html not written (" << r.error().message << ")\n";
    std::cout << render_capacity_md(rows, run) << std::flush;
    std::cerr << "pbxbench capacity: results in " << out_dir.string() << "\n";
    if (g_interrupted.load()) return ExitCode::interrupted;
    return all_confirmed ? ExitCode::success : ExitCode::failed;
}

}  // namespace pbxbench::harness
