// The management-API load: the open-loop schedule and the tally without a network, then the
// libcurl driver against a cpp-httplib server on 127.0.0.1 (exact counts, status codes,
// timeouts aborted and counted, a stop that never waits, connection refused, the in-flight cap).
#include "monitor/http_load.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "monitor/http_load_driver.hpp"

namespace pbxbench::monitor {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

HttpLoadSpec spec(double rate, std::uint64_t max_requests = 0,
                  std::chrono::milliseconds max_duration = 0ms) {
    HttpLoadSpec s;
    s.name = "api";
    s.request.url = "http://127.0.0.1:1/";
    s.rate_per_s = rate;
    s.max_requests = max_requests;
    s.max_duration = max_duration;
    return s;
}

TEST(OpenLoopSchedule, RequestIIsDueAtIOverRateUntilTheCountBound) {
    OpenLoopSchedule s(spec(10, 5));
    EXPECT_TRUE(s.due(0.0));
    s.advance();
    EXPECT_FALSE(s.due(0.099));
    EXPECT_NEAR(*s.wait_s(0.05), 0.05, 1e-9);
    EXPECT_TRUE(s.due(0.1));
    while (!s.exhausted()) s.advance();
    EXPECT_EQ(s.next(), 5u);
    EXPECT_FALSE(s.due(100.0));
    EXPECT_FALSE(s.wait_s(100.0));
    EXPECT_DOUBLE_EQ(*s.end_s(), 0.5);
}

TEST(OpenLoopSchedule, TimeBoundKeepsRequestsDueBeforeIt) {
    OpenLoopSchedule s(spec(10, 0, 1000ms));
    int n = 0;
    for (; s.due(5.0); s.advance()) ++n;
    EXPECT_EQ(n, 10);  // due at 0.0 .. 0.9; 1.0 is past the bound
    EXPECT_DOUBLE_EQ(*s.end_s(), 1.0);
    EXPECT_FALSE(OpenLoopSchedule(spec(10)).end_s());
}

TEST(HttpLoadTally, CountsLateStartsStatusesAndErrors) {
    HttpLoadTally t;
    t.sent(0.5);
    t.sent(late_start_ms + 0.1);
    t.sent(3);
    t.sent(1);
    t.answered(200, 4.0);
    t.answered(503, 8.0);
    t.failed(HttpLoadError::timeout, "Operation timed out");
    t.failed(HttpLoadError::connect_refused, "refused");
    t.failed(HttpLoadError::timeout, "Operation timed out after 1017 ms");
    t.failed(HttpLoadError::timeout, "Operation timed out after 1016 ms");
    t.dropped();
    auto j = t.to_json(spec(2), 2.0);
    EXPECT_EQ(j["sent"], 4);
    EXPECT_EQ(j["answered"], 2);
    EXPECT_DOUBLE_EQ(j["sent_per_s"].get<double>(), 2.0);
    EXPECT_DOUBLE_EQ(j["answered_per_s"].get<double>(), 1.0);
    EXPECT_EQ(j["status_codes"]["200"], 1);
    EXPECT_EQ(j["status_codes"]["503"], 1);
    EXPECT_EQ(j["errors"]["timeout"], 3);
    EXPECT_EQ(j["errors"]["connect_refused"], 1);
    EXPECT_EQ(j["errors"]["other"], 0);
    EXPECT_EQ(j["late_starts"], 1);
    EXPECT_EQ(j["dropped_in_flight_limit"], 1);
    EXPECT_EQ(j["behind_schedule"], true);
    EXPECT_DOUBLE_EQ(j["latency_ms"]["max"].get<double>(), 8.0);
    // Messages that differ only in their numbers are one kind.
    EXPECT_EQ(j["first_errors"],
              json({"Operation timed out", "refused", "Operation timed out after 1017 ms"}));
}

TEST(HttpLoadTally, NoAnswerMeansNoLatencyRatherThanZero) {
    HttpLoadTally t;
    t.sent(0);
    t.failed(HttpLoadError::timeout, "t");
    auto j = t.to_json(spec(1), 1.0);
    EXPECT_TRUE(j["latency_ms"].is_null());
    EXPECT_EQ(j["behind_schedule"], false);
}

TEST(HttpLoadSpec, ValidationAndTheDefaultInFlightBound) {
    EXPECT_TRUE(validate(spec(5)));
    auto bad = spec(0);
    EXPECT_FALSE(validate(bad));
    bad = spec(5);
    bad.name = "a b";
    EXPECT_FALSE(validate(bad));
    bad = spec(5);
    bad.request.url = "127.0.0.1/RPC";
    EXPECT_FALSE(validate(bad));
    auto s = spec(50);
    s.request.timeout = 200ms;
    EXPECT_EQ(effective_max_in_flight(s), 11u);  // 50/s x 0.2 s all timing out, + 1
    s.max_in_flight = 3;
    EXPECT_EQ(effective_max_in_flight(s), 3u);
}

// A loopback server: /ok answers 200, /busy 503, /hang holds the request until released.
class ApiServer {
  public:
    ApiServer() {
        server_.Post("/ok", [this](const httplib::Request&, httplib::Response& res) {
            ++requests_;
            res.set_content(R"({"result":1})", "application/json");
        });
        server_.Get("/busy", [this](const httplib::Request&, httplib::Response& res) {
            ++requests_;
            res.status = 503;
        });
        server_.Get("/hang", [this](const httplib::Request&, httplib::Response& res) {
            ++requests_;
            for (int i = 0; i < 500 && !released_; ++i) std::this_thread::sleep_for(10ms);
            res.set_content("late", "text/plain");
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::sleep_for(1ms);
    }
    ~ApiServer() {
        released_ = true;
        server_.stop();
        thread_.join();
    }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    int requests() const { return requests_.load(); }

  private:
    httplib::Server server_;
    std::thread thread_;
    int port_ = 0;
    std::atomic<int> requests_{0};
    std::atomic<bool> released_{false};
};

HttpLoadSpec against(const std::string& url, double rate, std::uint64_t max_requests,
                     std::chrono::milliseconds timeout = 1000ms) {
    HttpLoadSpec s = spec(rate, max_requests);
    s.request.url = url;
    s.request.timeout = timeout;
    return s;
}

TEST(HttpLoadDriver, SendsExactlyTheCountOnScheduleAndTheServerSeesEach) {
    ApiServer server;
    HttpLoadSpec s = against(server.url("/ok"), 100, 40);
    s.request.method = "POST";
    s.request.body = R"({"jsonrpc":"2.0","method":"core.uptime","id":1})";
    s.request.headers = {"Content-Type: application/json"};
    HttpLoadDriver load({s});
    const auto started = Clock::now();
    load.start();
    ASSERT_TRUE(load.wait_finished(5s));
    const double took_s = std::chrono::duration<double>(Clock::now() - started).count();
    auto j = load.stop()["api"];
    EXPECT_EQ(j["sent"], 40);
    EXPECT_EQ(j["answered"], 40);
    EXPECT_EQ(j["status_codes"]["200"], 40);
    EXPECT_EQ(server.requests(), 40);
    // Open loop: the last request is due at 0.39 s, so the stream cannot end much sooner.
    EXPECT_GE(took_s, 0.38);
    EXPECT_DOUBLE_EQ(j["duration_s"].get<double>(), 0.4);
    EXPECT_NEAR(j["sent_per_s"].get<double>(), 100.0, 1e-9);
    EXPECT_EQ(j["cancelled_at_stop"], 0);
    EXPECT_EQ(j["latency_ms"]["count"], 40);
}

TEST(HttpLoadDriver, ATimeBoundEndsTheStreamWithEveryRequestDueBeforeIt) {
    ApiServer server;
    HttpLoadSpec s = against(server.url("/busy"), 100, 0);
    s.max_duration = 250ms;
    HttpLoadDriver load({s});
    load.start();
    ASSERT_TRUE(load.wait_finished(5s));
    auto j = load.stop()["api"];
    EXPECT_EQ(j["sent"], 25);  // due at 0, 10, ..., 240 ms
    EXPECT_EQ(server.requests(), 25);
    EXPECT_DOUBLE_EQ(j["duration_s"].get<double>(), 0.25);
}

TEST(HttpLoadDriver, CountsStatusCodesOtherThan200) {
    ApiServer server;
    HttpLoadDriver load({against(server.url("/busy"), 200, 10)});
    load.start();
    ASSERT_TRUE(load.wait_finished(5s));
    auto j = load.stop()["api"];
    EXPECT_EQ(j["status_codes"]["503"], 10);
    EXPECT_EQ(j["answered"], 10);
}

TEST(HttpLoadDriver, AHangingEndpointTimesOutPerRequestAndIsCounted) {
    ApiServer server;
    HttpLoadDriver load({against(server.url("/hang"), 50, 5, 150ms)});
    const auto started = Clock::now();
    load.start();
    ASSERT_TRUE(load.wait_finished(3s));
    const double took_s = std::chrono::duration<double>(Clock::now() - started).count();
    auto j = load.stop()["api"];
    EXPECT_EQ(j["sent"], 5);
    EXPECT_EQ(j["errors"]["timeout"], 5);
    EXPECT_EQ(j["answered"], 0);
    EXPECT_TRUE(j["latency_ms"].is_null());
    // The last request leaves at 0.08 s and is aborted 0.15 s later, not when the server answers.
    EXPECT_LT(took_s, 1.5);
}

TEST(HttpLoadDriver, StopAbortsWhatIsInFlightAtOnce) {
    ApiServer server;
    HttpLoadDriver load({against(server.url("/hang"), 50, 0, 10000ms)});
    load.start();
    std::this_thread::sleep_for(300ms);
    const auto stopping = Clock::now();
    auto j = load.stop()["api"];
    const double stop_s = std::chrono::duration<double>(Clock::now() - stopping).count();
    EXPECT_LT(stop_s, 0.5);
    EXPECT_GE(j["sent"].get<int>(), 10);
    EXPECT_EQ(j["cancelled_at_stop"], j["sent"]);
    EXPECT_EQ(j["errors"]["timeout"], 0);
    EXPECT_FALSE(load.finished());
}

TEST(HttpLoadDriver, ConnectionRefusedIsItsOwnKind) {
    // A port that was just free: bound, then closed, so nothing listens there.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/";
    HttpLoadDriver load({against(url, 100, 6)});
    load.start();
    ASSERT_TRUE(load.wait_finished(5s));
    auto j = load.stop()["api"];
    EXPECT_EQ(j["errors"]["connect_refused"], 6);
    EXPECT_EQ(j["answered"], 0);
    EXPECT_FALSE(j["first_errors"].empty());
}

TEST(HttpLoadDriver, TheInFlightCapDropsWhatWouldPileUp) {
    ApiServer server;
    HttpLoadSpec s = against(server.url("/hang"), 100, 20, 3000ms);
    s.max_in_flight = 2;
    HttpLoadDriver load({s});
    load.start();
    std::this_thread::sleep_for(400ms);  // all 20 are due by 0.19 s
    auto j = load.stop()["api"];
    EXPECT_EQ(j["sent"], 2);
    EXPECT_EQ(j["dropped_in_flight_limit"], 18);
    EXPECT_EQ(j["cancelled_at_stop"], 2);
    EXPECT_EQ(j["behind_schedule"], true);
}

TEST(HttpLoadDriver, StreamsRunSideBySide) {
    ApiServer server;
    HttpLoadSpec a = against(server.url("/ok"), 100, 10);
    a.request.method = "POST";
    HttpLoadSpec b = against(server.url("/busy"), 50, 5);
    b.name = "busy";
    HttpLoadDriver load({a, b});
    load.start();
    ASSERT_TRUE(load.wait_finished(5s));
    auto j = load.stop();
    EXPECT_EQ(j["api"]["status_codes"]["200"], 10);
    EXPECT_EQ(j["busy"]["status_codes"]["503"], 5);
    EXPECT_EQ(server.requests(), 15);
}

}  // namespace
}  // namespace pbxbench::monitor
