#include "harness/scenario_runner.hpp"

#include <signal.h>

#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "base/files.hpp"
#include "base/private_file.hpp"
#include "harness/child_json.hpp"
#include "harness/http_load_plan.hpp"
#include "harness/log_scan.hpp"
#include "harness/run_messages.hpp"
#include "harness/run_metadata.hpp"
#include "harness/scenario_plan.hpp"
#include "harness/subscribers.hpp"
#include "monitor/http_load_driver.hpp"
#include "monitor/monitor.hpp"
#include "uac/uac_args.hpp"
#include "uas/uas_args.hpp"

namespace pbxbench::harness {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

std::string fixed(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// `pbxbench uas` or `pbxbench uac` with its whole configuration in `file`, written 0600:
// passwords never appear on a command line (ps shows argv to every local user).
Result<std::vector<std::string>> config_file_args(std::string_view command,
                                                  const nlohmann::json& config,
                                                  const std::filesystem::path& file) {
    if (auto w = write_private_file(file, config.dump(2) + "\n"); !w)
        return tl::unexpected(w.error());
    return std::vector<std::string>{std::string(command), "--config", file.string()};
}

std::string user_list(const std::vector<uac::Subscriber>& users) {
    std::string out;
    for (const auto& u : users)
        out += (out.empty() ? "" : ",") + u.user + (u.password.empty() ? "" : ":" + u.password);
    return out;
}

LaunchSpec pbxbench_child(const RunContext& ctx, const std::string& name,
                          std::vector<std::string> args, const std::filesystem::path& log) {
    LaunchSpec spec;
    spec.name = name;
    spec.argv = {ctx.self_exe.string()};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.log_path = log;
    spec.stdout_to = StdoutTo::pipe;
    spec.stop_signal = SIGTERM;
    // Both end their calls or un-REGISTER within 5 s of the signal (their own grace).
    spec.stop_grace = 8s;
    spec.cpus = ctx.generator_cpus;
    return spec;
}

// The level's own state while it runs; the monitor thread only touches `view` and the samples file.
class LevelRun {
  public:
    LevelRun(const RunContext& ctx, const ScenarioSpec& scenario, int level, int repeat,
             const LevelOptions& options)
        : ctx_(ctx),
          scenario_(scenario),
          level_(level),
          file_stem_(!options.file_stem.empty()
                         ? options.file_stem
                         : scenario.name + "-" + std::to_string(level) +
                               (repeat > 1 ? "-r" + std::to_string(repeat) : "")),
          children_(ctx.launcher) {
        max_failures_ = options.max_failures;
        sut_log_path_ = options.sut_log;
        sut_log_offset_ = options.sut_log_offset;
        m_.scenario = scenario.name;
        m_.level = level;
        m_.repeat = repeat;
        m_.interval_s = ctx.options.monitor_interval_ms / 1000.0;
        auto subscribers =
            resolve_subscribers(ctx.profile, &scenario, subscriber_counts(ctx.options));
        if (subscribers)
            subscribers_ = std::move(*subscribers);
        else
            subscribers_error_ = subscribers.error().message;
        m_.config = {{"total", level},
                     {"cps", ctx.options.cps},
                     {"hold_s", ctx.options.hold_s},
                     {"hold_at_s", ctx.options.hold_at_s},
                     {"hold_for_s", ctx.options.hold_for_s},
                     {"uas_count", subscribers_.callees.size()},
                     {"callers", subscribers_.callers.size()},
                     {"callees", subscribers_.callees.size()},
                     {"mapping", uac::to_string(subscribers_.mapping)},
                     {"seed", subscribers_.seed},
                     {"callers_register", subscribers_.callers_register},
                     {"cooldown_s", ctx.options.cooldown_s},
                     {"quick", ctx.options.quick},
                     {"repeat", repeat},
                     {"repeats", ctx.options.repeat},
                     {"monitor_interval_ms", ctx.options.monitor_interval_ms},
                     {"scenario_description", scenario.description},
                     {"messages", messages_config(ctx.options)}};
        if (!scenario.workload.empty()) m_.config["workload"] = scenario.workload;
    }

    LevelMeasurement run() {
        m_.started_at = utc_timestamp_now();
        ctx_.view.begin(scenario_.name, {level_, ctx_.options.cps, ctx_.options.hold_s});
        ctx_.view.phase(Phase::starting_sut);
        if (auto r = start_and_measure(); !r) m_.error = r.error().message;
        if (ctx_.interrupted.load()) m_.interrupted = true;
        stop_http_load();
        stop_monitor();
        // Before the stop signal: errors logged while shutting down are not the load's.
        if (!sut_log_path_.empty())
            m_.sut_log = to_json(
                scan_log_file(sut_log_path_, ctx_.profile.sut.error_pattern, 5, sut_log_offset_));
        ctx_.view.phase(Phase::stopping);
        for (const auto& [name, status] : children_.stop_all()) {
            if (status.killed_after_grace)
                m_.errors.push_back(name + " ignored its stop signal and was killed (" +
                                    status.describe() + ")");
            else if (status.signal == SIGKILL)
                m_.errors.push_back(name +
                                    " was killed by SIGKILL from outside pbxbench (the "
                                    "OOM killer or a user; see dmesg)");
        }
        m_.ended_at = utc_timestamp_now();
        return std::move(m_);
    }

  private:
    Result<void> start_and_measure() {
        const auto run_dir = ctx_.out_dir / "logs" / file_stem_;
        auto vars = builtin_variables(ctx_.profile, scenario_, run_dir, ctx_.ports);
        if (!vars) return fail(vars.error().message);
        auto plan = plan_scenario(ctx_.profile, scenario_, *vars);
        if (!plan) return fail(plan.error().message);
        auto api_load = plan_http_load(ctx_.profile, scenario_, plan->vars, ctx_.options.http_load);
        if (!api_load) return fail(ctx_.profile.file.string() + ": " + api_load.error().message);
        if (auto up = ctx_.attach ? attach_to_pbx(*plan) : start_sut(*plan); !up)
            return ctx_.interrupted.load() ? Result<void>{} : up;
        if (ctx_.interrupted.load()) return {};
        // The OPTIONS probe asks as the first caller, a user the PBX knows.
        if (!subscribers_.callers.empty()) {
            plan->sut_ready.sip_identity.user = subscribers_.callers.front().user;
            plan->sut_ready.sip_identity.password = subscribers_.callers.front().password;
        }
        plan->sut_ready.sip_identity.auth_ok = ctx_.profile.readiness.options_auth_ok;
        auto ready = wait_ready(*sut_, plan->sut_ready, ctx_.probe, ctx_.clock, plan->ready_timeout,
                                100ms, &ctx_.interrupted);
        if (ctx_.interrupted.load()) return {};
        if (!ready) return fail(sut_->name() + " did not become ready: " + ready.error().message);

        ctx_.view.phase(Phase::registering);
        if (!subscribers_error_.empty()) return fail(subscribers_error_);
        const std::string sip = plan->sip.to_string();
        // One endpoint per callee, each registering its user.
        uas::UasArgs uas_config;
        uas_config.bind = "127.0.0.1";
        uas_config.count = static_cast<int>(subscribers_.callees.size());
        uas_config.registrar = sip;
        uas_config.users = user_list(subscribers_.callees);
        uas_config.password = ctx_.profile.users.password;
        uas_config.stats_interval_s = 0;
        uas_config.media.off = !ctx_.options.media;
        uas_config.media.ports = ctx_.options.uas_rtp_ports;
        auto uas_args = config_file_args("uas", uas::to_json(uas_config), run_dir / "uas.json");
        if (!uas_args) return fail(uas_args.error().message);
        auto uas = start(pbxbench_child(ctx_, "pbxbench uas", *uas_args, run_dir / "uas.log"));
        if (!uas) return fail(uas.error().message);
        m_.processes["uas"] = (*uas)->pid();
        EventWait wait{
            std::chrono::milliseconds(15000 + 50 * uas_config.count), &ctx_.interrupted, {}};
        auto registered = wait_for_event(**uas, "ready", wait);
        if (!registered) {
            if (ctx_.interrupted.load()) return {};
            return fail("registration failed: " + registered.error().message);
        }

        // Call i goes from caller c(i) to callee e(i) at the PBX (uac/population.hpp).
        uac::UacArgs uac_config;
        uac_config.proxy = sip;
        uac_config.domain = sip;
        std::vector<uac::Subscriber> everyone = subscribers_.callers;
        everyone.insert(everyone.end(), subscribers_.callees.begin(), subscribers_.callees.end());
        for (const auto& u : everyone)
            uac_config.users.push_back(u.user + (u.password.empty() ? "" : ":" + u.password));
        uac_config.callers = subscribers_.callers.size();
        uac_config.callees = subscribers_.callees.size();
        uac_config.mapping = std::string(uac::to_string(subscribers_.mapping));
        uac_config.seed = subscribers_.seed;
        uac_config.register_callers = subscribers_.callers_register;
        uac_config.total = static_cast<std::uint64_t>(level_);
        uac_config.cps = ctx_.options.cps;
        uac_config.hold_s = ctx_.options.hold_s;
        uac_config.hold_at_s = ctx_.options.hold_at_s;
        uac_config.hold_for_s = ctx_.options.hold_for_s;
        uac_config.progress_s = 0.5;
        uac_config.media.off = !ctx_.options.media;
        uac_config.media.ports = ctx_.options.uac_rtp_ports;
        // Media from the UAS's own ports went direct; from anywhere else through the PBX's relay.
        uac_config.peer_rtp_ports = "127.0.0.1:" + ctx_.options.uas_rtp_ports;
        configure_messages(uac_config, ctx_.options);
        if (ctx_.options.uac_threads > 1)
            uac_config.threads = static_cast<unsigned>(ctx_.options.uac_threads);
        add_workload(uac_config, everyone);
        auto uac_args = config_file_args("uac", uac::to_json(uac_config), run_dir / "uac.json");
        if (!uac_args) return fail(uac_args.error().message);
        auto uac = start(pbxbench_child(ctx_, "pbxbench uac", *uac_args, run_dir / "uac.log"));
        if (!uac) return fail(uac.error().message);
        m_.processes["uac"] = (*uac)->pid();
        // The calls start now: the estimate of what is left counts the ramp from here.
        ctx_.view.phase(Phase::ramping);
        // The monitor starts right after the UAC because it needs the UAC's pid; the UAC
        // spends its first milliseconds opening its socket, before the first call is due.
        if (auto started = start_monitor(*plan, (*uas)->pid(), (*uac)->pid()); !started)
            return started;
        start_http_load(std::move(*api_load));
        auto followed = follow_uac(**uac, **uas);
        // The API load lasts as long as the calls, and ends before [[collect]] reads counters.
        stop_http_load();
        if (!followed) return followed;
        // Every call ended: the last calls drained, even when that fell between two progress
        // events (the live view then shows the phases it skipped).
        if (!ctx_.interrupted.load()) ctx_.view.phase(Phase::draining);
        if (!ctx_.interrupted.load()) collect(*plan);
        read_uas_summary(**uas);
        return {};
    }

    // The management-API load on a thread of its own, from the calls' start (with the UAC).
    void start_http_load(std::vector<monitor::HttpLoadSpec> specs) {
        if (specs.empty()) return;
        http_load_ = std::make_unique<monitor::HttpLoadDriver>(std::move(specs));
        http_load_->start();
    }

    // Aborts what is still in flight (it never holds the level up) and records the results.
    void stop_http_load() {
        if (!http_load_) return;
        m_.http_load = {{"baseline_scenario", scenario_.http_load_baseline.empty()
                                                  ? nlohmann::json(nullptr)
                                                  : nlohmann::json(scenario_.http_load_baseline)},
                        {"streams", http_load_->stop()}};
        http_load_.reset();
        for (const auto& [name, s] : m_.http_load["streams"].items()) {
            if (s.value("behind_schedule", false))
                m_.errors.push_back(
                    "API load " + name + " fell behind its schedule (" + s["late_starts"].dump() +
                    " requests started over 10 ms late, " + s["dropped_in_flight_limit"].dump() +
                    " dropped at the in-flight cap): it asked less than its rate; lower its "
                    "rate, raise max_in_flight, or give the generator a CPU of its own (--pin)");
        }
    }

    // The scenario's [workloads.NAME] beside the calls: its options, and the profile's users
    // that neither call nor are called, after those (the REGISTER load takes them in order).
    void add_workload(uac::UacArgs& uac_config, const std::vector<uac::Subscriber>& in_calls) {
        if (scenario_.workload.empty()) return;
        uac_config.loads = ctx_.profile.workloads.at(scenario_.workload);
        std::set<std::string> taken;
        for (const auto& u : in_calls) taken.insert(u.user);
        for (const std::string& user : ctx_.profile.users.names) {
            if (taken.count(user)) continue;
            const std::string pw = password_of(ctx_.profile.users, user);
            uac_config.users.push_back(user + (pw.empty() ? "" : ":" + pw));
        }
    }

    // Stops the UAS (it un-registers) and keeps its summary: the echo side's media figures.
    void read_uas_summary(Process& uas) {
        uas.stop();
        for (int lines = 0; lines < 10000; ++lines) {
            LineRead r = uas.read_line(100ms);
            if (r.status != LineRead::Status::line) break;
            auto event = parse_event_line(r.text);
            if (event && event_name(*event) == "summary") m_.uas_summary = *event;
        }
    }

    // The profile's [[collect]] steps, while the SUT still runs: each one's last non-empty
    // stdout line goes into `collected` as JSON if it parses, else as a string (null and an
    // error if the step fails).
    void collect(const ScenarioPlan& plan) {
        if (!plan.collect.empty()) ctx_.view.phase(Phase::collecting);
        for (const SetupPlan& step : plan.collect) {
            const std::string name = step.launch.name.substr(std::string("collect-").size());
            m_.collected[name] = nullptr;
            auto p = ctx_.launcher.launch(step.launch);
            if (!p) {
                m_.errors.push_back(step.launch.name + ": " + p.error().message);
                continue;
            }
            std::string last;
            const auto deadline = Clock::now() + step.timeout;
            for (LineRead r; Clock::now() < deadline && !ctx_.interrupted.load();) {
                r = (*p)->read_line(200ms);
                if (r.status == LineRead::Status::eof) break;
                if (r.status == LineRead::Status::line &&
                    r.text.find_first_not_of(" \t\r") != std::string::npos)
                    last = r.text;
            }
            auto status = (*p)->wait_for(1s);
            if (!status || !status->success()) {
                (*p)->stop();
                m_.errors.push_back(step.launch.name + " failed (" +
                                    (status ? status->describe() : std::string("timed out")) +
                                    "); its log ends with:" + format_log_tail((*p)->log_tail(10)));
                continue;
            }
            json value = json::parse(last, nullptr, false);
            m_.collected[name] = value.is_discarded() ? json(last) : value;
        }
    }

    // Templates, setup steps, sidecars (each ready), then the SUT (not yet ready).
    Result<void> start_sut(ScenarioPlan& plan) {
        for (auto& step : plan.setup) step.launch.cpus = ctx_.sut_cpus;
        for (auto& sidecar : plan.sidecars) sidecar.launch.cpus = ctx_.sut_cpus;
        plan.sut.cpus = ctx_.sut_cpus;
        if (auto w = write_templates(plan); !w) return w;
        for (const auto& step : plan.setup)
            if (auto r =
                    run_to_completion(ctx_.launcher, step.launch, step.timeout, &ctx_.interrupted);
                !r)
                return r;
        m_.processes["sidecars"] = json::object();
        for (const auto& sidecar : plan.sidecars) {
            auto p = start(sidecar.launch);
            if (!p) return fail(p.error().message);
            m_.processes["sidecars"][sidecar.launch.name] = (*p)->pid();
            sidecars_.push_back(*p);
            auto ready = wait_ready(**p, sidecar.ready, ctx_.probe, ctx_.clock, plan.ready_timeout,
                                    100ms, &ctx_.interrupted);
            // Interrupted: the SUT is not started at all.
            if (ctx_.interrupted.load()) return {};
            if (!ready)
                return fail(sidecar.launch.name +
                            " did not become ready: " + ready.error().message);
        }
        auto sut = start(plan.sut);
        if (!sut) return fail(sut.error().message);
        if (!ctx_.profile.sut.error_pattern.empty()) sut_log_path_ = plan.sut.log_path;
        sut_ = *sut;
        m_.processes["sut"] = sut_->pid();
        return {};
    }

    // --attach: nothing rendered or started; SIP and health go where the options say (the
    // profile's request method, body and pointers are kept), and the readiness checks the
    // profile asks for run against them.
    Result<void> attach_to_pbx(ScenarioPlan& plan) {
        const AttachTarget& target = *ctx_.attach;
        std::filesystem::create_directories(plan.run_dir);
        plan.sip = target.sip;
        if (target.health_url.empty()) {
            plan.health.reset();
        } else {
            monitor::HealthConfig h = plan.health.value_or(monitor::HealthConfig{});
            h.request.url = target.health_url;
            plan.health = h;
        }
        plan.sut_ready = {};
        if (ctx_.profile.readiness.sip_options) plan.sut_ready.sip_options = plan.sip;
        if (ctx_.profile.readiness.health && plan.health) plan.sut_ready.health = plan.health;
        attached_ = std::make_unique<AttachedPbx>(ctx_.profile.name, target.pids);
        sut_ = attached_.get();
        m_.processes["attached"] = target.pids;
        return {};
    }

    Result<Process*> start(const LaunchSpec& spec) {
        auto p = children_.start(spec);
        if (p)
            ctx_.view.note(scenario_.name + "@" + std::to_string(level_) + ": started " +
                           spec.name + " (process group " + std::to_string((*p)->pid()) + ")");
        return p;
    }

    Result<void> start_monitor(const ScenarioPlan& plan, pid_t uas_pid, pid_t uac_pid) {
        monitor::MonitorConfig config;
        if (!ctx_.attach) {
            config.trees.push_back({ctx_.profile.name, sut_->pid(), monitor::Role::sut});
        } else {
            // The first --pid is the SUT; any others count with it, as sidecars do.
            for (std::size_t i = 0; i < ctx_.attach->pids.size(); ++i) {
                const pid_t pid = ctx_.attach->pids[i];
                if (i == 0)
                    config.trees.push_back({ctx_.profile.name, pid, monitor::Role::sut});
                else
                    config.trees.push_back(
                        {"pid-" + std::to_string(pid), pid, monitor::Role::sidecar});
            }
        }
        for (Process* s : sidecars_)
            config.trees.push_back({s->name(), s->pid(), monitor::Role::sidecar});
        config.trees.push_back({"uas", uas_pid, monitor::Role::generator});
        config.trees.push_back({"uac", uac_pid, monitor::Role::generator});
        config.health = plan.health;
        config.interval = std::chrono::milliseconds(ctx_.options.monitor_interval_ms);
        config.detail_interval = 2s;
        config.end_when_all_exited = monitor::EndWhenAllExited::no;
        if (auto v = monitor::validate(config); !v) return fail("monitor: " + v.error().message);
        std::error_code ec;
        std::filesystem::create_directories(ctx_.out_dir / "samples", ec);
        auto samples = LineFile::open(ctx_.out_dir / "samples" / (file_stem_ + ".jsonl"));
        if (!samples) {
            m_.disk_error = true;
            return fail(samples.error().message);
        }
        samples_ = std::move(*samples);
        monitor_ = std::make_unique<monitor::Monitor>(config, monitor::make_real_seams());
        monitor_thread_ = std::jthread([this](std::stop_token stop) {
            monitor_->run(stop, [this](const monitor::Sample& s) {
                // Whole lines or none; the first failure (a full disk) ends the level.
                for (const std::string& line : monitor::jsonl_lines(s)) {
                    if (samples_failed_.load()) break;
                    if (auto a = samples_.append(line, /*sync=*/false); !a) {
                        std::lock_guard lock(samples_mutex_);
                        samples_error_ = a.error().message;
                        samples_failed_.store(true);
                    }
                }
                const auto& t = s.total;
                std::optional<double> pss;
                if (t.pss_bytes) pss = static_cast<double>(*t.pss_bytes);
                ctx_.view.sample(t.cpu_percent, static_cast<double>(t.rss_bytes), pss,
                                 s.health ? s.health->calls : std::nullopt);
            });
        });
        return {};
    }

    // Why the samples file could not be written, or "" (read from the main thread).
    std::string samples_error() {
        if (!samples_failed_.load()) return {};
        std::lock_guard lock(samples_mutex_);
        return "cannot write the monitor's samples: " + samples_error_;
    }

    void stop_monitor() {
        if (!monitor_) return;
        monitor_thread_.request_stop();
        if (monitor_thread_.joinable()) monitor_thread_.join();
        if (auto synced = samples_.sync(); !synced && !samples_failed_.load()) {
            samples_error_ = synced.error().message;
            samples_failed_.store(true);
        }
        if (std::string w = samples_error(); !w.empty() && !m_.disk_error) {
            m_.disk_error = true;
            if (m_.error.empty())
                m_.error = w;
            else
                m_.errors.push_back(w);
        }
        m_.monitor_summary = monitor_->summary_json();
        for (const monitor::Sample& s : monitor_->recording().samples) {
            LoadPoint p{s.health ? s.health->calls : std::nullopt, s.total.cpu_percent};
            p.t_s = s.t_s;
            if (s.total.rss_bytes > 0) p.rss_bytes = static_cast<double>(s.total.rss_bytes);
            if (s.total.pss_bytes) p.pss_bytes = static_cast<double>(*s.total.pss_bytes);
            m_.load.push_back(p);
        }
        monitor_.reset();
    }

    // Reads the UAC's progress until its summary and exit, watching the SUT, the sidecars,
    // the UAS and the samples file.
    Result<void> follow_uac(Process& uac, Process& uas) {
        // Callers that register first take a moment each before the first call.
        double expected_s =
            std::max(level_ / ctx_.options.cps + ctx_.options.hold_s +
                         (subscribers_.callers_register
                              ? 0.01 * static_cast<double>(subscribers_.callers.size())
                              : 0.0),
                     messages_seconds(ctx_.options));
        // A workload runs at least its load_duration, then un-REGISTERs at its own rate.
        if (!scenario_.workload.empty()) {
            const uac::MethodLoadArgs& w = ctx_.profile.workloads.at(scenario_.workload);
            const double users = static_cast<double>(ctx_.profile.users.names.size());
            const double reg_rate = w.register_rate > 0 ? w.register_rate : w.rate;
            expected_s = std::max(expected_s, w.load_duration_s) +
                         (reg_rate > 0 ? 2 * users / reg_rate : 0.0);
        }
        // Room for Timer B (32 s) on the last calls and the UAC's own 5 s grace.
        auto deadline =
            Clock::now() + std::chrono::milliseconds(static_cast<long>((expected_s + 60) * 1000));
        std::string error;
        bool signalled = false;
        auto end_uac = [&](std::chrono::milliseconds within) {
            if (!signalled) ::kill(uac.pid(), SIGINT);  // BYE/CANCEL what is active, then a summary
            signalled = true;
            uac_signalled_ = true;
            deadline = std::min(deadline, Clock::now() + within);
        };
        for (;;) {
            if (ctx_.interrupted.load() && !signalled) {
                m_.interrupted = true;
                end_uac(10s);
            }
            if (error.empty()) {
                std::vector<Process*> watched = sidecars_;
                watched.insert(watched.begin(), sut_);
                for (Process* p : watched) {
                    if (auto st = p->poll()) {
                        error = (p == sut_ ? "the SUT " : "sidecar ") + p->name() +
                                " exited mid-run (" + st->describe() +
                                "); its log ends with:" + format_log_tail(p->log_tail(20));
                        m_.sut_died = true;
                        end_uac(10s);
                        break;
                    }
                }
            }
            if (error.empty()) {
                if (auto st = uas.poll()) {
                    error = "pbxbench uas exited mid-run (" + st->describe() +
                            "); its log ends with:" + format_log_tail(uas.log_tail(10));
                    end_uac(10s);
                }
            }
            if (error.empty()) {
                if (std::string w = samples_error(); !w.empty()) {
                    error = w;
                    m_.disk_error = true;
                    end_uac(10s);
                }
            }
            if (Clock::now() > deadline) {
                if (error.empty())
                    error = "pbxbench uac did not finish within " + fixed(expected_s + 60) +
                            " s; its log ends with:" + format_log_tail(uac.log_tail(10));
                break;
            }
            LineRead r = uac.read_line(200ms);
            if (r.status == LineRead::Status::eof) break;
            if (r.status != LineRead::Status::line) continue;
            auto event = parse_event_line(r.text);
            if (!event) continue;
            const std::string name = event_name(*event);
            if (name == "progress") {
                on_progress(*event);
                if (max_failures_ && !signalled &&
                    event->value("failed", 0.0) > static_cast<double>(*max_failures_)) {
                    m_.aborted_early = true;
                    end_uac(10s);
                }
            }
            if (name == "summary") m_.uac_summary = *event;
        }
        std::optional<ExitStatus> status = uac.wait_for(3s);
        if (!error.empty()) return fail(error);
        if (m_.uac_summary.is_null()) {
            return fail("pbxbench uac ended without a summary (" +
                        (status ? status->describe() : std::string("still running")) +
                        "); its log ends with:" + format_log_tail(uac.log_tail(10)));
        }
        if (m_.uac_summary.value("setup_error", json()).is_string())
            return fail("pbxbench uac: " + m_.uac_summary["setup_error"].get<std::string>());
        return {};
    }

    void on_progress(const json& p) {
        const double attempted = p.value("attempted", 0.0), active = p.value("active", 0.0);
        const double ended = p.value("completed", 0.0) + p.value("failed", 0.0);
        // Once the UAC is told to stop it starts no more calls: later lines are not pacing.
        if (!uac_signalled_)
            m_.progress.push_back({p.value("elapsed_s", 0.0), attempted, p.value("failed", 0.0)});
        CallProgress shown;
        shown.attempted = attempted;
        shown.active = active;
        shown.ended = ended;
        shown.failed = p.value("failed", 0.0);
        shown.cps = p.value("cps", 0.0);
        if (auto media = p.find("media"); media != p.end() && media->is_object()) {
            if (auto s = media->find("packets_sent"); s != media->end() && s->is_number())
                shown.packets_sent = s->get<double>();
            if (auto r = media->find("packets_received"); r != media->end() && r->is_number())
                shown.packets_received = r->get<double>();
        }
        ctx_.view.calls(shown);
        if (attempted < level_)
            ctx_.view.phase(Phase::ramping);
        else if (ended == 0)
            ctx_.view.phase(Phase::holding);
        else
            ctx_.view.phase(Phase::draining);
    }

    const RunContext& ctx_;
    const ScenarioSpec& scenario_;
    int level_;
    std::string file_stem_;  // NAME-LEVEL[-rN]: samples and logs
    Subscribers subscribers_;
    std::string subscribers_error_;  // checked by run_benchmark already; kept for direct callers
    LevelMeasurement m_;
    ChildSet children_;
    Process* sut_ = nullptr;                 // ours in children_, or attached_
    std::unique_ptr<AttachedPbx> attached_;  // --attach only
    std::vector<Process*> sidecars_;
    LineFile samples_;
    std::mutex samples_mutex_;
    std::string samples_error_;  // guarded by samples_mutex_
    std::atomic<bool> samples_failed_{false};
    std::unique_ptr<monitor::Monitor> monitor_;
    std::unique_ptr<monitor::HttpLoadDriver> http_load_;  // null when the level has no API load
    std::jthread monitor_thread_;
    std::optional<std::uint64_t> max_failures_;  // LevelOptions: early abort
    bool uac_signalled_ = false;                 // SIGINT sent: the UAC starts no more calls
    std::filesystem::path sut_log_path_;         // scanned after the calls (error_pattern)
    std::uintmax_t sut_log_offset_ = 0;
};

}  // namespace

LevelMeasurement run_scenario_level(const RunContext& ctx, const ScenarioSpec& scenario, int level,
                                    int repeat, const LevelOptions& options) {
    return LevelRun(ctx, scenario, level, repeat, options).run();
}

}  // namespace pbxbench::harness
