// Health replies of every kind, interpreted without a network.
#include "monitor/health_probe.hpp"

#include <gtest/gtest.h>

#include "tests/unit/monitor_fakes.hpp"

namespace pbxbench::monitor {
namespace {

HttpReply reply(long status, std::string body, double latency_ms = 2.5) {
    return HttpReply{Transport::ok, status, std::move(body), latency_ms, ""};
}

HealthConfig json_calls(std::string pointer = "/result/all") {
    HealthConfig c;
    c.request.url = "http://127.0.0.1:1/RPC";
    c.calls_pointer = std::move(pointer);
    return c;
}

TEST(PrometheusValue, SumsEveryLabelSetOfTheNamedMetricOnly) {
    const char* text =
        "# HELP calls Active calls\n"
        "# TYPE calls gauge\n"
        "calls_total 999\n"
        "calls{worker=\"1\",note=\"a } brace\"} 12\n"
        "calls{worker=\"2\",note=\"esc \\\" quote\"} 8 1700000000000\n"
        "other 5\n";
    auto v = prometheus_value(text, "calls");
    ASSERT_TRUE(v) << v.error().message;
    EXPECT_DOUBLE_EQ(*v, 20.0);
    EXPECT_DOUBLE_EQ(prometheus_value("calls 7\n", "calls").value(), 7.0);
    EXPECT_DOUBLE_EQ(prometheus_value("calls_total 3.5e1", "calls_total").value(), 35.0);
}

TEST(PrometheusValue, MissingOrMalformedMetricIsAnError) {
    EXPECT_FALSE(prometheus_value("calls_total 3\n", "calls"));
    EXPECT_FALSE(prometheus_value("calls abc\n", "calls"));
    EXPECT_FALSE(prometheus_value("calls{a=\"1\" 3\n", "calls"));
    EXPECT_FALSE(prometheus_value("", "calls"));
}

TEST(JsonNumberAt, FollowsThePointer) {
    EXPECT_DOUBLE_EQ(json_number_at(R"({"result":{"all":20}})", "/result/all").value(), 20.0);
    EXPECT_DOUBLE_EQ(json_number_at(R"({"a":[1,{"b":"42"}]})", "/a/1/b").value(), 42.0);
    EXPECT_FALSE(json_number_at(R"({"result":{}})", "/result/all"));
    EXPECT_FALSE(json_number_at(R"({"result":{"all":"many"}})", "/result/all"));
    EXPECT_FALSE(json_number_at("<html>", "/result/all"));
}

TEST(Validate, RejectsBadPointersAndTwoCallSources) {
    EXPECT_TRUE(validate(json_calls()));
    EXPECT_FALSE(validate(json_calls("result/all")));
    HealthConfig both = json_calls();
    both.calls_metric = "calls";
    EXPECT_FALSE(validate(both));
}

TEST(Interpret, JsonReplyGivesCallsAndHealth) {
    HealthResult r = interpret(json_calls(), reply(200, R"({"result":{"all":20}})"));
    EXPECT_EQ(r.outcome, HealthOutcome::ok);
    EXPECT_TRUE(r.healthy);
    EXPECT_EQ(r.calls, 20.0);
    EXPECT_EQ(r.http_status, 200);
    EXPECT_EQ(r.latency_ms, 2.5);
    EXPECT_TRUE(r.error.empty());
}

TEST(Interpret, ServerErrorIsUnhealthyAndCounted) {
    HealthResult r = interpret(json_calls(), reply(500, "oops"));
    EXPECT_EQ(r.outcome, HealthOutcome::http_error);
    EXPECT_FALSE(r.healthy);
    EXPECT_EQ(r.http_status, 500);
    EXPECT_FALSE(r.calls);
    EXPECT_EQ(r.error, "HTTP 500");
}

TEST(Interpret, GarbageIsUnparsableButTheServerAnswered) {
    HealthResult r = interpret(json_calls(), reply(200, "\x01garbage{"));
    EXPECT_EQ(r.outcome, HealthOutcome::unparsable);
    EXPECT_TRUE(r.healthy);
    EXPECT_FALSE(r.calls);
    EXPECT_FALSE(r.error.empty());
}

TEST(Interpret, TimeoutAndTransportErrorsKeepTheirKind) {
    HealthResult t = interpret(json_calls(), HttpReply{Transport::timeout, 0, "", 300, "Timeout"});
    EXPECT_EQ(t.outcome, HealthOutcome::timeout);
    EXPECT_FALSE(t.healthy);
    EXPECT_FALSE(t.http_status);
    HealthResult e = interpret(json_calls(), HttpReply{Transport::error, 0, "", 1, "refused"});
    EXPECT_EQ(e.outcome, HealthOutcome::transport_error);
    EXPECT_EQ(e.error, "refused");
}

TEST(Interpret, OkFieldDecidesHealth) {
    HealthConfig c = json_calls();
    c.ok_pointer = "/status";
    c.ok_value = "up";
    EXPECT_TRUE(interpret(c, reply(200, R"({"status":"up","result":{"all":1}})")).healthy);
    HealthResult down = interpret(c, reply(200, R"({"status":"down","result":{"all":1}})"));
    EXPECT_FALSE(down.healthy);
    EXPECT_EQ(down.outcome, HealthOutcome::unhealthy);
    EXPECT_EQ(down.calls, 1.0);  // still worth recording
    c.ok_pointer = "/ready";
    c.ok_value = "true";
    EXPECT_TRUE(interpret(c, reply(200, R"({"ready":true,"result":{"all":1}})")).healthy);
    EXPECT_FALSE(interpret(c, reply(200, "not json")).healthy);
}

TEST(Interpret, PrometheusMetric) {
    HealthConfig c;
    c.calls_metric = "pbx_active_calls";
    HealthResult r = interpret(
        c, reply(200, "pbx_active_calls{node=\"a\"} 4\npbx_active_calls{node=\"b\"} 5\n"));
    EXPECT_EQ(r.outcome, HealthOutcome::ok);
    EXPECT_EQ(r.calls, 9.0);
}

TEST(HealthProbe, SendsTheConfiguredRequest) {
    auto http = std::make_unique<testing::FakeHttpClient>();
    auto* fake = http.get();
    fake->replies.push_back(reply(200, R"({"result":{"all":3}})"));
    HealthConfig c = json_calls();
    c.request.method = "POST";
    c.request.body = R"({"jsonrpc":"2.0","method":"dlg.stats_active","id":1})";
    c.request.headers = {"Authorization: Bearer t0k"};
    HealthProbe probe(c, std::move(http));
    HealthResult r = probe.poll(1.25);
    EXPECT_EQ(r.calls, 3.0);
    EXPECT_EQ(r.t_s, 1.25);
    ASSERT_EQ(fake->requests.size(), 1u);
    EXPECT_EQ(fake->requests[0].method, "POST");
    EXPECT_EQ(fake->requests[0].body, c.request.body);
    EXPECT_EQ(fake->requests[0].headers, c.request.headers);
}

}  // namespace
}  // namespace pbxbench::monitor
