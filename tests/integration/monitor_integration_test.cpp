// The monitor against real processes and a real HTTP server on loopback.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "monitor/monitor.hpp"
#include "tests/integration/child_process.hpp"

namespace pbxbench::monitor {
namespace {

using namespace std::chrono_literals;
using testing::Child;
using testing::Pipe;

constexpr std::uint64_t mib = 1024 * 1024;

MonitorConfig config_for(std::vector<TreeConfig> trees, std::chrono::milliseconds interval,
                         std::chrono::milliseconds duration) {
    MonitorConfig c;
    c.trees = std::move(trees);
    c.interval = interval;
    c.duration = duration;
    return c;
}

// PSS on every tick, which the memory tests compare across two ticks.
MonitorConfig detailed(MonitorConfig c) {
    c.detail_interval = c.interval;
    return c;
}

// Average, over the samples that have one, of tree `i`'s CPU.
double average_cpu(const Recording& rec, std::size_t i = 0) {
    double sum = 0;
    int n = 0;
    for (const Sample& s : rec.samples)
        if (s.trees.at(i).cpu_percent) sum += *s.trees[i].cpu_percent, ++n;
    return n ? sum / n : -1;
}

double peak_cpu(const Recording& rec, std::size_t i = 0) {
    double peak = -1;
    for (const Sample& s : rec.samples)
        if (s.trees.at(i).cpu_percent) peak = std::max(peak, *s.trees[i].cpu_percent);
    return peak;
}

// A Monitor is pinned in memory (its health thread points at it), hence the unique_ptr.
std::unique_ptr<Monitor> run_monitor(MonitorConfig config) {
    auto m = std::make_unique<Monitor>(std::move(config), make_real_seams());
    m->run({});
    return m;
}

TEST(MonitorCpu, HalfACoreBurnerMeasuresFiftyPercent) {
    Pipe ready;
    Child burner([&] {
        ready.send();
        testing::burn_duty_cycle(0.5, 10ms);
    });
    ASSERT_TRUE(ready.receive());
    auto m = run_monitor(config_for({{"burner", burner.pid(), Role::sut}}, 200ms, 4s));
    const double avg = average_cpu(m->recording());
    std::printf("measured average %.2f%% (expected 50%%)\n", avg);
    EXPECT_NEAR(avg, 50.0, 5.0);
    EXPECT_NEAR(m->summary_json()["total"]["cpu_percent"]["avg"].get<double>(), avg, 1e-9);
    EXPECT_EQ(m->recording().samples.size(), 21u);
}

TEST(MonitorCpu, TreeWithAForkingChildCountsChildrenThatExitBetweenTicks) {
    // root (idle) -> steady child at 25% + a child that forks a 25 ms burner every 100 ms.
    // Without the parent's cutime the short-lived burners would be invisible: ~25% instead of 50%.
    Pipe ready;
    Child root([&] {
        Child steady([] { testing::burn_duty_cycle(0.25, 10ms); }, Child::Group::inherit);
        Child forker(
            [] {
                const auto start = std::chrono::steady_clock::now();
                for (int k = 1;; ++k) {
                    pid_t p = ::fork();
                    if (p == 0) {
                        testing::burn_cpu_s(0.025);
                        ::_exit(0);
                    }
                    int status = 0;
                    ::waitpid(p, &status, 0);
                    testing::sleep_until(start + k * 100ms);
                }
            },
            Child::Group::inherit);
        ready.send();
        ::pause();
    });
    ASSERT_TRUE(ready.receive());
    auto m = run_monitor(config_for({{"tree", root.pid(), Role::sut}}, 200ms, 4s));
    std::printf("measured average %.2f%% (expected 50%%)\n", average_cpu(m->recording()));
    EXPECT_NEAR(average_cpu(m->recording()), 50.0, 5.0);
    std::int64_t max_processes = 0;
    for (const Sample& s : m->recording().samples)
        max_processes = std::max(max_processes, s.trees[0].processes);
    EXPECT_GE(max_processes, 3);
}

TEST(MonitorCpu, ShortBurstIsAPeakThatALifetimeAverageHides) {
    Pipe ready;
    Child bursty([&] {
        ready.send();
        ::usleep(1'400'000);
        testing::burn_cpu_s(0.6);
        ::pause();
    });
    ASSERT_TRUE(ready.receive());
    auto m = run_monitor(config_for({{"bursty", bursty.pid(), Role::sut}}, 200ms, 3s));
    // What ps's %CPU shows: CPU time over the whole life of the process.
    auto proc = make_real_proc_reader();
    auto st = proc->stat(bursty.pid());
    ASSERT_TRUE(st);
    const double lifetime_percent = 100.0 * static_cast<double>(st->self_ticks()) /
                                    static_cast<double>(proc->uptime_ticks() - st->starttime_ticks);
    std::printf("peak %.1f%%, lifetime average %.1f%%\n", peak_cpu(m->recording()),
                lifetime_percent);
    // A burst of one core shows as a peak well above the lifetime average. The bound leaves room
    // for a loaded 2-core box, where the burner itself gets ~75% of a core.
    EXPECT_GT(peak_cpu(m->recording()), 60.0);
    EXPECT_GT(peak_cpu(m->recording()), 2.5 * lifetime_percent);
    EXPECT_LT(lifetime_percent, 30.0);
    EXPECT_NEAR(m->summary_json()["trees"]["bursty"]["cpu_percent"]["peak"].get<double>(),
                peak_cpu(m->recording()), 1e-9);
}

TEST(MonitorMemory, TwoHundredMebibytesTouchedShowInRss) {
    Pipe ready, go;
    Child hog([&] {
        ready.send();
        if (!go.receive(1, 20s)) ::_exit(1);
        const std::size_t size = 200 * mib;
        void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) ::_exit(1);
        std::memset(p, 0x5a, size);  // touched, so every page is resident
        ready.send();
        ::pause();
    });
    ASSERT_TRUE(ready.receive());
    Monitor m(detailed(config_for({{"hog", hog.pid(), Role::sut}}, 100ms, 1s)), make_real_seams());
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t before = m.sample_once(t0).trees[0].rss_bytes;
    go.send();
    ASSERT_TRUE(ready.receive());
    Sample after = m.sample_once(t0 + 1s);
    const double grown = static_cast<double>(after.trees[0].rss_bytes - before);
    std::printf("RSS grew by %.1f MiB\n", grown / mib);
    EXPECT_NEAR(grown, 200.0 * mib, 0.05 * 200 * mib);
    ASSERT_TRUE(after.trees[0].pss_bytes);
    EXPECT_GE(*after.trees[0].pss_bytes, 200 * mib);  // private pages: PSS = RSS for them
}

TEST(MonitorMemory, SharedMappingCountsTwiceInRssOnceInPss) {
    const std::size_t size = 100 * mib;
    Pipe ready, go;
    Child root([&] {
        // Mapped before the forks, touched only by the two children, after them.
        void* shared =
            ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (shared == MAP_FAILED) ::_exit(1);
        auto child = [&] {
            if (!go.receive(1, 20s)) ::_exit(1);
            std::memset(shared, 0x11, size);
            ready.send();
            ::pause();
        };
        Child a(child, Child::Group::inherit);
        Child b(child, Child::Group::inherit);
        ready.send();
        ::pause();
    });
    ASSERT_TRUE(ready.receive());
    Monitor m(detailed(config_for({{"shared", root.pid(), Role::sut}}, 100ms, 1s)),
              make_real_seams());
    const auto t0 = std::chrono::steady_clock::now();
    Sample before = m.sample_once(t0);
    ASSERT_EQ(before.trees[0].processes, 3);
    ASSERT_TRUE(before.trees[0].pss_bytes);
    go.send();
    go.send();
    ASSERT_TRUE(ready.receive(2));
    Sample after = m.sample_once(t0 + 1s);
    ASSERT_TRUE(after.trees[0].pss_bytes);
    const double rss_grown =
        static_cast<double>(after.trees[0].rss_bytes - before.trees[0].rss_bytes);
    const double pss_grown =
        static_cast<double>(*after.trees[0].pss_bytes - *before.trees[0].pss_bytes);
    std::printf("summed RSS grew by %.1f MiB, PSS by %.1f MiB\n", rss_grown / mib, pss_grown / mib);
    EXPECT_NEAR(rss_grown, 2.0 * size, 0.05 * 2 * size);
    EXPECT_NEAR(pss_grown, 1.0 * size, 0.05 * size);
}

TEST(MonitorLifecycle, ProcessDyingMidRunIsAnEventAndSamplingGoesOn) {
    Pipe ready;
    Child survivor([&] {
        ready.send();
        ::pause();
    });
    Child mortal([&] {
        ready.send();
        ::usleep(800'000);
    });
    ASSERT_TRUE(ready.receive(2));
    auto m = run_monitor(config_for(
        {{"survivor", survivor.pid(), Role::sut}, {"mortal", mortal.pid(), Role::sidecar}}, 100ms,
        2s));
    const Recording& rec = m->recording();
    ASSERT_EQ(rec.events.size(), 1u);
    EXPECT_EQ(rec.events[0].tree, "mortal");
    EXPECT_EQ(rec.events[0].pid, mortal.pid());
    EXPECT_GT(rec.events[0].t_s, 0.75);
    EXPECT_LT(rec.events[0].t_s, 1.3);
    EXPECT_LT(rec.events[0].last_seen_t_s, rec.events[0].t_s);
    EXPECT_EQ(rec.samples.size() + static_cast<std::size_t>(rec.samples_missed), 21u);
    const Sample& last = rec.samples.back();
    EXPECT_NEAR(last.t_s, 2.0, 0.1);
    EXPECT_TRUE(last.trees[0].alive);
    EXPECT_FALSE(last.trees[1].alive);
    EXPECT_EQ(m->summary_json()["events"][0]["event"], "exited");
}

TEST(MonitorLifecycle, RunEndsWhenEveryTreeIsGone) {
    Child mortal([] { ::usleep(300'000); });
    const auto start = std::chrono::steady_clock::now();
    auto m = run_monitor(config_for({{"mortal", mortal.pid(), Role::sut}}, 100ms, 20s));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_EQ(m->recording().events.size(), 1u);
}

// A local endpoint answering every kind of reply a health check meets.
class HealthServer {
  public:
    HealthServer() {
        server_.Get("/json", [](const httplib::Request&, httplib::Response& res) {
            res.set_content(R"({"result":{"all":20}})", "application/json");
        });
        server_.Post("/RPC", [](const httplib::Request& req, httplib::Response& res) {
            auto body = nlohmann::json::parse(req.body, nullptr, false);
            if (req.get_header_value("Authorization") != "Bearer s3cret" || body.is_discarded() ||
                body.value("method", "") != "dlg.stats_active") {
                res.status = 401;
                return;
            }
            res.set_content(R"({"jsonrpc":"2.0","result":{"starting":0,"all":7},"id":1})",
                            "application/json");
        });
        server_.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
            res.set_content("# TYPE pbx_calls gauge\npbx_calls{w=\"1\"} 3\npbx_calls{w=\"2\"} 4\n",
                            "text/plain; version=0.0.4");
        });
        server_.Get("/fail", [](const httplib::Request&, httplib::Response& res) {
            res.status = 500;
            res.set_content("internal error", "text/plain");
        });
        server_.Get("/garbage", [](const httplib::Request&, httplib::Response& res) {
            res.set_content(std::string("\x00\xff{{not json", 13), "application/json");
        });
        server_.Get("/hang", [this](const httplib::Request&, httplib::Response& res) {
            for (int i = 0; i < 300 && !released_; ++i) std::this_thread::sleep_for(10ms);
            res.set_content(R"({"result":{"all":1}})", "application/json");
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::sleep_for(1ms);
    }
    ~HealthServer() {
        released_ = true;
        server_.stop();
        thread_.join();
    }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

  private:
    httplib::Server server_;
    std::atomic<bool> released_{false};
    int port_ = 0;
    std::thread thread_;
};

// A loopback port that was free a moment ago and that nobody listens on now.
int closed_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

class MonitorHealth : public ::testing::Test {
  protected:
    // Samples this test process at 100 ms for `duration` while polling `health`.
    std::unique_ptr<Monitor> run_with(HealthConfig health,
                                      std::chrono::milliseconds duration = 600ms) {
        MonitorConfig c = config_for({{"self", ::getpid(), Role::sut}}, 100ms, duration);
        c.health = std::move(health);
        return run_monitor(std::move(c));
    }
    HealthConfig json_at(const std::string& path) {
        HealthConfig h;
        h.request.url = server.url(path);
        h.request.timeout = 500ms;
        h.calls_pointer = "/result/all";
        return h;
    }
    // Every poll ended with `outcome`, and sampling went on at every tick regardless.
    void expect_all(const std::unique_ptr<Monitor>& m, HealthOutcome outcome,
                    std::size_t samples = 7) {
        const Recording& rec = m->recording();
        EXPECT_EQ(rec.samples.size(), samples);
        EXPECT_EQ(rec.samples_missed, 0);
        ASSERT_FALSE(rec.health_polls.empty());
        for (const HealthResult& h : rec.health_polls)
            EXPECT_EQ(outcome_name(h.outcome), std::string(outcome_name(outcome))) << h.error;
        std::size_t carried = 0;
        for (const Sample& s : rec.samples) carried += s.health ? 1 : 0;
        EXPECT_GE(carried, 1u);
    }

    HealthServer server;
};

TEST_F(MonitorHealth, JsonReplyGivesTheCallCount) {
    auto m = run_with(json_at("/json"));
    expect_all(m, HealthOutcome::ok);
    EXPECT_GE(m->recording().health_polls.size(), 5u);
    for (const HealthResult& h : m->recording().health_polls) {
        EXPECT_EQ(h.calls, 20.0);
        EXPECT_TRUE(h.healthy);
        EXPECT_EQ(h.http_status, 200);
        EXPECT_LT(h.latency_ms.value(), 200.0);
    }
    EXPECT_EQ(m->summary_json()["health"]["calls"]["p50"], 20.0);
}

TEST_F(MonitorHealth, JsonRpcPostWithBearerToken) {
    HealthConfig h = json_at("/RPC");
    h.request.method = "POST";
    h.request.body = R"({"jsonrpc":"2.0","method":"dlg.stats_active","id":1})";
    h.request.headers = {"Authorization: Bearer s3cret", "Content-Type: application/json"};
    auto m = run_with(h);
    expect_all(m, HealthOutcome::ok);
    EXPECT_EQ(m->recording().health_polls.front().calls, 7.0);
}

TEST_F(MonitorHealth, PrometheusMetricIsSummedOverLabels) {
    HealthConfig h;
    h.request.url = server.url("/metrics");
    h.calls_metric = "pbx_calls";
    auto m = run_with(h);
    expect_all(m, HealthOutcome::ok);
    EXPECT_EQ(m->recording().health_polls.front().calls, 7.0);
}

TEST_F(MonitorHealth, ServerErrorIsCountedAndUnhealthy) {
    auto m = run_with(json_at("/fail"));
    expect_all(m, HealthOutcome::http_error);
    EXPECT_FALSE(m->recording().health_polls.front().healthy);
    EXPECT_EQ(m->recording().health_polls.front().http_status, 500);
    auto summary = m->summary_json();
    EXPECT_EQ(summary["health"]["errors"], summary["health"]["polls"]);
}

TEST_F(MonitorHealth, GarbageIsCountedAsUnparsable) {
    auto m = run_with(json_at("/garbage"));
    expect_all(m, HealthOutcome::unparsable);
    EXPECT_FALSE(m->recording().health_polls.front().calls);
    EXPECT_GT(m->summary_json()["health"]["outcomes"]["unparsable"].get<int>(), 0);
}

TEST_F(MonitorHealth, HangingEndpointTimesOutAndNeverDelaysASample) {
    HealthConfig h = json_at("/hang");
    h.request.timeout = 250ms;
    auto m = run_with(h, 1s);
    expect_all(m, HealthOutcome::timeout, 11);
    EXPECT_GE(m->recording().health_polls.size(), 3u);
    for (const Sample& s : m->recording().samples) EXPECT_LT(s.late_ms, 50.0) << "tick " << s.tick;
    for (const HealthResult& h2 : m->recording().health_polls)
        EXPECT_NEAR(h2.latency_ms.value(), 250.0, 100.0);
}

TEST_F(MonitorHealth, RefusedConnectionIsATransportError) {
    HealthConfig h;
    h.request.url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";
    auto m = run_with(h);
    expect_all(m, HealthOutcome::transport_error);
}

}  // namespace
}  // namespace pbxbench::monitor
