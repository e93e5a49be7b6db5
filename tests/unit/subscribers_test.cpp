// [users] populations in profiles and `pbxbench run --callers/--callees`: who calls, who is
// called, and the errors for asking more than the profile has.
#include "harness/subscribers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pbxbench::harness {
namespace {

using ::testing::HasSubstr;

std::string profile_with(const std::string& users, const std::string& scenario_extra = "") {
    return R"(
name = "demo"
[sut]
command = ["sleep", "1"]
[users]
)" + users +
           R"(
[[scenarios]]
name = "plain"
)" + scenario_extra +
           "\n";
}

Result<Profile> parse(const std::string& text) {
    return parse_profile(text, "/tmp/pbxbench-subscribers-test.toml");
}

std::vector<std::string> names(const std::vector<uac::Subscriber>& s) {
    std::vector<std::string> out;
    for (const auto& x : s) out.push_back(x.user);
    return out;
}

TEST(Subscribers, CountsTakeUsersInOrderCallersFirst) {
    auto p = parse(profile_with(R"(count = 6
first = 1000
password = "pw"
callers = 2
callees = 3
passwords = { "1001" = "other" })"));
    ASSERT_TRUE(p) << p.error().message;
    auto s = resolve_subscribers(*p, &p->scenarios[0], {});
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(names(s->callers), (std::vector<std::string>{"1000", "1001"}));
    EXPECT_EQ(names(s->callees), (std::vector<std::string>{"1002", "1003", "1004"}));
    EXPECT_EQ(s->callers[0].password, "pw");
    EXPECT_EQ(s->callers[1].password, "other");  // the per-user override
    EXPECT_EQ(s->mapping, uac::CallMapping::round_robin);
    EXPECT_FALSE(s->callers_register);
}

TEST(Subscribers, NamedListsAndCountsFillFromTheRest) {
    auto p = parse(profile_with(R"(names = ["a", "b", "c", "d"]
password = "pw"
callers = ["c"]
callees = 2
mapping = "random"
seed = 7
callers_register = true)"));
    ASSERT_TRUE(p) << p.error().message;
    auto s = resolve_subscribers(*p, nullptr, {});
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(names(s->callers), (std::vector<std::string>{"c"}));
    EXPECT_EQ(names(s->callees), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(s->mapping, uac::CallMapping::random);
    EXPECT_EQ(s->seed, 7u);
    EXPECT_TRUE(s->callers_register);
}

TEST(Subscribers, CommandLineCountsOverrideTheProfile) {
    auto p = parse(profile_with("count = 10\npassword = \"pw\"\ncallers = 2\ncallees = 2"));
    ASSERT_TRUE(p) << p.error().message;
    SubscriberCounts c;
    c.callers = 3;
    c.callees = 5;
    auto s = resolve_subscribers(*p, nullptr, c);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->callers.size(), 3u);
    EXPECT_EQ(s->callees.size(), 5u);
    EXPECT_EQ(s->callees.front().user, "1003");  // first defaults to 1000
}

TEST(Subscribers, TooFewUsersNamesTheFieldsAndNumbers) {
    auto p = parse(profile_with("count = 10\npassword = \"pw\""));
    ASSERT_TRUE(p) << p.error().message;
    SubscriberCounts c;
    c.callers = 6;
    c.callees = 5;
    auto s = resolve_subscribers(*p, nullptr, c);
    ASSERT_FALSE(s);
    EXPECT_THAT(s.error().message, HasSubstr("--callers 6 + --callees 5 need 11 users"));
    EXPECT_THAT(s.error().message, HasSubstr("has 10 in [users]"));
}

TEST(Subscribers, ScenarioOverridesCallersRegister) {
    auto p = parse(profile_with("count = 4\npassword = \"pw\"", "callers_register = true"));
    ASSERT_TRUE(p) << p.error().message;
    auto s = resolve_subscribers(*p, &p->scenarios[0], {});
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_TRUE(s->callers_register);
    EXPECT_EQ(s->callers.size(), 1u);  // defaults: one caller, two callees
    EXPECT_EQ(s->callees.size(), 2u);
}

TEST(UsersProfileErrors, FewerUsersThanCallersPlusCallees) {
    auto p = parse(profile_with("count = 5\ncallers = 3\ncallees = 3"));
    ASSERT_FALSE(p);
    EXPECT_THAT(p.error().message,
                HasSubstr("users.callees: callers 3 + callees 3 need 6 users, but there are 5"));
}

TEST(UsersProfileErrors, UnknownUserInAList) {
    auto p = parse(profile_with("names = [\"a\", \"b\"]\ncallers = [\"a\", \"zed\"]"));
    ASSERT_FALSE(p);
    EXPECT_THAT(p.error().message,
                HasSubstr("users.callers: 'zed' (item 2) is not one of the 2 users"));
}

TEST(UsersProfileErrors, UnknownMappingKeyword) {
    auto p = parse(profile_with("count = 4\nmapping = \"zigzag\""));
    ASSERT_FALSE(p);
    EXPECT_THAT(p.error().message, HasSubstr("users.mapping: unknown call mapping 'zigzag'"));
    EXPECT_THAT(p.error().message, HasSubstr("round_robin or random"));
}

TEST(UsersProfileErrors, PasswordForAnUnknownUser) {
    auto p = parse(profile_with("count = 4\npasswords = { \"9999\" = \"x\" }"));
    ASSERT_FALSE(p);
    EXPECT_THAT(p.error().message, HasSubstr("users.passwords: '9999' is not one of the 4 users"));
}

TEST(UsersProfileErrors, CountMustBeWhole) {
    auto p = parse(profile_with("count = 4\ncallers = 1.5"));
    ASSERT_FALSE(p);
    EXPECT_THAT(p.error().message, HasSubstr("users.callers: expected a whole number"));
}

}  // namespace
}  // namespace pbxbench::harness
