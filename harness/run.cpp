#include "harness/run.hpp"

#include <signal.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "harness/child_json.hpp"
#include "harness/results_writer.hpp"
#include "harness/run_metadata.hpp"
#include "harness/run_plan.hpp"
#include "harness/scenario_runner.hpp"
#include "harness/subscribers.hpp"
#include "harness/terminal_summary.hpp"
#include "report/html_report.hpp"

namespace pbxbench::harness {

namespace {

using namespace std::chrono_literals;

std::atomic<bool> g_interrupted{false};

extern "C" void on_stop_signal(int) {
    g_interrupted.store(true);
}

// SIGINT/SIGTERM only set a flag; every wait in the run looks at it at least every 200 ms.
void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::signal(SIGPIPE, SIG_IGN);  // a closed stderr must not kill the run before it cleans up
}

// results/<YYYYmmdd-HHMMSS>-<profile name>[-N]/, created here: never one another run has.
Result<std::filesystem::path> default_out_dir(const std::string& profile_name) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    return create_unique_dir("results", std::string(stamp) + "-" + profile_name);
}

// The first line `version_command` prints, or "" (the version is a nicety, never a failure).
std::string sut_version(ProcessLauncher& launcher, const Profile& profile,
                        const std::filesystem::path& log) {
    if (profile.sut.version_command.empty()) return {};
    LaunchSpec spec;
    spec.name = "version command";
    spec.argv = profile.sut.version_command;
    spec.stdout_to = StdoutTo::pipe;
    spec.log_path = log;
    spec.stop_grace = 1s;
    auto p = launcher.launch(spec);
    if (!p) return {};
    for (int i = 0; i < 5; ++i) {
        LineRead r = (*p)->read_line(3s);
        if (r.status != LineRead::Status::line) break;
        auto last = r.text.find_last_not_of(" \t\r");
        if (last != std::string::npos) return r.text.substr(0, last + 1);
    }
    return {};
}

// summary.md, replaced atomically: a full disk leaves the previous one whole.
Result<void> write_summary(const ResultsWriter& writer, const nlohmann::json& run) {
    return writer.write_file("summary.md", render_summary_md(writer.rows(), run));
}

// "DIR: No space left on device (0 bytes free)" when the results' file system is full: the SUT
// could not even write its runtime files, and no row could be kept. "" otherwise.
std::string disk_full(const std::filesystem::path& dir) {
    struct statvfs fs {};
    if (::statvfs(dir.c_str(), &fs) != 0 || fs.f_bavail > 0) return {};
    return dir.string() + ": " + std::strerror(ENOSPC) + " (0 bytes free)";
}

// The highest repeat already recorded for scenario x level (--append adds repeats after it).
int repeats_recorded(const std::vector<nlohmann::json>& rows, const std::string& scenario,
                     int level) {
    int most = 0;
    for (const auto& r : rows) {
        if (!r.is_object() || r.value("kind", "") != "level" || r.value("scenario", "") != scenario)
            continue;
        const auto l = r.find("level"), rep = r.find("repeat");
        if (l == r.end() || !l->is_number() || l->get<int>() != level) continue;
        most = std::max(most, rep != r.end() && rep->is_number() ? rep->get<int>() : 1);
    }
    return most;
}

void cooldown(double seconds, LiveView& view) {
    if (seconds <= 0) return;
    view.phase(Phase::cooldown);
    const auto end = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<long>(seconds * 1000));
    while (std::chrono::steady_clock::now() < end && !g_interrupted.load())
        std::this_thread::sleep_for(50ms);
}

// Lines printed outside the live view (the plan before it starts, the results path after it
// ends) in the view's form: timestamped under --progress plain, so a CI log reads by time
// throughout; left out under --progress none, which prints problems only.
void print_outside_view(const std::string& text, ViewOutput output) {
    if (output == ViewOutput::none) return;
    std::string stamp;
    if (output == ViewOutput::timestamped) {
        const std::time_t t = std::time(nullptr);
        std::tm tm{};
        ::gmtime_r(&t, &tm);
        char buffer[32];
        std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ ", &tm);
        stamp = buffer;
    }
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) std::cerr << stamp << line << '\n';
    std::cerr << std::flush;
}

}  // namespace

ExitCode run_benchmark(const RunOptions& options) {
    auto profile = load_profile(options.profile);
    if (!profile) throw Fatal(profile.error().message, ExitCode::usage);
    auto selected = select_scenarios(*profile, options.scenarios);
    if (!selected) throw Fatal(selected.error().message, ExitCode::usage);
    // Every scenario's subscribers are checked before anything starts.
    if (options.uas_count != 0 && options.callees != 0 &&
        options.callees != static_cast<std::uint64_t>(options.uas_count))
        throw Fatal("--endpoints " + std::to_string(options.uas_count) + " and --callees " +
                        std::to_string(options.callees) +
                        " disagree: the UAS runs one endpoint per callee; give one of them",
                    ExitCode::usage);
    std::vector<std::size_t> registrations;  // per scenario, for the plan's estimate
    for (const ScenarioSpec* scenario : *selected) {
        auto s = resolve_subscribers(*profile, scenario, subscriber_counts(options));
        if (!s) throw Fatal(s.error().message, ExitCode::usage);
        registrations.push_back(s->callees.size() + (s->callers_register ? s->callers.size() : 0));
    }
    if (auto h = check_http_load_options(*profile, *selected, options.http_load); !h)
        throw Fatal("--http-load: " + h.error().message, ExitCode::usage);
    for (int level : effective_levels(options))
        if (level <= 0)
            throw Fatal("--levels/--total: every level must be at least 1 call", ExitCode::usage);

    std::optional<AttachTarget> attach;
    if (options.attach.enabled) {
        auto target = check_attach(options.attach);
        if (!target) throw Fatal(target.error().message, ExitCode::usage);
        // The PBX runs one configuration; several scenario names would only relabel it.
        if (selected->size() != 1)
            throw Fatal(
                "--attach measures the PBX as it is running: name the one scenario it is "
                "configured for with --scenario NAME",
                ExitCode::usage);
        if (!options.pinning.sut.empty())
            throw Fatal(
                "--pin sut=...: an attached PBX is not started by us, so it cannot be "
                "pinned (pin it yourself, e.g. taskset; gen= still works)",
                ExitCode::usage);
        attach = *target;
    }
    // The plan, before anything starts: how long this will take is the first thing to know.
    const ViewOutput view_output =
        resolve_view_output(options.progress, ::isatty(STDERR_FILENO) != 0);
    const std::string plan_text = describe_plan(
        plan_run(*profile, *selected, options, registrations), options, profile->name);
    // --dry-run asked for the plan: it prints whatever --progress says.
    print_outside_view(plan_text, options.dry_run && view_output == ViewOutput::none
                                      ? ViewOutput::lines
                                      : view_output);
    if (options.dry_run) {
        std::cerr << "pbxbench run: --dry-run: nothing started\n";
        return ExitCode::success;
    }
    // --pin: checked before anything starts (apply_pinning).
    auto pinned = apply_pinning(options.pinning);
    if (!pinned) throw Fatal(pinned.error().message, ExitCode::usage);
    const CpuList& sut_cpus = pinned->sut;
    const CpuList& generator_cpus = pinned->generator;

    std::filesystem::path chosen = options.out;
    if (chosen.empty()) {
        if (options.append)
            throw Fatal("--append needs --out DIR (the run to add to)", ExitCode::usage);
        auto made = default_out_dir(profile->name);
        if (!made) throw Fatal(made.error().message, ExitCode::failed);
        chosen = *made;
    }
    const auto out_dir = std::filesystem::absolute(chosen);
    auto writer = ResultsWriter::open(out_dir, options.append);
    if (!writer) {
        std::error_code ec;
        const bool taken = !options.append && std::filesystem::exists(out_dir / ".", ec) &&
                           !std::filesystem::is_empty(out_dir, ec);
        throw Fatal(writer.error().message, taken ? ExitCode::usage : ExitCode::failed);
    }
    std::error_code logs_ec;
    std::filesystem::create_directories(out_dir / "logs", logs_ec);
    if (logs_ec)
        throw Fatal("cannot create " + (out_dir / "logs").string() + ": " + logs_ec.message());

    g_interrupted.store(false);
    install_signal_handlers();
    auto launcher = make_real_launcher();
    auto probe = make_real_readiness_probe();
    auto clock = monitor::make_real_clock();
    PortAllocator ports;
    LiveView view(std::cerr, view_output, *clock, "pbxbench run", STDERR_FILENO);
    view.set_sut_label(profile->name + " " +
                       (profile->health ? profile->health->calls_label : std::string("calls")));
    const nlohmann::json run =
        collect_run_metadata(profile->name, std::filesystem::absolute(options.profile),
                             sut_version(*launcher, *profile, out_dir / "logs" / "version.log"),
                             pinning_json(options.pinning), attach_json(attach));
    std::error_code ec;
    const auto self_exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) throw Fatal("cannot find this program's path in /proc/self/exe: " + ec.message());
    RunContext ctx{*profile,      options, *launcher, *probe,   *clock,         ports, view,
                   g_interrupted, out_dir, self_exe,  sut_cpus, generator_cpus, attach};

    const auto levels = effective_levels(options);
    LivePlan plan;  // what the live view counts down (the printed plan is run_plan.hpp)
    for (const ScenarioSpec* scenario : *selected) plan.scenarios.push_back(scenario->name);
    for (int i = 0; i < static_cast<int>(levels.size()) * options.repeat; ++i)
        plan.levels.push_back(levels[static_cast<std::size_t>(i / options.repeat)]);
    plan.cps = options.cps;
    plan.hold_s = options.hold_s;
    plan.cooldown_s = options.cooldown_s;
    view.plan(plan);
    view.note("profile " + profile->name + ", " + std::to_string(selected->size()) +
              " scenario(s) x " + std::to_string(levels.size()) + " level(s); results in " +
              out_dir.string());
    for (const auto& w : writer->warnings()) view.problem("warning: " + w);
    const std::size_t rows_before = writer->rows().size();  // --append: the earlier run's
    // A result file that cannot be written (a full disk) stops the run at once: what is on
    // disk stays whole, and measuring more that cannot be kept would only waste the time.
    std::string write_error;
    auto record = [&](const nlohmann::json& row) {
        if (!write_error.empty()) return;
        if (auto a = writer->append(row); !a) write_error = a.error().message;
    };
    auto summarise = [&] {
        if (!write_error.empty()) return;
        if (auto w = write_summary(*writer, run); !w) write_error = w.error().message;
    };
    bool first = true;
    for (std::size_t s = 0; s < selected->size(); ++s) {
        const ScenarioSpec* scenario = (*selected)[s];
        for (int i = 0; i < static_cast<int>(levels.size()) * options.repeat; ++i) {
            const int level = levels[static_cast<std::size_t>(i / options.repeat)];
            // --append: after the repeats the directory already has, so files never clash.
            const int repeat = options.append
                                   ? repeats_recorded(writer->rows(), scenario->name, level) + 1
                                   : i % options.repeat + 1;
            view.position(static_cast<int>(s), i);  // before the cooldown, which is its time
            if (!first) cooldown(options.cooldown_s, view);
            first = false;
            if (g_interrupted.load()) break;
            if (std::string full = disk_full(out_dir); !full.empty()) {
                write_error = full;
                break;
            }
            LevelMeasurement m = run_scenario_level(ctx, *scenario, level, repeat);
            // Every level leaves a row, an interrupted one too (its state says so).
            const nlohmann::json row = build_level_row(m, run);
            record(row);
            summarise();
            if (!m.error.empty())
                view.problem(scenario->name + "@" + std::to_string(level) + " failed: " + m.error);
            view.level_done(level_headline(row));
            if (m.disk_error && write_error.empty()) write_error = m.error;
            if (g_interrupted.load() || !write_error.empty()) break;
        }
        if (!write_error.empty()) break;
        nlohmann::json scaling = build_scaling_row(scenario->name, writer->rows(), run);
        if (!scaling.is_null()) record(scaling);
        summarise();
        if (g_interrupted.load() || !write_error.empty()) break;
    }
    view.finish();
    summarise();
    bool report_written = false;
    if (write_error.empty()) {
        // The report is read from the files just written, so it shows what they hold.
        if (auto r = report::write_report(std::vector<std::filesystem::path>{out_dir},
                                          out_dir / "report.html");
            !r)
            std::cerr << "pbxbench run: report.html not written (" << r.error().message
                      << "); once the cause is fixed, `pbxbench report " << out_dir.string()
                      << "` writes it from the results\n";
        else
            report_written = true;
    }
    // On a terminal summary.md's wide tables would wrap into noise: a short table and its
    // path instead. Piped or redirected, stdout gets summary.md whole, as before.
    if (::isatty(STDOUT_FILENO))
        std::cout << render_terminal_summary(
                         writer->rows(), out_dir / "summary.md",
                         report_written ? out_dir / "report.html" : std::filesystem::path())
                  << std::flush;
    else
        std::cout << render_summary_md(writer->rows(), run) << std::flush;
    print_outside_view("pbxbench run: results in " + out_dir.string() + "\n", view_output);
    if (!write_error.empty()) {
        std::cerr << "pbxbench run: stopped: a result file could not be written: " << write_error
                  << "\npbxbench run: every file in " << out_dir.string()
                  << " is whole and holds the rows written before; report.html was not written\n";
        return ExitCode::failed;
    }
    if (g_interrupted.load()) {
        std::cerr << "pbxbench run: interrupted; every child stopped, measured levels written\n";
        return ExitCode::interrupted;
    }
    if (!report_written) return ExitCode::failed;
    // This run's levels decide its exit code, not those of a run it was appended to.
    const auto& rows = writer->rows();
    for (std::size_t i = rows_before; i < rows.size(); ++i)
        if (row_failed(rows[i])) return ExitCode::failed;
    return ExitCode::success;
}

}  // namespace pbxbench::harness
