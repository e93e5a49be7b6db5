#include "harness/profile.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "harness/scenario_plan.hpp"

namespace pbxbench::harness {
namespace {

using ::testing::HasSubstr;

// A profile folder of its own per test, so templates can be written next to the profile.
class ProfileTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("pbxbench-profile-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_ / "tpl");
        write("tpl/app.cfg.in", "port=${SIP_PORT}\nworkers=${WORKERS}\n");
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    void write(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name) << text;
    }
    Result<Profile> parse(const std::string& text) { return parse_profile(text, dir_ / "p.toml"); }
    std::string error_of(const std::string& text) {
        auto p = parse(text);
        EXPECT_FALSE(p) << "profile unexpectedly valid";
        return p ? std::string{} : p.error().message;
    }
    std::string file() const { return (dir_ / "p.toml").string(); }

    std::filesystem::path dir_;
};

const std::string valid = R"(
name = "demo"
description = "a demo PBX"

[sut]
command = ["sleep", "-f", "${RUN_DIR}/app.cfg"]
workdir = "${RUN_DIR}"
env = { LANG = "C", PORT = "${SIP_PORT}" }
stop_signal = "INT"
stop_grace_s = 2.5
version_command = ["sleep", "--version"]

[sip]
host = "127.0.0.1"
port = "${SIP_PORT}"

[health]
url = "http://127.0.0.1:${HTTP_PORT}/health"
calls_pointer = "/calls"
ready_pointer = "/ready"

[readiness]
timeout_s = 7
health = true

[[templates]]
source = "tpl/app.cfg.in"
target = "app.cfg"

[vars]
WORKERS = 4

[users]
names = ["bob", "alice"]
password = "pw"

[[sidecars]]
name = "relay"
command = ["sleep", "--port=${RTPENGINE_NG_PORT}"]
ready = { udp_port = "${RTPENGINE_NG_PORT}" }
stop_signal = "TERM"

[[setup]]
name = "db"
command = ["true", "${RUN_DIR}/db"]
scenarios = ["relayed"]

[[scenarios]]
name = "plain"

[[scenarios]]
name = "relayed"
description = "with the relay"
args = ["-A", "RELAY"]
vars = { WORKERS = "8" }
sidecars = ["relay"]
)";

TEST_F(ProfileTest, ValidProfileLoadsEveryField) {
    auto p = parse(valid);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->name, "demo");
    EXPECT_EQ(p->sut.command, (Argv{"sleep", "-f", "${RUN_DIR}/app.cfg"}));
    EXPECT_EQ(p->sut.env.at("LANG"), "C");
    EXPECT_EQ(p->sut.stop_signal, SIGINT);
    EXPECT_DOUBLE_EQ(p->sut.stop_grace_s, 2.5);
    EXPECT_EQ(p->sip.port, "${SIP_PORT}");
    ASSERT_TRUE(p->health);
    EXPECT_EQ(p->health->calls_pointer, "/calls");
    EXPECT_EQ(p->health->calls_label, "calls");  // the default: the live view says "demo calls"
    EXPECT_TRUE(p->readiness.health);
    EXPECT_TRUE(p->readiness.sip_options);  // default
    EXPECT_DOUBLE_EQ(p->readiness.timeout_s, 7);
    ASSERT_EQ(p->templates.size(), 1u);
    EXPECT_EQ(p->templates[0].source, dir_ / "tpl/app.cfg.in");
    EXPECT_EQ(p->vars.at("WORKERS"), "4");  // integers are kept as text
    EXPECT_EQ(p->users.names, (std::vector<std::string>{"bob", "alice"}));
    ASSERT_EQ(p->sidecars.size(), 1u);
    EXPECT_EQ(p->sidecars[0].ready.kind, SidecarReady::Kind::udp_port);
    ASSERT_EQ(p->scenarios.size(), 2u);
    EXPECT_EQ(p->sidecars_for(p->scenarios[0]).size(), 0u);
    EXPECT_EQ(p->sidecars_for(p->scenarios[1]).size(), 1u);
    EXPECT_EQ(p->setup_for(p->scenarios[0]).size(), 0u);
    EXPECT_EQ(p->setup_for(p->scenarios[1]).size(), 1u);
}

TEST_F(ProfileTest, MissingRequiredFieldIsNamed) {
    std::string text = valid;
    text.replace(text.find("name = \"demo\""), 13, "");
    EXPECT_THAT(error_of(text), HasSubstr(": name: missing (expected a string)"));
    EXPECT_THAT(error_of("name = \"x\"\n[[scenarios]]\nname = \"a\"\n"), HasSubstr("sut: missing"));
}

TEST_F(ProfileTest, WrongTypeNamesFieldLineColumnAndTypes) {
    std::string text = valid;
    text.replace(text.find("sidecars = [\"relay\"]"), 20, "sidecars = \"relay\"");
    std::string e = error_of(text);
    EXPECT_THAT(
        e, HasSubstr(file() +
                     ":56:12: scenarios[1].sidecars: expected an array of strings, got a string"));

    text = valid;
    text.replace(text.find("command = [\"true\", \"${RUN_DIR}/db\"]"), 35,
                 "command = [\"true\", 3]");
    EXPECT_THAT(error_of(text),
                HasSubstr("setup[0].command[1]: expected a string, got an integer"));
}

TEST_F(ProfileTest, UnknownKeyGetsADidYouMeanHint) {
    std::string text = valid;
    text.replace(text.find("stop_grace_s = 2.5"), 18, "stop_grace = 2.5");
    EXPECT_THAT(error_of(text),
                HasSubstr(":10:1: sut.stop_grace: unknown key; did you mean 'stop_grace_s'?"));

    text = valid;
    text.replace(text.find("description = \"with"), 11, "descripton");
    EXPECT_THAT(error_of(text),
                HasSubstr("scenarios[1].descripton: unknown key; did you mean 'description'?"));

    // Nothing close: no hint.
    EXPECT_THAT(error_of(valid + "\n[frobnicate]\nx = 1\n"),
                ::testing::EndsWith("frobnicate: unknown key"));
}

TEST_F(ProfileTest, MisspelledRequiredKeyIsPointedOut) {
    std::string text = valid;
    text.replace(text.find("command = [\"sleep\", \"-f\""), 7, "comand");
    EXPECT_THAT(
        error_of(text),
        HasSubstr(
            "sut.command: missing (expected an array of strings); is 'comand' a misspelling"));
}

// A second typo is reported with the first, not after it is fixed: one error per line, each
// with its own file:line:col, in the order found, under a count.
TEST_F(ProfileTest, EveryErrorIsReportedAtOnce) {
    std::string text = valid;
    text.replace(text.find("stop_grace_s = 2.5"), 18, "stop_grace = 2.5");
    text.replace(text.find("timeout_s = 7"), 13, "timeout_s = \"7\"");
    text.replace(text.find("description = \"with"), 11, "descripton");
    text.replace(text.find("sidecars = [\"relay\"]"), 20, "sidecars = [\"relya\"]");
    const std::string e = error_of(text);
    EXPECT_THAT(e, ::testing::StartsWith("4 errors in " + file() + ":\n"));
    EXPECT_THAT(e, HasSubstr(":10:1: sut.stop_grace: unknown key; did you mean 'stop_grace_s'?"));
    EXPECT_THAT(e, HasSubstr(":23:13: readiness.timeout_s: expected a number, got a string"));
    EXPECT_THAT(e, HasSubstr("scenarios[1].descripton: unknown key"));
    EXPECT_THAT(e, HasSubstr("scenarios[1].sidecars[0]: no sidecar named 'relya'"));
    EXPECT_LT(e.find("sut.stop_grace"), e.find("readiness.timeout_s"));
}

TEST_F(ProfileTest, ErrorsStopAtALimitAndSayHowManyMore) {
    std::string text = valid;
    for (int i = 0; i < 25; ++i)
        text.replace(text.find("[sip]"), 5, "[sip]\nbogus" + std::to_string(i) + " = 1");
    const std::string e = error_of(text);
    EXPECT_THAT(e, ::testing::StartsWith("25 errors in "));
    EXPECT_THAT(e, HasSubstr("\n... and 5 more errors (fix these first)"));
    EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 1 + 20);
}

// A profile copied without its templates says where it looked, why there, and what to do.
TEST_F(ProfileTest, MissingTemplateSaysWhereItLookedAndWhatToDo) {
    std::filesystem::remove_all(dir_ / "tpl");
    const std::string e = error_of(valid);
    EXPECT_THAT(e, HasSubstr("templates[0].source: cannot read template " +
                             (dir_ / "tpl/app.cfg.in").string() + " (No such file or directory)"));
    EXPECT_THAT(e, HasSubstr("templates are resolved against the profile's folder (" +
                             dir_.string() + ")"));
    EXPECT_THAT(e, HasSubstr("needs its folder 'tpl/' copied next to it too, or an absolute "
                             "source path"));
}

TEST_F(ProfileTest, DuplicateScenarioNames) {
    EXPECT_THAT(error_of(valid + "\n[[scenarios]]\nname = \"plain\"\n"),
                HasSubstr("scenarios[2].name: duplicate scenario name 'plain'"));
}

TEST_F(ProfileTest, SidecarReferenceToNothing) {
    std::string text = valid;
    text.replace(text.find("sidecars = [\"relay\"]"), 20, "sidecars = [\"relya\"]");
    EXPECT_THAT(
        error_of(text),
        HasSubstr("scenarios[1].sidecars[0]: no sidecar named 'relya'; defined sidecars: relay"));
    text = valid;
    text.replace(text.find("scenarios = [\"relayed\"]"), 23, "scenarios = [\"nope\"]");
    EXPECT_THAT(error_of(text), HasSubstr("setup[0].scenarios[0]: no scenario named 'nope'"));
}

TEST_F(ProfileTest, UnknownTemplateVariableNamesTemplateLineAndScenario) {
    write("tpl/app.cfg.in", "port=${SIP_PORT}\nworkers=${WORKERS}\nx=${NOPE}\n");
    std::string e = error_of(valid);
    EXPECT_THAT(e, HasSubstr("templates[0]: template " + (dir_ / "tpl/app.cfg.in").string() +
                             " line 3:3: unknown variable ${NOPE}"));
    EXPECT_THAT(e, HasSubstr("(in scenario plain)"));
}

TEST_F(ProfileTest, VariableDefinedOnlyForOneScenarioFailsTheOther) {
    std::string text = valid;
    text.replace(text.find("WORKERS = 4"), 11, "OTHER = 4");
    EXPECT_THAT(error_of(text), HasSubstr("unknown variable ${WORKERS}"));
    EXPECT_THAT(error_of(text), HasSubstr("(in scenario plain)"));
}

TEST_F(ProfileTest, UnknownVariableInAFieldNamesTheField) {
    std::string text = valid;
    text.replace(text.find("\"-A\", \"RELAY\""), 13, "\"-A\", \"${RELAY}\"");
    EXPECT_THAT(error_of(text),
                HasSubstr("scenarios.relayed.args[1]: value line 1:1: unknown variable ${RELAY}"));
}

TEST_F(ProfileTest, TomlSyntaxErrorHasLineAndColumn) {
    std::string e = error_of("name = \"x\"\n[sut]\ncommand = [\"a\",\n");
    EXPECT_THAT(e, ::testing::StartsWith(file() + ":"));
    EXPECT_THAT(e, ::testing::ContainsRegex(":[0-9]+:[0-9]+: TOML syntax error: "));
    e = error_of("name = \"x\"\nname = \"y\"\n");
    EXPECT_THAT(e, HasSubstr(file() + ":2:8: TOML syntax error"));
}

TEST_F(ProfileTest, CommandNotFound) {
    std::string text = valid;
    text.replace(text.find("[\"sleep\", \"--port"), 8, "[\"no-such-pbx-xyz\"");
    EXPECT_THAT(error_of(text),
                HasSubstr("sidecars[0].command[0]: command not found: no-such-pbx-xyz"));
}

TEST_F(ProfileTest, BadSignalAndReady) {
    std::string text = valid;
    text.replace(text.find("stop_signal = \"INT\""), 19, "stop_signal = \"TREM\"");
    EXPECT_THAT(error_of(text), HasSubstr("sut.stop_signal: expected a signal name"));
    text = valid;
    text.replace(text.find("ready = { udp_port"), 18, "ready = { log_contains = \"x\", udp_port");
    EXPECT_THAT(error_of(text), HasSubstr("sidecars[0].ready: expected exactly one of"));
}

TEST_F(ProfileTest, SelectScenarios) {
    auto p = parse(valid);
    ASSERT_TRUE(p) << p.error().message;
    auto all = select_scenarios(*p, "all");
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), 2u);
    auto some = select_scenarios(*p, "relayed, plain,relayed");
    ASSERT_TRUE(some);
    ASSERT_EQ(some->size(), 2u);
    EXPECT_EQ((*some)[0]->name, "relayed");
    auto bad = select_scenarios(*p, "plain,relay");
    ASSERT_FALSE(bad);
    EXPECT_THAT(bad.error().message, HasSubstr("unknown scenario 'relay'"));
    EXPECT_THAT(bad.error().message, HasSubstr("known scenarios: plain, relayed, or all"));
}

TEST_F(ProfileTest, PlanSubstitutesEverything) {
    auto p = parse(valid);
    ASSERT_TRUE(p) << p.error().message;
    Variables builtins = {
        {"SIP_PORT", "5070"},         {"HTTP_PORT", "8080"},  {"RTPENGINE_NG_PORT", "2223"},
        {"RTPENGINE_CLI_PORT", "9"},  {"RUN_DIR", "/r"},      {"PROFILE_DIR", dir_.string()},
        {"EXTENSION_PASSWORD", "pw"}, {"SCENARIO", "relayed"}};
    auto plan = plan_scenario(*p, p->scenarios[1], builtins);
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan->sut.argv, (Argv{"sleep", "-f", "/r/app.cfg", "-A", "RELAY"}));
    EXPECT_EQ(plan->sut.env.at("PORT"), "5070");
    EXPECT_EQ(plan->sut.log_path, "/r/demo.log");
    EXPECT_EQ(plan->sut.stop_grace, std::chrono::milliseconds(2500));
    EXPECT_EQ(plan->sip.to_string(), "127.0.0.1:5070");
    ASSERT_EQ(plan->templates.size(), 1u);
    EXPECT_EQ(plan->templates[0].text, "port=5070\nworkers=8\n");  // the scenario's vars win
    ASSERT_EQ(plan->sidecars.size(), 1u);
    EXPECT_EQ(plan->sidecars[0].launch.argv, (Argv{"sleep", "--port=2223"}));
    ASSERT_TRUE(plan->sidecars[0].ready.port);
    EXPECT_EQ(plan->sidecars[0].ready.port->port, 2223);
    ASSERT_EQ(plan->setup.size(), 1u);
    EXPECT_EQ(plan->setup[0].launch.argv, (Argv{"true", "/r/db"}));
    ASSERT_TRUE(plan->sut_ready.health);
    EXPECT_EQ(plan->sut_ready.health->request.url, "http://127.0.0.1:8080/health");
    EXPECT_EQ(plan->sut_ready.health->ok_pointer, "/ready");
    EXPECT_TRUE(plan->sut_ready.sip_options);
}

// `ports` adds free-port variables; [[collect]] steps run after the calls with stdout piped.
TEST_F(ProfileTest, ExtraPortsAndCollectSteps) {
    std::string text = valid;
    text.replace(text.find("[sut]"), 0,
                 "ports = [\"DB_PORT\"]\n\n[[collect]]\nname = \"rows\"\n"
                 "command = [\"echo\", \"${DB_PORT}\"]\nscenarios = [\"relayed\"]\n"
                 "timeout_s = 4\n\n");
    auto p = parse(text);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->ports, (std::vector<std::string>{"DB_PORT"}));
    EXPECT_TRUE(p->collect_for(p->scenarios[0]).empty());
    ASSERT_EQ(p->collect_for(p->scenarios[1]).size(), 1u);
    PortAllocator ports;
    auto vars = builtin_variables(*p, p->scenarios[1], dir_ / "run", ports);
    ASSERT_TRUE(vars) << vars.error().message;
    ASSERT_TRUE(vars->contains("DB_PORT"));
    EXPECT_NE(vars->at("DB_PORT"), vars->at("SIP_PORT"));
    auto plan = plan_scenario(*p, p->scenarios[1], *vars);
    ASSERT_TRUE(plan) << plan.error().message;
    ASSERT_EQ(plan->collect.size(), 1u);
    EXPECT_EQ(plan->collect[0].launch.name, "collect-rows");
    EXPECT_EQ(plan->collect[0].launch.argv, (Argv{"echo", vars->at("DB_PORT")}));
    EXPECT_EQ(plan->collect[0].launch.stdout_to, StdoutTo::pipe);
    EXPECT_EQ(plan->collect[0].timeout, std::chrono::milliseconds(4000));

    // A port variable unknown to the profile, a built-in one, and a malformed name.
    std::string undefined = valid;
    undefined.replace(undefined.find("[sut]"), 0,
                      "[[collect]]\ncommand = [\"echo\", \"${NOPE_PORT}\"]\n\n");
    EXPECT_THAT(error_of(undefined), HasSubstr("NOPE_PORT"));
    std::string builtin = valid;
    builtin.replace(builtin.find("[sut]"), 0, "ports = [\"SIP_PORT\"]\n");
    EXPECT_THAT(error_of(builtin), HasSubstr("built-in variable"));
    std::string malformed = valid;
    malformed.replace(malformed.find("[sut]"), 0, "ports = [\"1X\"]\n");
    EXPECT_THAT(error_of(malformed), HasSubstr("expected a variable name"));
}

TEST_F(ProfileTest, WorkloadsAreReadAndScenariosNameThem) {
    auto p = parse(valid + R"(
[workloads.storm]
register_rate = 200
register_expires = 60
refresh_at = 0.5
options_rate = 5
options_to = "pbx"
load_duration = 12

[workloads.mixed]
mix = "invite=70,register=30"
rate = 100

[[scenarios]]
name = "storm"
workload = "storm"
)");
    ASSERT_TRUE(p) << p.error().message;
    ASSERT_EQ(p->workloads.size(), 2u);
    const auto& w = p->workloads.at("storm");
    EXPECT_DOUBLE_EQ(w.register_rate, 200);
    EXPECT_EQ(w.register_expires_s, 60);
    EXPECT_DOUBLE_EQ(w.refresh_at, 0.5);
    EXPECT_DOUBLE_EQ(w.options_rate, 5);
    EXPECT_EQ(w.options_to, "pbx");
    EXPECT_DOUBLE_EQ(w.load_duration_s, 12);
    EXPECT_EQ(p->workloads.at("mixed").mix, "invite=70,register=30");
    EXPECT_EQ(p->find_scenario("storm")->workload, "storm");
    EXPECT_EQ(p->find_scenario("plain")->workload, "");
}

TEST_F(ProfileTest, WorkloadErrorsNameTheField) {
    EXPECT_THAT(error_of(valid + "[[scenarios]]\nname = \"x\"\nworkload = \"nope\"\n"),
                ::testing::HasSubstr("workload 'nope' is not defined; defined: none (add a "
                                     "[workloads.nope] table)"));
    EXPECT_THAT(error_of(valid + "[workloads.w]\nmix = \"invite=1,subscribe=1\"\nrate = 5\n"),
                ::testing::HasSubstr("workloads.w.mix: --mix: unknown method 'subscribe'"));
    EXPECT_THAT(error_of(valid + "[workloads.w]\nmix = \"invite=1\"\n"),
                ::testing::HasSubstr("workloads.w.rate"));
    EXPECT_THAT(error_of(valid + "[workloads.w]\nregister_rate = 5\noptions_to = \"all\"\n"),
                ::testing::HasSubstr("expected pbx, users or both"));
    EXPECT_THAT(error_of(valid + "[workloads.w]\nregister_rat = 5\n"),
                ::testing::HasSubstr("unknown key"));
}

TEST(ShippedProfile, KamailioLoadsAndPlansEveryScenario) {
    auto p = load_profile(std::filesystem::path(PBXBENCH_SOURCE_DIR) / "profiles/kamailio.toml");
    ASSERT_TRUE(p) << p.error().message;
    auto names = select_scenarios(*p, "all");
    ASSERT_TRUE(names);
    ASSERT_EQ(names->size(), 4u);
    EXPECT_EQ((*names)[0]->name, "mediaproxy_none");
    EXPECT_EQ((*names)[1]->name, "callauth");
    EXPECT_EQ((*names)[1]->callers_register, true);
    EXPECT_EQ(p->users.callers_count, 20u);
    EXPECT_EQ(p->users.names.size(), 1000u);
    ASSERT_TRUE(p->health);
    EXPECT_EQ(p->health->calls_label, "dialogs");  // the live view: "kamailio dialogs 10"
    PortAllocator ports;
    for (const ScenarioSpec* s : *names) {
        auto vars = builtin_variables(*p, *s, "/tmp/run-x", ports);
        ASSERT_TRUE(vars) << vars.error().message;
        auto plan = plan_scenario(*p, *s, *vars);
        ASSERT_TRUE(plan) << s->name << ": " << plan.error().message;
        const bool sipflow = s->name == "sipflow";
        const bool no_relay = s->name == "mediaproxy_none" || s->name == "callauth";
        EXPECT_EQ(plan->sidecars.size(), no_relay ? 0u : sipflow ? 2u : 1u) << s->name;
        EXPECT_EQ(plan->setup.size(), sipflow ? 2u : 0u) << s->name;
        // rtpengine's counters wherever it relays; the trace count in sipflow.
        EXPECT_EQ(plan->collect.size(), no_relay ? 0u : sipflow ? 2u : 1u) << s->name;
        EXPECT_FALSE(vars->at("PG_PORT").empty());  // the profile's own port variable
        EXPECT_NE(plan->templates.at(0).text.find("listen=udp:127.0.0.1:" + vars->at("SIP_PORT")),
                  std::string::npos);
    }
}

TEST(Signals, ParseNamesAndNumbers) {
    EXPECT_EQ(parse_signal("TERM").value(), SIGTERM);
    EXPECT_EQ(parse_signal("SIGINT").value(), SIGINT);
    EXPECT_EQ(parse_signal("9").value(), SIGKILL);
    EXPECT_FALSE(parse_signal("TREM"));
}

TEST(Commands, ResolvedOnPathOrReportedMissing) {
    auto sh = resolve_command("sh");
    ASSERT_TRUE(sh);
    EXPECT_TRUE(sh->is_absolute());
    auto missing = resolve_command("no-such-command-xyz");
    ASSERT_FALSE(missing);
    EXPECT_THAT(missing.error().message,
                ::testing::StartsWith("command not found: no-such-command-xyz"));
}

}  // namespace
}  // namespace pbxbench::harness

namespace pbxbench::harness {
namespace {

// The untested examples must at least follow the schema: on this machine they may fail only
// because their PBX or their (user-written) templates are missing.
TEST(ExampleProfiles, FailOnlyForWhatIsNotInstalledHere) {
    for (const char* name : {"freeswitch", "rustpbx"}) {
        auto p = load_profile(std::filesystem::path(PBXBENCH_SOURCE_DIR) / "profiles/examples" /
                              (std::string(name) + ".toml"));
        if (p) continue;
        // Every error is reported at once: each line must be one of those two.
        std::istringstream lines(p.error().message);
        for (std::string e; std::getline(lines, e);) {
            if (e.find(" errors in ") != std::string::npos) continue;
            EXPECT_TRUE(e.find("cannot read template") != std::string::npos ||
                        e.find("command not found") != std::string::npos)
                << name << ": " << e;
        }
    }
}

}  // namespace
}  // namespace pbxbench::harness
