// The management-API load in the harness: [[http_load]] and the scenario keys in a profile
// (file:line:col errors), --http-load, a level's plan, its row, metrics and summary.md section.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/http_load_plan.hpp"
#include "harness/profile.hpp"
#include "harness/run_report.hpp"
#include "report/http_load_html.hpp"
#include "report/metrics.hpp"

namespace pbxbench::harness {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const std::string head = R"(name = "demo"
[sut]
command = ["sleep", "1"]
)";

// Line 5 onwards: the [[http_load]] tables under test, then the scenarios.
const std::string dashboard = R"([[http_load]]
name = "uptime"
url = "http://127.0.0.1:${HTTP_PORT}/RPC"
method = "POST"
body = '{"jsonrpc":"2.0","method":"core.uptime","id":1}'
headers = ["Content-Type: application/json"]
rate = 25
timeout_ms = 500
max_in_flight = 8
)";

const std::string scenarios = R"(
[[scenarios]]
name = "plain"

[[scenarios]]
name = "loaded"
http_load = ["uptime"]
http_load_baseline = "plain"
)";

Result<Profile> parse(const std::string& text) {
    return parse_profile(text, "/profiles/p.toml");
}

std::string error_of(const std::string& text) {
    auto p = parse(text);
    EXPECT_FALSE(p) << "profile unexpectedly valid";
    return p ? std::string{} : p.error().message;
}

TEST(HttpLoadProfile, EntriesAndScenarioKeysAreRead) {
    auto p = parse(head + "\n" + dashboard + scenarios);
    ASSERT_TRUE(p) << p.error().message;
    ASSERT_EQ(p->http_load.size(), 1u);
    const HttpLoadEntrySpec& e = p->http_load[0];
    EXPECT_EQ(e.name, "uptime");
    EXPECT_EQ(e.method, "POST");
    EXPECT_DOUBLE_EQ(e.rate_per_s, 25);
    EXPECT_EQ(e.timeout_ms, 500u);
    EXPECT_EQ(e.max_in_flight, 8u);
    EXPECT_TRUE(p->find_scenario("plain")->http_load.empty());
    EXPECT_EQ(p->find_scenario("loaded")->http_load, std::vector<std::string>{"uptime"});
    EXPECT_EQ(p->find_scenario("loaded")->http_load_baseline, "plain");
}

TEST(HttpLoadProfile, ErrorsNameFileLineColumnAndField) {
    std::string no_rate = dashboard;
    no_rate.replace(no_rate.find("rate = 25\n"), 10, "");
    EXPECT_THAT(error_of(head + "\n" + no_rate + scenarios),
                HasSubstr("/profiles/p.toml:5:1: http_load[0].rate: missing"));
    std::string typo = dashboard;
    typo.replace(typo.find("timeout_ms"), 10, "timeout_s");
    EXPECT_THAT(error_of(head + "\n" + typo + scenarios),
                HasSubstr("p.toml:12:1: http_load[0].timeout_s: unknown key; did you mean "
                          "'timeout_ms'?"));
    std::string zero = dashboard;
    zero.replace(zero.find("rate = 25"), 9, "rate = 0");
    EXPECT_THAT(error_of(head + "\n" + zero + scenarios),
                HasSubstr("p.toml:11:8: http_load[0].rate: expected requests per second above 0"));
    std::string get_body = dashboard;
    get_body.replace(get_body.find("\"POST\""), 6, "\"GET\"");
    EXPECT_THAT(error_of(head + "\n" + get_body + scenarios),
                HasSubstr("p.toml:9:8: http_load[0].body: a body needs method = \"POST\""));
    std::string dotted = dashboard;
    dotted.replace(dotted.find("\"uptime\""), 8, "\"up.time\"");
    EXPECT_THAT(error_of(head + "\n" + dotted + scenarios),
                HasSubstr("p.toml:6:8: http_load[0].name: expected letters, digits"));
}

TEST(HttpLoadProfile, ScenarioReferencesAreChecked) {
    std::string unknown = scenarios;
    unknown.replace(unknown.find("[\"uptime\"]"), 10, "[\"uptme\"]");
    EXPECT_THAT(error_of(head + "\n" + dashboard + unknown),
                HasSubstr("p.toml:20:13: scenarios[1].http_load: no [[http_load]] named 'uptme'; "
                          "defined: uptime"));
    std::string baseline = scenarios;
    baseline.replace(baseline.find("http_load_baseline = \"plain\""), 28,
                     "http_load_baseline = \"loaded\"");
    EXPECT_THAT(
        error_of(head + "\n" + dashboard + baseline),
        HasSubstr("scenarios[1].http_load_baseline: expected the name of another scenario"));
    std::string twice = dashboard + dashboard;
    EXPECT_THAT(error_of(head + "\n" + twice + scenarios),
                HasSubstr("http_load[1].name: duplicate name 'uptime'"));
}

TEST(HttpLoadProfile, EveryVariableMustBeDefinedForTheScenariosUsingIt) {
    std::string undefined = dashboard;
    undefined.replace(undefined.find("${HTTP_PORT}"), 12, "${API_PORT}");
    EXPECT_THAT(error_of(head + "\n" + undefined + scenarios), HasSubstr("http_load.uptime.url: "));
    EXPECT_THAT(error_of(head + "\n" + undefined + scenarios), HasSubstr("API_PORT"));
    // Unused by any scenario: not checked, as for setup steps of other scenarios.
    std::string unused = scenarios;
    unused.replace(unused.find("http_load = [\"uptime\"]"), 22, "");
    EXPECT_TRUE(parse(head + "\n" + undefined + unused));
}

TEST(HttpLoadOption, ParsesUrlAtRate) {
    auto o = parse_http_load_option("http://user@127.0.0.1:8080/status@12.5");
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->url, "http://user@127.0.0.1:8080/status");
    EXPECT_DOUBLE_EQ(o->rate_per_s, 12.5);
    EXPECT_FALSE(parse_http_load_option("http://127.0.0.1/"));
    EXPECT_FALSE(parse_http_load_option("http://127.0.0.1/@0"));
    EXPECT_FALSE(parse_http_load_option("http://127.0.0.1/@fast"));
    EXPECT_FALSE(parse_http_load_option("127.0.0.1/@5"));
}

TEST(HttpLoadPlan, RendersTheScenarioEntriesThenTheOptions) {
    auto p = parse(head + "\n" + dashboard + scenarios);
    ASSERT_TRUE(p) << p.error().message;
    Variables vars{{"HTTP_PORT", "5080"}};
    std::vector<HttpLoadOption> options{{"http://127.0.0.1:${HTTP_PORT}/", 3}};
    auto plain = plan_http_load(*p, *p->find_scenario("plain"), vars, {});
    ASSERT_TRUE(plain);
    EXPECT_TRUE(plain->empty());
    auto loaded = plan_http_load(*p, *p->find_scenario("loaded"), vars, options);
    ASSERT_TRUE(loaded) << loaded.error().message;
    ASSERT_EQ(loaded->size(), 2u);
    EXPECT_EQ((*loaded)[0].name, "uptime");
    EXPECT_EQ((*loaded)[0].request.url, "http://127.0.0.1:5080/RPC");
    EXPECT_EQ((*loaded)[0].request.timeout, std::chrono::milliseconds(500));
    EXPECT_EQ((*loaded)[0].request.headers[0], "Content-Type: application/json");
    EXPECT_EQ((*loaded)[1].name, "cli-1");
    EXPECT_EQ((*loaded)[1].request.url, "http://127.0.0.1:5080/");
    EXPECT_EQ((*loaded)[1].request.method, "GET");
    EXPECT_FALSE(check_http_load_options(*p, {p->find_scenario("plain")},
                                         {{"http://127.0.0.1:${NOPE}/", 1}}));
}

json stream(double p95, int sent, int answered, int timeouts) {
    return {{"rate_per_s", 20},
            {"sent", sent},
            {"answered", answered},
            {"sent_per_s", sent / 4.0},
            {"answered_per_s", answered / 4.0},
            {"latency_ms", {{"count", answered}, {"p50", p95 / 2}, {"p95", p95}, {"p99", p95}}},
            {"status_codes", {{"200", answered}}},
            {"errors", {{"timeout", timeouts}, {"connect_refused", 0}, {"other", 0}}},
            {"late_starts", 0},
            {"dropped_in_flight_limit", 0},
            {"behind_schedule", false}};
}

LevelMeasurement level(const std::string& scenario, double setup_p95) {
    LevelMeasurement m;
    m.scenario = scenario;
    m.level = 20;
    m.uac_summary = {{"attempted", 20},
                     {"completed", 20},
                     {"failed", 0},
                     {"latency", {{"setup_ms", {{"p50", setup_p95 / 2}, {"p95", setup_p95}}}}}};
    return m;
}

TEST(HttpLoadRow, MetricsTakeTheSlowestStreamAndTheAnsweredShare) {
    LevelMeasurement m = level("loaded", 3.0);
    m.http_load = {
        {"baseline_scenario", "plain"},
        {"streams", {{"uptime", stream(1.5, 80, 80, 0)}, {"dump", stream(7.25, 20, 10, 10)}}}};
    json row = build_level_row(m, json::object());
    EXPECT_EQ(row["http_load"]["streams"]["dump"]["sent"], 20);
    EXPECT_DOUBLE_EQ(row["metrics"]["api_p95_ms"].get<double>(), 7.25);
    EXPECT_DOUBLE_EQ(row["metrics"]["api_answered_percent"].get<double>(), 90.0);
    json plain = build_level_row(level("plain", 2.0), json::object());
    EXPECT_TRUE(plain["http_load"].is_null());
    EXPECT_TRUE(plain["metrics"]["api_p95_ms"].is_null());
    EXPECT_TRUE(plain["metrics"]["api_answered_percent"].is_null());
    EXPECT_NE(report::find_metric("api_p95"), nullptr);
}

TEST(HttpLoadSummary, StreamsTableAndSetupWithAndWithout) {
    LevelMeasurement m = level("loaded", 3.0);
    m.http_load = {{"baseline_scenario", "plain"},
                   {"streams", {{"dump", stream(7.25, 20, 10, 10)}}}};
    std::vector<json> rows{build_level_row(level("plain", 2.0), json::object()),
                           build_level_row(m, json::object())};
    const std::string md = render_summary_md(rows, json::object());
    EXPECT_THAT(md, HasSubstr("## Management API load"));
    EXPECT_THAT(md, HasSubstr("| loaded | 20 | dump | 20.0 | 5.0 | 2.5 | 20 | 10 | 3.62 | 7.25 | "
                              "7.25 | 200:10 | 10 | 0 | no |"));
    EXPECT_THAT(md, HasSubstr("| 20 | loaded | 1.50 | 3.00 | plain | 1.00 | 2.00 | +1.00 |"));
    std::vector<json> without{build_level_row(level("plain", 2.0), json::object())};
    EXPECT_THAT(render_summary_md(without, json::object()),
                ::testing::Not(HasSubstr("Management API load")));
}

TEST(HttpLoadHtml, ABarPerStreamAndLevelAndAGapWithoutAnswers) {
    LevelMeasurement m = level("loaded", 3.0);
    m.http_load = {{"baseline_scenario", nullptr},
                   {"streams", {{"dump", stream(7.25, 20, 10, 10)}, {"none", stream(1, 5, 0, 5)}}}};
    m.http_load["streams"]["none"]["latency_ms"] = nullptr;
    report::RunData run;
    run.levels = {build_level_row(level("plain", 2.0), json::object()),
                  build_level_row(m, json::object())};
    const std::string html = report::http_load_html_section(run);
    EXPECT_THAT(html, HasSubstr("Management API latency"));
    EXPECT_THAT(html, HasSubstr("dump @20"));
    EXPECT_THAT(html, HasSubstr("none @20"));
    // p50, p95 and p99 each drawn for the answered stream only.
    EXPECT_THAT(html, HasSubstr("data-name=\"p95\" data-points=\"1\""));
    run.levels.pop_back();
    EXPECT_EQ(report::http_load_html_section(run), "");
}

}  // namespace
}  // namespace pbxbench::harness
