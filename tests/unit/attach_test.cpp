// --attach: option checks, the run.attach JSON, and the attached PBX seen as a Process.
#include "harness/attach.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pbxbench::harness {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST(Attach, PidLists) {
    EXPECT_EQ(parse_pid_list("1234").value(), (std::vector<pid_t>{1234}));
    EXPECT_EQ(parse_pid_list("1,22,333").value(), (std::vector<pid_t>{1, 22, 333}));
    for (const char* bad : {"", "0", "-5", "12a", "1,,2", "1,"})
        EXPECT_FALSE(parse_pid_list(bad)) << bad;
    EXPECT_THAT(parse_pid_list("x").error().message, HasSubstr("not a process id"));
}

TEST(Attach, OptionChecks) {
    AttachOptions o;
    o.enabled = true;
    EXPECT_THAT(check_attach(o).error().message, HasSubstr("needs --sip"));
    o.sip = "127.0.0.1";
    EXPECT_THAT(check_attach(o).error().message, HasSubstr("expected HOST:PORT"));
    o.sip = "127.0.0.1:5060";
    o.health_url = "localhost/RPC";
    EXPECT_THAT(check_attach(o).error().message, HasSubstr("expected an http:// URL"));
    o.health_url = "http://127.0.0.1:8080/RPC";
    o.pids = {::getpid()};
    auto t = check_attach(o);
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->sip.to_string(), "127.0.0.1:5060");
    EXPECT_EQ(attach_json(*t), (nlohmann::json{{"sip", "127.0.0.1:5060"},
                                               {"health_url", "http://127.0.0.1:8080/RPC"},
                                               {"pids", {::getpid()}}}));
    EXPECT_TRUE(attach_json(std::nullopt).is_null());
    o.health_url.clear();
    EXPECT_TRUE(attach_json(*check_attach(o))["health_url"].is_null());
}

TEST(Attach, DeadPidIsAnError) {
    pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0);
    AttachOptions o{true, "127.0.0.1:5060", "", {child}};
    EXPECT_THAT(check_attach(o).error().message, HasSubstr("no such process"));
}

TEST(Attach, AttachedPbxIsGoneOnceAPidExitsAndIsNeverSignalled) {
    pid_t child = ::fork();
    if (child == 0) {
        ::pause();
        ::_exit(0);
    }
    AttachedPbx pbx("kamailio", {::getpid(), child});
    EXPECT_EQ(pbx.pid(), ::getpid());
    EXPECT_FALSE(pbx.poll());
    EXPECT_FALSE(pbx.stop().unknown);  // stop() does nothing: the child is still there
    EXPECT_TRUE(pid_alive(child));
    ::kill(child, SIGKILL);
    auto status = pbx.wait_for(2s);  // a zombie counts as gone
    ASSERT_TRUE(status);
    EXPECT_TRUE(status->unknown);
    EXPECT_THAT(status->describe(), HasSubstr("status unknown"));
    ::waitpid(child, nullptr, 0);
    EXPECT_EQ(pbx.read_line(1ms).status, LineRead::Status::eof);
    EXPECT_FALSE(pbx.log_tail(5).empty());
}

}  // namespace
}  // namespace pbxbench::harness
