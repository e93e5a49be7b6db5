// The option tables of `pbxbench uac` and `pbxbench uas`: one definition serves CLI11, the
// JSON config file the harness writes and its strict reading, and the 0600 file it goes in.
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/duration_text.hpp"
#include "base/private_file.hpp"
#include "uac/uac_args.hpp"
#include "uas/uas_args.hpp"

namespace pbxbench {
namespace {

using ::testing::HasSubstr;

std::filesystem::path temp_path(const std::string& name) {
    return std::filesystem::temp_directory_path() /
           ("pbxbench-args-" + std::to_string(::getpid()) + "-" + name);
}

TEST(UacArgs, JsonRoundTripKeepsEveryField) {
    uac::UacArgs a;
    a.proxy = "127.0.0.1:5070";
    a.total = 42;
    a.cps = 12.5;
    a.hold_s = 3;
    a.users = {"1000:pw", "1001"};
    a.callers = 1;
    a.callees = 1;
    a.mapping = "random";
    a.seed = 99;
    a.register_callers = true;
    a.media.off = true;
    a.media.ports = "16000-17999";
    a.threads = 2;
    const nlohmann::json j = uac::to_json(a);
    EXPECT_EQ(j.at("hold"), "3s");  // the option's name, not the field's; a duration with its unit
    EXPECT_EQ(j.at("no_media"), true);
    EXPECT_EQ(j.at("register_callers"), true);
    auto b = uac::uac_args_from_json(j);
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(uac::to_json(*b), j);
    EXPECT_EQ(b->users, a.users);
    EXPECT_EQ(b->seed, 99u);
    EXPECT_EQ(b->media.ports, "16000-17999");
}

TEST(UacArgs, UnknownKeyIsAnErrorNamingIt) {
    auto r = uac::uac_args_from_json({{"total", 5}, {"totl", 6}}, "uac.json");
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("uac.json: unknown option \"totl\""));
}

TEST(UacArgs, WrongTypeAndRangeNameTheKey) {
    auto wrong = uac::uac_args_from_json({{"cps", "fast"}});
    ASSERT_FALSE(wrong);
    EXPECT_THAT(wrong.error().message, HasSubstr("\"cps\": expected a number"));
    auto negative = uac::uac_args_from_json({{"total", -1}});
    ASSERT_FALSE(negative);
    EXPECT_THAT(negative.error().message, HasSubstr("\"total\""));
    auto range = uac::uac_args_from_json({{"threads", 100}});
    ASSERT_FALSE(range);
    EXPECT_THAT(range.error().message, HasSubstr("\"threads\": 100 is outside 1"));
}

TEST(UacArgs, CommandLineOptionsComeFromTheSameTable) {
    CLI::App app;
    uac::UacArgs a;
    uac::add_uac_options(app, a);
    app.parse("--register-callers --callers 3 --hold 2.5 --no-media --users a:x,b,c,d", false);
    EXPECT_TRUE(a.register_callers);
    EXPECT_EQ(a.callers, 3u);
    EXPECT_EQ(a.hold_s, 2.5);
    EXPECT_TRUE(a.media.off);
    EXPECT_EQ(a.users, (std::vector<std::string>{"a:x", "b", "c", "d"}));
}

TEST(UacArgs, PopulationFromUsersCallersFirst) {
    uac::UacArgs a;
    a.proxy = "127.0.0.1:5070";
    a.users = {"1000:one", "1001", "1002", "1003"};
    a.password = "shared";
    a.callers = 2;
    a.callees = 2;
    auto o = uac::to_options(a);
    ASSERT_TRUE(o) << o.error().message;
    ASSERT_EQ(o->population.callers.size(), 2u);
    EXPECT_EQ(o->population.callers[0].user, "1000");
    EXPECT_EQ(o->population.callers[0].password, "one");
    EXPECT_EQ(o->population.callers[1].password, "shared");
    EXPECT_EQ(o->population.callees, (std::vector<std::string>{"1002", "1003"}));
    EXPECT_EQ(o->population.domain, "127.0.0.1:5070");
    EXPECT_EQ(o->next_hop.to_string(), "127.0.0.1:5070");
}

TEST(UacArgs, PopulationErrorsNameTheOptionsAndNumbers) {
    uac::UacArgs a;
    a.proxy = "127.0.0.1:5070";
    a.users = {"1000", "1001", "1002"};
    a.callers = 2;
    a.callees = 2;
    auto r = uac::to_options(a);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message,
                HasSubstr("--callers 2 + --callees 2 need 4 users, but --users has 3"));
    a.callees = 1;
    a.mapping = "zigzag";
    r = uac::to_options(a);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("--mapping: unknown call mapping 'zigzag'"));
    a.mapping = "round_robin";
    a.target = "sip:bob@127.0.0.1";
    r = uac::to_options(a);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("--target"));
}

TEST(UacArgs, SingleTargetFormStillWorks) {
    uac::UacArgs a;
    a.target = "sip:bob@127.0.0.1:5080";
    auto o = uac::to_options(a);
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_TRUE(o->population.empty());
    EXPECT_EQ(o->next_hop.to_string(), "127.0.0.1:5080");
    a.target.clear();
    EXPECT_FALSE(uac::to_options(a));
}

TEST(UacArgs, UsersFileSkipsCommentsAndNamesBadLines) {
    const auto path = temp_path("users.txt");
    {
        std::ofstream f(path);
        f << "# callers first\n1000:pw\n\n  1001 \n1002:x\n";
    }
    auto users = uac::read_users_file(path);
    ASSERT_TRUE(users) << users.error().message;
    ASSERT_EQ(users->size(), 3u);
    EXPECT_EQ((*users)[0].password, "pw");
    EXPECT_EQ((*users)[1].user, "1001");
    {
        std::ofstream f(path);
        f << "1000\nbad user\n";
    }
    auto bad = uac::read_users_file(path);
    ASSERT_FALSE(bad);
    EXPECT_THAT(bad.error().message, HasSubstr(":2: expected USER or USER:PASSWORD"));
    std::filesystem::remove(path);
}

TEST(UasArgs, JsonRoundTripAndStrictness) {
    uas::UasArgs a;
    a.count = 7;
    a.registrar = "127.0.0.1:5060";
    a.users = "1000:a,1001:b";
    a.password = "pw";
    a.media.off = true;
    a.drop_invites = 3;
    const nlohmann::json j = uas::to_json(a);
    EXPECT_EQ(j.at("users"), "1000:a,1001:b");  // --users (once -u,--user)
    EXPECT_EQ(j.at("endpoints"), 7);
    EXPECT_EQ(j.at("drop_invites"), 3);
    auto b = uas::uas_args_from_json(j);
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(uas::to_json(*b), j);
    auto r = uas::uas_args_from_json({{"count", 2}, {"pasword", "x"}}, "uas.json");
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("unknown option \"pasword\""));
}

TEST(Durations, TakeTheirUnitInTheValueOnTheCommandLine) {
    CLI::App app;
    uac::UacArgs a;
    uac::add_uac_options(app, a);
    app.parse("--hold 1.5s --ring-timeout 500ms --t1 250ms --progress-interval 2 --expires 2m",
              false);
    EXPECT_EQ(a.hold_s, 1.5);
    EXPECT_EQ(a.ring_timeout_s, 0.5);
    EXPECT_EQ(a.t1_ms, 250);
    EXPECT_EQ(a.progress_s, 2.0);  // a bare number is seconds
    EXPECT_EQ(a.expires_s, 120);
    // Out of range, in the option's own terms.
    CLI::App again;
    uac::UacArgs b;
    uac::add_uac_options(again, b);
    try {
        again.parse("--t1 20s", false);
        ADD_FAILURE() << "--t1 20s accepted";
    } catch (const CLI::ParseError& e) {
        EXPECT_THAT(e.what(), HasSubstr("20s is outside [1ms - 10s]"));
    }
    CLI::App bare;
    uac::UacArgs d;
    uac::add_uac_options(bare, d);
    try {
        bare.parse("--t1 20", false);
        ADD_FAILURE() << "--t1 20 (seconds) accepted";
    } catch (const CLI::ParseError& e) {
        EXPECT_THAT(e.what(), HasSubstr("a bare number is seconds: write 20ms for milliseconds"));
    }
    CLI::App third;
    uac::UacArgs c;
    uac::add_uac_options(third, c);
    EXPECT_THROW(third.parse("--hold 3 seconds", false), CLI::ParseError);
}

TEST(Durations, WrittenBackWithAReadableUnitAndParsedBackExactly) {
    using args::format_duration;
    using args::Unit;
    EXPECT_EQ(format_duration(500, Unit::milliseconds), "500ms");
    EXPECT_EQ(format_duration(2000, Unit::milliseconds), "2s");
    EXPECT_EQ(format_duration(86400, Unit::seconds), "24h");
    EXPECT_EQ(format_duration(90, Unit::seconds), "90s");
    for (double v : {0.0, 0.1234567891, 3.0, 7200.0, 12345.678})
        EXPECT_DOUBLE_EQ(*args::parse_duration_seconds(format_duration(v, Unit::seconds)), v);
    EXPECT_DOUBLE_EQ(*args::parse_duration_seconds("250", Unit::milliseconds), 0.25);
    EXPECT_FALSE(args::parse_duration_seconds("3 s"));
    EXPECT_FALSE(args::parse_duration_seconds("-1s"));
}

TEST(OldSpellings, StillWorkWithANoteAndTheirOldUnit) {
    CLI::App app;
    uas::UasArgs a;
    uas::add_uas_options(app, a);
    testing::internal::CaptureStderr();
    app.parse("-n 3 --user bob,alice --ring-ms 400 --media-linger-ms 50", false);
    const std::string notes = testing::internal::GetCapturedStderr();
    EXPECT_EQ(a.count, 3);
    EXPECT_EQ(a.users, "bob,alice");
    EXPECT_EQ(a.ring_ms, 400);  // --ring-ms took milliseconds and still does
    EXPECT_EQ(a.media.linger_ms, 50);
    EXPECT_THAT(notes, HasSubstr("-n is now --endpoints"));
    EXPECT_THAT(notes, HasSubstr("--ring-ms is now --ring-time"));
    // Old config keys too: a file written before the rename still loads.
    auto b = uas::uas_args_from_json({{"count", 2}, {"user", "x"}, {"ring_ms", 300}});
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(b->count, 2);
    EXPECT_EQ(b->ring_ms, 300);
    auto both = uas::uas_args_from_json({{"count", 2}, {"endpoints", 3}});
    ASSERT_FALSE(both);
    EXPECT_THAT(both.error().message, HasSubstr("are the same option"));
}

TEST(OldSpellings, HiddenFromHelp) {
    CLI::App app;
    uac::UacArgs a;
    uac::add_uac_options(app, a);
    const std::string help = app.help();
    EXPECT_THAT(help, HasSubstr("--t1 "));
    EXPECT_THAT(help, ::testing::Not(HasSubstr("--t1-ms")));
    EXPECT_THAT(help, HasSubstr("DURATION"));
}

// The old default password "secret" is gone: a registrar needs one given.
TEST(UasArgs, RegistrarNeedsAPassword) {
    uas::UasArgs a;
    a.registrar = "127.0.0.1:5060";
    a.users = "1000,1001:own";
    auto r = uas::to_options(a);
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("--registrar needs --password"));
    EXPECT_THAT(r.error().message, HasSubstr("'1000'"));
    a.users = "1000:mine";
    EXPECT_TRUE(uas::to_options(a));
    a.users = "1000";
    a.password = "pw";
    auto ok = uas::to_options(a);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->pool.password, "pw");
}

TEST(PrivateFile, CreatedOwnerOnlyAndReplaced) {
    const auto path = temp_path("secret.json");
    {
        std::ofstream f(path);
        f << "old";
    }
    std::filesystem::permissions(path, std::filesystem::perms::all);
    ASSERT_TRUE(write_private_file(path, "{\"password\": \"x\"}\n"));
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto j = read_json_file(path);
    ASSERT_TRUE(j) << j.error().message;
    EXPECT_EQ(j->at("password"), "x");
    std::filesystem::remove(path);
}

TEST(PrivateFile, NeverWritesThroughALink) {
    const auto target = temp_path("target");
    const auto link = temp_path("link");
    {
        std::ofstream f(target);
        f << "keep";
    }
    std::filesystem::create_symlink(target, link);
    ASSERT_TRUE(write_private_file(link, "new"));
    std::ifstream in(target);
    std::string text;
    std::getline(in, text);
    EXPECT_EQ(text, "keep");
    EXPECT_FALSE(std::filesystem::is_symlink(link));
    std::filesystem::remove(link);
    std::filesystem::remove(target);
}

}  // namespace
}  // namespace pbxbench
