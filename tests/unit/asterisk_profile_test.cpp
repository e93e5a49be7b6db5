// profiles/asterisk.toml is verified by hand against a real Asterisk (docs/profiles.md); CI
// has no Asterisk, so this test guards what can be checked without one: the profile loads
// and plans every scenario, its templates render with every ${} defined, it names no install
// path, and no request gets in without an endpoint that authenticates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "harness/ports.hpp"
#include "harness/profile.hpp"
#include "harness/scenario_plan.hpp"

namespace pbxbench::harness {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::filesystem::path source_dir = PBXBENCH_SOURCE_DIR;

// load_profile checks that `asterisk` is on PATH; CI has none, so a stand-in script is put
// first on PATH for the test's duration (it is never run).
class AsteriskProfile : public ::testing::Test {
  protected:
    void SetUp() override {
        bin_ = std::filesystem::temp_directory_path() /
               ("pbxbench-asterisk-" + std::to_string(::getpid()));
        std::filesystem::create_directories(bin_);
        const auto fake = bin_ / "asterisk";
        std::ofstream(fake) << "#!/bin/sh\nexit 0\n";
        ::chmod(fake.c_str(), 0755);
        const char* path = ::getenv("PATH");
        saved_path_ = path ? path : "";
        ::setenv("PATH", (bin_.string() + ":" + saved_path_).c_str(), 1);
    }
    void TearDown() override {
        ::setenv("PATH", saved_path_.c_str(), 1);
        std::filesystem::remove_all(bin_);
    }

    std::filesystem::path bin_;
    std::string saved_path_;
};

const RenderedTemplate& rendered(const ScenarioPlan& plan, const std::string& target) {
    for (const auto& t : plan.templates)
        if (t.target.filename() == target) return t;
    throw std::runtime_error("no template " + target);
}

// Asterisk config text without its comments (everything from ';' on a line).
std::string without_comments(const std::string& text) {
    std::istringstream in(text);
    std::string line, out;
    while (std::getline(in, line)) out += line.substr(0, line.find(';')) + "\n";
    return out;
}

TEST_F(AsteriskProfile, LoadsPlansAndRendersEveryScenario) {
    auto p = load_profile(source_dir / "profiles/asterisk.toml");
    ASSERT_TRUE(p) << p.error().message;
    auto all = select_scenarios(*p, "all");
    ASSERT_TRUE(all);
    std::vector<std::string> names;
    for (const ScenarioSpec* s : *all) names.push_back(s->name);
    EXPECT_EQ(names, (std::vector<std::string>{"direct_media", "relay_media", "echo"}));

    // The binary comes from PATH: the profile names no install path.
    EXPECT_EQ(p->sut.command.front(), "asterisk");
    EXPECT_EQ(p->sut.version_command.front(), "asterisk");

    // users.sh writes the sections for USER_FIRST.. USER_COUNT: the same users as [users].
    ASSERT_FALSE(p->users.names.empty());
    EXPECT_EQ(p->users.names.front(), p->vars.at("USER_PREFIX") + p->vars.at("USER_FIRST"));
    EXPECT_EQ(std::to_string(p->users.names.size()), p->vars.at("USER_COUNT"));
    // Every caller and callee is one of them: callers authenticate as endpoints Asterisk knows.
    ASSERT_TRUE(p->users.callers_count && p->users.callees_count);
    EXPECT_LE(*p->users.callers_count + *p->users.callees_count, p->users.names.size());

    PortAllocator ports;
    for (const ScenarioSpec* s : *all) {
        SCOPED_TRACE(s->name);
        auto vars = builtin_variables(*p, *s, "/tmp/pbxbench-run-x", ports);
        ASSERT_TRUE(vars) << vars.error().message;
        auto plan = plan_scenario(*p, *s, *vars);
        ASSERT_TRUE(plan) << plan.error().message;
        const std::string sip_port = vars->at("SIP_PORT");

        for (const auto& t : plan->templates) {
            SCOPED_TRACE(t.target.string());
            // Every ${} of ours was substituted; what is left is Asterisk's own, escaped $${}.
            for (std::size_t at = t.text.find("${"); at != std::string::npos;
                 at = t.text.find("${", at + 2))
                EXPECT_EQ(t.target.filename(), "extensions.conf") << t.text.substr(at, 20);
            // No path outside the run dir: nothing of the installation, nothing of the machine.
            for (const char* outside : {"/etc/", "/usr/", "/opt/", "/var/", "/home/"})
                EXPECT_THAT(t.text, Not(HasSubstr(outside)));
        }

        const std::string ast = rendered(*plan, "asterisk.conf").text;
        for (const char* dir :
             {"astetcdir", "astvarlibdir", "astdbdir", "astspooldir", "astrundir", "astlogdir"})
            EXPECT_TRUE(std::regex_search(
                ast, std::regex(std::string("\n") + dir + " => /tmp/pbxbench-run-x")))
                << dir;
        EXPECT_THAT(ast, Not(HasSubstr("astmoddir")));  // the installation's, found by the binary

        const std::string modules = without_comments(rendered(*plan, "modules.conf").text);
        EXPECT_THAT(modules, HasSubstr("autoload = no"));
        for (const char* m : {"res_pjsip.so", "chan_pjsip.so", "res_pjsip_authenticator_digest.so",
                              "res_pjsip_endpoint_identifier_user.so", "res_pjsip_registrar.so",
                              "res_rtp_asterisk.so", "pbx_config.so", "app_dial.so", "app_echo.so",
                              "bridge_native_rtp.so", "res_prometheus.so"})
            EXPECT_THAT(modules, HasSubstr("require = " + std::string(m)));
        // No anonymous endpoint: the identifier module that would create one is never loaded.
        EXPECT_THAT(modules, Not(HasSubstr("anonymous")));

        const std::string pjsip = without_comments(rendered(*plan, "pjsip.conf").text);
        EXPECT_THAT(pjsip, HasSubstr("bind = 127.0.0.1:" + sip_port));
        EXPECT_THAT(pjsip, HasSubstr("endpoint_identifier_order = username\n"));
        EXPECT_THAT(pjsip, Not(HasSubstr("anonymous")));
        EXPECT_THAT(pjsip, HasSubstr("password = " + p->users.password));
        EXPECT_THAT(pjsip, HasSubstr("#include pjsip_users.conf"));
        EXPECT_THAT(pjsip, HasSubstr("direct_media = " +
                                     std::string(s->name == "direct_media" ? "yes" : "no")));

        const std::string dialplan = rendered(*plan, "extensions.conf").text;
        EXPECT_THAT(pjsip,
                    HasSubstr("context = " + std::string(s->name == "echo" ? "echo" : "call")));
        EXPECT_THAT(dialplan, HasSubstr("Dial(PJSIP/${EXTEN},"));
        EXPECT_THAT(dialplan, HasSubstr("Echo()"));

        EXPECT_THAT(rendered(*plan, "http.conf").text,
                    HasSubstr("bindport = " + vars->at("HTTP_PORT")));
        EXPECT_THAT(rendered(*plan, "cdr.conf").text, HasSubstr("enable = no"));

        // Asterisk's RTP ports stay clear of the UAC's and the UAS's default ranges.
        const int rtp_start = std::stoi(plan->vars.at("RTP_START"));
        const int rtp_end = std::stoi(plan->vars.at("RTP_END"));
        EXPECT_LT(rtp_start, rtp_end);
        for (auto [lo, hi] : {std::pair{16000, 25999}, std::pair{42000, 51999}})
            EXPECT_TRUE(rtp_end < lo || rtp_start > hi) << lo << "-" << hi;

        // The health gauge counts calls: bridges where Asterisk bridges two legs (a bridged call
        // is two channels), channels where it answers itself (echo: one channel, no bridge).
        // The metric is substituted per scenario.
        ASSERT_TRUE(plan->health);
        EXPECT_EQ(plan->health->calls_metric,
                  s->name == "echo" ? "asterisk_channels_count" : "asterisk_bridges_count");
        EXPECT_EQ(plan->setup.size(), 3u);
        EXPECT_EQ(plan->collect.size(), 1u);
    }
}

// users.sh gives every user an endpoint that must authenticate (an auth of its own name) and
// an aor; nothing else, so no endpoint takes requests unauthenticated.
TEST_F(AsteriskProfile, UsersScriptWritesAnAuthenticatedEndpointPerUser) {
    const auto dir = bin_ / "run";
    std::filesystem::create_directories(dir);
    const std::string cmd = "sh " + (source_dir / "profiles/asterisk/users.sh").string() + " " +
                            dir.string() + " '' 1000 3 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::ifstream in(dir / "pjsip_users.conf");
    std::stringstream text;
    text << in.rdbuf();
    const std::string conf = text.str();
    for (const char* u : {"1000", "1001", "1002"}) {
        const std::string user = u;
        EXPECT_THAT(conf, HasSubstr("[" + user + "](endpoint-defaults)\nauth = " + user +
                                    "\naors = " + user + "\n"));
        EXPECT_THAT(conf, HasSubstr("[" + user + "](auth-defaults)\nusername = " + user + "\n"));
        EXPECT_THAT(conf, HasSubstr("[" + user + "](aor-defaults)\n"));
    }
    EXPECT_THAT(conf, Not(HasSubstr("1003")));
    EXPECT_THAT(conf, Not(HasSubstr("password")));
    // A wrong argument count is a usage error, not a half-written file.
    const std::string bad =
        "sh " + (source_dir / "profiles/asterisk/users.sh").string() + " x 2>/dev/null";
    EXPECT_EQ(WEXITSTATUS(std::system(bad.c_str())), 2);
}

}  // namespace
}  // namespace pbxbench::harness
