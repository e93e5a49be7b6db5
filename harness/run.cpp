#include "harness/run.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <fstream>
#include <iostream>
#include <thread>

#include "harness/child_json.hpp"
#include "harness/results_writer.hpp"
#include "harness/run_metadata.hpp"
#include "harness/scenario_runner.hpp"
#include "harness/subscribers.hpp"
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

std::filesystem::path default_out_dir(const std::string& profile_name) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    return std::filesystem::path("results") / (std::string(stamp) + "-" + profile_name);
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

void write_summary(const ResultsWriter& writer, const nlohmann::json& run) {
    std::ofstream md(writer.dir() / "summary.md", std::ios::trunc);
    md << render_summary_md(writer.rows(), run);
}

void cooldown(double seconds, LiveView& view) {
    if (seconds <= 0) return;
    view.phase(Phase::cooldown);
    const auto end = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<long>(seconds * 1000));
    while (std::chrono::steady_clock::now() < end && !g_interrupted.load())
        std::this_thread::sleep_for(50ms);
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
        throw Fatal("--uas-count " + std::to_string(options.uas_count) + " and --callees " +
                        std::to_string(options.callees) +
                        " disagree: the UAS runs one endpoint per callee; give one of them",
                    ExitCode::usage);
    for (const ScenarioSpec* scenario : *selected) {
        if (auto s = resolve_subscribers(*profile, scenario, subscriber_counts(options)); !s)
            throw Fatal(s.error().message, ExitCode::usage);
    }
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
    // --pin: checked before anything starts. The harness itself (main and monitor threads)
    // goes with the generator; a role left out runs on every CPU we had, not the other's.
    const CpuList machine = allowed_cpus();
    if (auto c = check_cpus_allowed(options.pinning, machine); !c)
        throw Fatal("--pin: " + c.error().message, ExitCode::usage);
    CpuList sut_cpus, generator_cpus;
    if (options.pinning.any()) {
        sut_cpus = options.pinning.sut.empty() ? machine : options.pinning.sut;
        generator_cpus = options.pinning.generator.empty() ? machine : options.pinning.generator;
        if (auto p = pin_this_thread(generator_cpus); !p)
            throw Fatal("--pin: " + p.error().message, ExitCode::usage);
    }

    const auto out_dir = std::filesystem::absolute(
        options.out.empty() ? default_out_dir(profile->name) : options.out);
    auto writer = ResultsWriter::open(out_dir);
    if (!writer) throw Fatal(writer.error().message, ExitCode::failed);
    std::filesystem::create_directories(out_dir / "logs");

    g_interrupted.store(false);
    install_signal_handlers();
    auto launcher = make_real_launcher();
    auto probe = make_real_readiness_probe();
    auto clock = monitor::make_real_clock();
    PortAllocator ports;
    LiveView view(std::cerr, ::isatty(STDERR_FILENO) ? Terminal::yes : Terminal::no);
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
    view.note("profile " + profile->name + ", " + std::to_string(selected->size()) +
              " scenario(s) x " + std::to_string(levels.size()) + " level(s); results in " +
              out_dir.string());
    bool first = true;
    for (const ScenarioSpec* scenario : *selected) {
        for (int i = 0; i < static_cast<int>(levels.size()) * options.repeat; ++i) {
            const int level = levels[static_cast<std::size_t>(i / options.repeat)];
            const int repeat = i % options.repeat + 1;
            if (!first) cooldown(options.cooldown_s, view);
            first = false;
            if (g_interrupted.load()) break;
            LevelMeasurement m = run_scenario_level(ctx, *scenario, level, repeat);
            const bool measured = !m.uac_summary.is_null() || !m.monitor_summary.is_null();
            if (!m.interrupted || measured) {
                if (auto a = writer->append(build_level_row(m, run)); !a)
                    view.note("error: " + a.error().message);
                write_summary(*writer, run);
            }
            if (!m.error.empty())
                view.note(scenario->name + "@" + std::to_string(level) + " failed: " + m.error);
            if (g_interrupted.load()) break;
        }
        nlohmann::json scaling = build_scaling_row(scenario->name, writer->rows(), run);
        if (!scaling.is_null()) {
            if (auto a = writer->append(scaling); !a) view.note("error: " + a.error().message);
        }
        write_summary(*writer, run);
        if (g_interrupted.load()) break;
    }
    view.finish();
    write_summary(*writer, run);
    // The report is a convenience: a failure to write it warns and never fails the run.
    if (auto r = report::write_report(std::vector<std::filesystem::path>{out_dir},
                                      out_dir / "report.html");
        !r)
        std::cerr << "warning: report.html not written (" << r.error().message
                  << "); retry with `pbxbench report " << out_dir.string() << "`\n";
    std::cout << render_summary_md(writer->rows(), run) << std::flush;
    std::cerr << "pbxbench run: results in " << out_dir.string() << "\n";
    if (g_interrupted.load()) {
        std::cerr << "pbxbench run: interrupted; every child stopped, measured levels written\n";
        return ExitCode::interrupted;
    }
    for (const auto& row : writer->rows())
        if (row_failed(row)) return ExitCode::failed;
    return ExitCode::success;
}

}  // namespace pbxbench::harness
