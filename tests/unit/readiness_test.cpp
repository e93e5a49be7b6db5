#include "harness/readiness.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/monitor_fakes.hpp"
#include "tests/unit/support/fake_process.hpp"

namespace pbxbench::harness {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// Each check passes from its Nth attempt on (0: never); every attempt is counted.
class FakeProbe final : public ReadinessProbe {
  public:
    int sip_ok_from = 1, health_ok_from = 1, port_ok_from = 1;
    int sip_calls = 0, health_calls = 0, port_calls = 0;
    std::function<void()> on_sip;  // e.g. make the process exit mid-wait
    // Set: every OPTIONS gets this answer (a PBX that challenges), whoever asks.
    std::optional<OptionsAnswer> answer;
    std::vector<SipIdentity> asked_as;

    Result<OptionsAnswer> sip_options(const sip::Address& target, const SipIdentity& who) override {
        ++sip_calls;
        asked_as.push_back(who);
        if (on_sip) on_sip();
        if (answer) {
            OptionsAnswer a = *answer;
            a.answered_challenge = !who.password.empty();
            return a;
        }
        if (sip_ok_from && sip_calls >= sip_ok_from) return OptionsAnswer{200, "OK", false};
        return fail("OPTIONS to " + target.to_string() + ": timer F expired");
    }
    monitor::HealthResult health(const monitor::HealthConfig&) override {
        ++health_calls;
        monitor::HealthResult r;
        if (health_ok_from && health_calls >= health_ok_from) {
            r.healthy = true;
            r.calls = 0;
        } else {
            r.outcome = monitor::HealthOutcome::transport_error;
            r.error = "connection refused";
        }
        return r;
    }
    bool port_bound(const PortProbe&) override {
        return port_ok_from && ++port_calls >= port_ok_from;
    }
};

class ReadinessTest : public ::testing::Test {
  protected:
    ReadinessTest() {
        LaunchSpec spec;
        spec.name = "kamailio";
        spec.argv = {"kamailio"};
        process_ = std::move(*launcher_.launch(spec));
        state_ = launcher_.launched.back();
        checks_.sip_options = *sip::make_address("127.0.0.1", 5060);
        monitor::HealthConfig h;
        h.request.url = "http://127.0.0.1:8080/RPC";
        checks_.health = h;
    }

    testing::FakeProcessLauncher launcher_;
    std::unique_ptr<Process> process_;
    std::shared_ptr<testing::FakeProcessState> state_;
    monitor::testing::FakeClock clock_;
    FakeProbe probe_;
    ReadinessChecks checks_;
};

TEST_F(ReadinessTest, ReadyWhenEveryCheckHasPassedOnce) {
    probe_.sip_ok_from = 3;
    probe_.health_ok_from = 5;
    auto r = wait_ready(*process_, checks_, probe_, clock_, 10s, 100ms);
    ASSERT_TRUE(r) << r.error().message;
    // SIP pings start only once health passed (round 5), and pass on their third try.
    EXPECT_EQ(r->rounds, 7);
    EXPECT_EQ(probe_.sip_calls, 3);  // none before health passed, none again once passed
    EXPECT_EQ(probe_.health_calls, 5);
    EXPECT_NEAR(r->elapsed_s, 0.6, 1e-9);
}

TEST_F(ReadinessTest, TimeoutNamesTheFailingCheckAndShowsTheLog) {
    probe_.health_ok_from = 0;
    state_->log = {"starting", "listening on udp:127.0.0.1:5060"};
    auto r = wait_ready(*process_, checks_, probe_, clock_, 2s, 100ms);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("kamailio was not ready within 2 s"));
    EXPECT_THAT(
        r.error().message,
        HasSubstr(
            "health endpoint: http://127.0.0.1:8080/RPC: transport_error (connection refused)"));
    EXPECT_THAT(r.error().message, HasSubstr("SIP OPTIONS: not tried yet (waits for the health endpoint)"));
    EXPECT_EQ(probe_.sip_calls, 0);
    EXPECT_THAT(r.error().message, HasSubstr("| listening on udp:127.0.0.1:5060"));
}

TEST_F(ReadinessTest, ProcessExitFailsAtOnceWithStatusAndLogTail) {
    probe_.sip_ok_from = 0;
    for (int i = 1; i <= 30; ++i) state_->log.push_back("line " + std::to_string(i));
    probe_.on_sip = [&] {
        if (probe_.sip_calls == 2) state_->exited = ExitStatus{255, 0, false};
    };
    auto r = wait_ready(*process_, checks_, probe_, clock_, 10s, 100ms);
    ASSERT_FALSE(r);
    EXPECT_EQ(probe_.sip_calls, 2);
    EXPECT_THAT(r.error().message, HasSubstr("kamailio exited during start-up (exit code 255)"));
    EXPECT_THAT(r.error().message, HasSubstr("| line 11\n"));
    EXPECT_THAT(r.error().message, ::testing::EndsWith("| line 30"));
    EXPECT_THAT(r.error().message, ::testing::Not(HasSubstr("| line 10\n")));
}

TEST_F(ReadinessTest, SidecarPortAndLogLine) {
    ReadinessChecks sidecar;
    sidecar.port = PortProbe{PortProbe::Protocol::udp, 2223};
    probe_.port_ok_from = 4;
    auto r = wait_ready(*process_, sidecar, probe_, clock_, 10s, 50ms);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->rounds, 4);

    ReadinessChecks log;
    log.log_contains = "ready to serve";
    auto no = wait_ready(*process_, log, probe_, clock_, 1s, 50ms);
    ASSERT_FALSE(no);
    EXPECT_THAT(no.error().message,
                HasSubstr("log line containing \"ready to serve\": not seen yet"));
    state_->log.push_back("x: ready to serve now");
    EXPECT_TRUE(wait_ready(*process_, log, probe_, clock_, 1s, 50ms));
}

TEST(ProcNet, FindsBoundUdpAndListeningTcpPorts) {
    const char* udp =
        "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
        "timeout inode ref pointer drops\n"
        "  123: 0100007F:08AF 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        "
        "0 1 2 0 0\n";
    EXPECT_TRUE(proc_net_lists_port(udp, {PortProbe::Protocol::udp, 2223}));
    EXPECT_FALSE(proc_net_lists_port(udp, {PortProbe::Protocol::udp, 2224}));
    const char* tcp =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
        "timeout inode\n"
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        "
        "0 1\n"
        "   1: 0100007F:1F91 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        "
        "0 2\n";
    EXPECT_TRUE(proc_net_lists_port(tcp, {PortProbe::Protocol::tcp, 8080}));
    EXPECT_FALSE(
        proc_net_lists_port(tcp, {PortProbe::Protocol::tcp, 8081}));  // established, not listening
}

// A PBX that challenges OPTIONS (Asterisk's PJSIP does, for an unknown From user): not
// alive by default, and the error says which profile setting to change.
TEST_F(ReadinessTest, ChallengedOptionsNameTheProfileSetting) {
    checks_.health.reset();
    probe_.answer = OptionsAnswer{401, "Unauthorized", false};
    auto r = wait_ready(*process_, checks_, probe_, clock_, 1s, 100ms);
    ASSERT_FALSE(r);
    EXPECT_THAT(
        r.error().message,
        HasSubstr("the PBX answers 401 to OPTIONS: set [readiness] options_auth_ok = true or"));
    EXPECT_THAT(r.error().message, HasSubstr("give the caller pbxbench a password"));
}

TEST_F(ReadinessTest, OptionsAuthOkTreatsAChallengeAsAlive) {
    checks_.health.reset();
    checks_.sip_identity.auth_ok = true;
    probe_.answer = OptionsAnswer{407, "Proxy Authentication Required", false};
    auto r = wait_ready(*process_, checks_, probe_, clock_, 1s, 100ms);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(probe_.sip_calls, 1);
}

// The probe asks as the configured caller, with its password; credentials refused again
// are a wrong password, and the error says so.
TEST_F(ReadinessTest, ProbeAsksAsTheCallerAndNamesARefusedPassword) {
    checks_.health.reset();
    checks_.sip_identity.user = "1000";
    checks_.sip_identity.password = "secret";
    probe_.answer = OptionsAnswer{401, "Unauthorized", false};
    auto r = wait_ready(*process_, checks_, probe_, clock_, 300ms, 100ms);
    ASSERT_FALSE(r);
    ASSERT_FALSE(probe_.asked_as.empty());
    EXPECT_EQ(probe_.asked_as.front().user, "1000");
    EXPECT_EQ(probe_.asked_as.front().password, "secret");
    EXPECT_THAT(r.error().message, HasSubstr("check the password of 1000"));
}

TEST(JudgeOptionsAnswer, OtherStatusesAreNotAlive) {
    const auto target = *sip::make_address("127.0.0.1", 5060);
    SipIdentity who;
    who.auth_ok = true;
    EXPECT_TRUE(judge_options_answer(target, who, {200, "OK", false}));
    auto r = judge_options_answer(target, who, {404, "Not Found", false});
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("404 Not Found"));
}

}  // namespace
}  // namespace pbxbench::harness
