// bench_monitor_overhead: the monitor's own CPU while it samples a 50-process tree and polls a
// health endpoint at 10 Hz. Floor: under 1% of one core.
//
// The tree and the HTTP server run in forked children, so getrusage(RUSAGE_SELF) of this
// process is the monitor alone: the sampler (this thread), the health poller and libcurl.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "monitor/monitor.hpp"

namespace {

using namespace std::chrono_literals;
using namespace pbxbench::monitor;

constexpr double floor_percent = 1.0;

double cpu_s(int who) {
    rusage ru{};
    ::getrusage(who, &ru);
    auto s = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
    return s(ru.ru_utime) + s(ru.ru_stime);
}

// A forked child that is killed (with its process group) and reaped on scope exit.
struct ForkedGroup {
    pid_t pid = -1;
    ~ForkedGroup() {
        if (pid <= 0) return;
        ::kill(-pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
    }
};

// Serves a Kamailio-like JSON-RPC health endpoint; returns its port through `port_pipe`.
[[noreturn]] void serve_health(int port_pipe) {
    httplib::Server server;
    // Like Kamailio's TCP connections, keep one connection for the whole run (httplib's default
    // closes it every 5 requests).
    server.set_keep_alive_max_count(1'000'000);
    server.set_keep_alive_timeout(60);
    server.Post("/RPC", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(R"({"jsonrpc":"2.0","result":{"starting":0,"connecting":0,"answering":0,)"
                        R"("ongoing":20,"all":20},"id":1})",
                        "application/json");
    });
    const int port = server.bind_to_any_port("127.0.0.1");
    (void)!::write(port_pipe, &port, sizeof port);
    server.listen_after_bind();
    ::_exit(0);
}

// A root that forks `processes - 1` sleeping children, like a forking PBX at rest.
[[noreturn]] void sleeping_tree(int processes) {
    for (int i = 1; i < processes; ++i) {
        if (::fork() == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            for (;;) ::pause();
        }
    }
    for (;;) ::pause();
}

}  // namespace

int main(int argc, char** argv) {
    int seconds = 60;
    int processes = 50;
    int detail_ms = static_cast<int>(MonitorConfig{}.detail_interval.count());
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string opt = argv[i];
        if (opt == "--seconds")
            seconds = std::atoi(argv[i + 1]);
        else if (opt == "--processes")
            processes = std::atoi(argv[i + 1]);
        else if (opt == "--detail-interval-ms")
            detail_ms = std::atoi(argv[i + 1]);
    }
    if (seconds < 1 || processes < 1) {
        std::fprintf(stderr,
                     "usage: bench_monitor_overhead [--seconds 60] [--processes 50] "
                     "[--detail-interval-ms 5000]\n");
        return 2;
    }

    // Fork before any thread exists in this process.
    int fds[2];
    if (::pipe(fds) != 0) return 1;
    ForkedGroup server;
    server.pid = ::fork();
    if (server.pid == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        serve_health(fds[1]);
    }
    ::setpgid(server.pid, server.pid);
    int port = 0;
    if (::read(fds[0], &port, sizeof port) != sizeof port || port <= 0) {
        std::fprintf(stderr, "the health server did not start\n");
        return 1;
    }
    ForkedGroup tree;
    tree.pid = ::fork();
    if (tree.pid == 0) {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        sleeping_tree(processes);
    }
    ::setpgid(tree.pid, tree.pid);
    std::this_thread::sleep_for(500ms);  // let the tree finish forking

    MonitorConfig config;
    config.trees = {{"tree", tree.pid, Role::sut}};
    config.interval = 100ms;
    config.duration = std::chrono::seconds(seconds);
    config.detail_interval = std::chrono::milliseconds(detail_ms);
    HealthConfig health;
    health.request.url = "http://127.0.0.1:" + std::to_string(port) + "/RPC";
    health.request.method = "POST";
    health.request.body = R"({"jsonrpc":"2.0","method":"dlg.stats_active","id":1})";
    health.request.headers = {"Content-Type: application/json"};
    health.request.timeout = 500ms;
    health.calls_pointer = "/result/all";
    config.health = health;

    std::ofstream sink("/dev/null");  // the JSON lines are produced, as in a real run
    Monitor monitor(config, make_real_seams());
    const auto wall0 = std::chrono::steady_clock::now();
    const double self0 = cpu_s(RUSAGE_SELF);
    const double thread0 = cpu_s(RUSAGE_THREAD);
    monitor.run({}, [&](const Sample& s) { write_jsonl(sink, s); });
    const double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    const double self_s = cpu_s(RUSAGE_SELF) - self0;
    const double sampler_s = cpu_s(RUSAGE_THREAD) - thread0;

    const Recording& rec = monitor.recording();
    const double percent = 100.0 * self_s / wall_s;
    const std::size_t samples = rec.samples.size();
    nlohmann::json result = {
        {"bench", "monitor_overhead"},
        {"processes", rec.samples.empty() ? 0 : rec.samples.back().trees[0].processes},
        {"interval_ms", 100},
        {"detail_interval_ms", detail_ms},
        {"wall_s", wall_s},
        {"samples", samples},
        {"samples_missed", rec.samples_missed},
        {"health_polls", rec.health_polls.size()},
        {"monitor_cpu_s", self_s},
        {"sampler_thread_cpu_s", sampler_s},
        {"health_thread_cpu_s", self_s - sampler_s},
        {"monitor_cpu_percent", percent},
        {"cpu_ms_per_sample", samples ? 1000.0 * sampler_s / static_cast<double>(samples) : 0.0},
        {"floor_percent", floor_percent}};
    std::printf("%s\n", result.dump().c_str());
    std::fprintf(stderr, "monitor used %.3f%% of one core (%.3f CPU-s over %.1f s; floor %.1f%%)\n",
                 percent, self_s, wall_s, floor_percent);
    return percent < floor_percent ? 0 : 1;
}
