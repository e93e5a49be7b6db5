// --mix parsing and the plan `pbxbench uac` makes of its method-load options: rates, which
// users register, and usage errors that name what to fix.
#include <gtest/gtest.h>

#include "uac/method_loads.hpp"
#include "uac/uac_args.hpp"

namespace pbxbench::uac {
namespace {

TEST(Mix, SharesAreNormalisedBySum) {
    auto mix = parse_mix("invite=70, register=20,options=5,OPTIONS2=5");
    ASSERT_FALSE(mix);
    EXPECT_NE(mix.error().message.find("unknown method 'options2'"), std::string::npos);
    mix = parse_mix("invite=70,register=20,options=10");
    ASSERT_TRUE(mix) << mix.error().message;
    EXPECT_DOUBLE_EQ(mix->at("invite"), 0.7);
    EXPECT_DOUBLE_EQ(mix->at("register"), 0.2);
    EXPECT_DOUBLE_EQ(mix->at("options"), 0.1);
    mix = parse_mix("register=1,options=3");
    ASSERT_TRUE(mix);
    EXPECT_DOUBLE_EQ(mix->at("options"), 0.75);
}

TEST(Mix, MalformedItemsAreNamed) {
    for (const char* bad : {"", "invite", "invite=", "invite=x", "invite=-1", "invite=0",
                            "invite=1,invite=2", "invite=1,,register=1", "invite=1e999"}) {
        auto mix = parse_mix(bad);
        EXPECT_FALSE(mix) << bad;
        if (!mix) {
            EXPECT_NE(mix.error().message.find("--mix"), std::string::npos) << bad;
        }
    }
}

UacArgs population_args() {
    UacArgs a;
    a.proxy = "127.0.0.1:5060";
    a.password = "pw";
    for (int i = 0; i < 10; ++i) a.users.push_back(std::to_string(1000 + i));
    a.callers = 2;
    a.callees = 2;
    a.total = 100;
    return a;
}

TEST(MethodLoadPlan, NoLoadOptionsMeansNoLoads) {
    auto plan = plan_method_loads(population_args());
    ASSERT_TRUE(plan);
    EXPECT_TRUE(plan->loads.empty());
    EXPECT_TRUE(plan->calls);
}

TEST(MethodLoadPlan, TheMixSplitsTheRateAndRegistersTheUsersNotInCalls) {
    UacArgs a = population_args();
    a.loads.mix = "invite=50,register=40,options=10";
    a.loads.rate = 200;
    auto plan = plan_method_loads(a);
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_TRUE(plan->calls);
    EXPECT_DOUBLE_EQ(plan->cps, 100);
    ASSERT_EQ(plan->loads.size(), 2u);
    for (const auto& [method, c] : plan->loads) {
        if (method == "register") {
            EXPECT_DOUBLE_EQ(c.rate, 80);
            ASSERT_EQ(c.users.size(), 6u) << "10 users, 4 in calls";
            EXPECT_EQ(c.users.front().user, "1004");
            EXPECT_EQ(c.users.front().password, "pw");
        } else {
            EXPECT_EQ(method, "options");
            EXPECT_DOUBLE_EQ(c.rate, 20);
            ASSERT_EQ(c.users.size(), 2u) << "pings reach the callees";
            EXPECT_EQ(c.users.front().user, "1002");
        }
        EXPECT_EQ(c.next_hop.to_string(), "127.0.0.1:5060");
    }
}

TEST(MethodLoadPlan, AMixWithoutInviteRunsNoCalls) {
    UacArgs a = population_args();
    a.loads.mix = "register=1";
    a.loads.rate = 50;
    auto plan = plan_method_loads(a);
    ASSERT_TRUE(plan);
    EXPECT_FALSE(plan->calls);
    ASSERT_EQ(plan->loads.size(), 1u);
    EXPECT_EQ(plan->loads[0].second.users.size(), 10u) << "no calls: every user registers";
}

TEST(MethodLoadPlan, AMessageShareSendsItsRateOverTheCallsSchedule) {
    UacArgs a = population_args();
    a.loads.mix = "invite=50,message=25,register=25";
    a.loads.rate = 40;  // calls at 20/s: 100 calls take 5 s, so 10/s x 5 s = 50 MESSAGEs
    a.message_bytes = 100;
    auto plan = plan_method_loads(a);
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_DOUBLE_EQ(plan->cps, 20);
    bool found = false;
    for (const auto& [method, c] : plan->loads) {
        if (method != "message") continue;
        found = true;
        EXPECT_DOUBLE_EQ(c.rate, 10);
        ASSERT_TRUE(c.message.has_value());
        EXPECT_EQ(c.message->total, 50u);
        EXPECT_EQ(c.message->body_bytes, 100u);
        ASSERT_EQ(c.message->population.callers.size(), 2u) << "the calls' callers send them";
        EXPECT_EQ(c.message->population.callers.front().user, "1000");
        EXPECT_EQ(c.message->population.callees.size(), 2u);
        auto load = make_method_load(method, c, [] { return sip::Clock::now(); });
        ASSERT_TRUE(load) << load.error().message;
        EXPECT_EQ((*load)->report().method, "message");
    }
    EXPECT_TRUE(found);

    a.loads.load_duration_s = 8;  // longer than the calls: the span it sets wins
    plan = plan_method_loads(a);
    ASSERT_TRUE(plan);
    for (const auto& [method, c] : plan->loads) {
        if (method == "message") {
            EXPECT_EQ(c.message->total, 80u);
        }
    }
}

TEST(MethodLoadPlan, AMessageShareNeedsALengthAndNoSecondCount) {
    UacArgs a = population_args();
    a.loads.mix = "message=1";
    a.loads.rate = 10;  // no calls, no --load-duration: how many MESSAGEs is unknown
    auto plan = plan_method_loads(a);
    ASSERT_FALSE(plan);
    EXPECT_NE(plan.error().message.find("--load-duration"), std::string::npos);
    a.loads.mix = "invite=1,message=1";
    a.messages = 5;
    plan = plan_method_loads(a);
    ASSERT_FALSE(plan);
    EXPECT_NE(plan.error().message.find("--messages"), std::string::npos);
}

TEST(MethodLoadPlan, UsageErrorsNameTheOption) {
    UacArgs a = population_args();
    a.loads.mix = "invite=1,register=1";
    EXPECT_NE(plan_method_loads(a).error().message.find("--rate"), std::string::npos);
    a.loads.rate = 10;
    a.loads.register_rate = 5;
    EXPECT_NE(plan_method_loads(a).error().message.find("--register-rate"), std::string::npos);
    a = population_args();
    a.loads.register_rate = 5;
    a.loads.register_users = 7;
    EXPECT_NE(plan_method_loads(a).error().message.find("--register-users 7"), std::string::npos);
    a.loads.register_users = 0;
    a.proxy.clear();
    EXPECT_NE(plan_method_loads(a).error().message.find("--proxy"), std::string::npos);
}

TEST(MethodLoadFactory, UnknownMethodsAndZeroRatesAreRefused) {
    MethodLoadConfig c;
    c.rate = 10;
    auto clock = [] { return sip::TimePoint{}; };
    auto load = make_method_load("subscribe", c, clock);
    ASSERT_FALSE(load);
    EXPECT_NE(load.error().message.find("known: invite, register, options"), std::string::npos);
    EXPECT_FALSE(make_method_load("register", c, clock)) << "no users";
    c.users.push_back({"1000", "pw"});
    EXPECT_TRUE(make_method_load("register", c, clock));
    c.options_to = "pbx";
    EXPECT_TRUE(make_method_load("options", c, clock));
    c.options_to = "everyone";
    EXPECT_FALSE(make_method_load("options", c, clock));
    c.rate = 0;
    EXPECT_FALSE(make_method_load("register", c, clock));
}

}  // namespace
}  // namespace pbxbench::uac
