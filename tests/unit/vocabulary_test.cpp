// One vocabulary across the subcommands that share quantities (`run`, `capacity`, `uac`, `uas`
// and any subcommand added later): the same name means the same thing with the same unit and
// range everywhere, durations carry their unit in the value, and default port ranges do not
// collide. Only visible options are the vocabulary: hidden ones are old spellings kept for
// scripts (described "renamed to --X") and test aids.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include "base/arg_spec.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "harness/profile.hpp"
#include "uas/uas_args.hpp"

namespace pbxbench {
namespace {

// Subcommands outside the shared vocabulary: they take no calls, levels, rates or holds, and
// `monitor` keeps its stricter durations (a bare number is an error there).
const std::set<std::string> outside = {"compare", "report", "monitor", "ping"};

struct Use {
    std::string command;
    const CLI::Option* option;
};

struct Vocabulary {
    CLI::App app;
    ExitCode result = ExitCode::success;
    std::map<std::string, std::vector<Use>> visible;  // "--hold" -> where it is offered
    std::map<std::string, std::vector<Use>> renamed;  // old spelling -> its hidden options

    Vocabulary() {
        cli::add_commands(app, result);
        for (CLI::App* sub : app.get_subcommands({})) {
            if (outside.contains(sub->get_name())) continue;
            for (const CLI::Option* o : sub->get_options()) {
                if (o->get_name() == "--help" || o->get_lnames().empty()) continue;
                for (const std::string& l : o->get_lnames()) {
                    auto& table = o->get_group().empty() ? renamed : visible;
                    if (o->get_group().empty() &&
                        !o->get_description().starts_with(args::renamed_to))
                        continue;  // a hidden test aid, not an old spelling
                    table["--" + l].push_back({sub->get_name(), o});
                }
            }
        }
    }
};

// "DURATION:[0s - 86400s]" -> "[0s - 86400s]": what the value must be, not the C++ type.
std::string range_of(const CLI::Option* o) {
    const std::string t = o->get_type_name();
    const auto colon = t.find(':');
    return colon == std::string::npos ? std::string{} : t.substr(colon + 1);
}

bool is_duration(const CLI::Option* o) {
    return o->get_type_name().starts_with("DURATION");
}

bool is_number(const CLI::Option* o) {
    const std::string t = o->get_type_name();
    return t.starts_with("INT") || t.starts_with("UINT") || t.starts_with("FLOAT");
}

TEST(Vocabulary, SeesTheSharedSubcommands) {
    Vocabulary v;
    for (const char* name : {"--total", "--cps", "--hold", "--threads", "--endpoints"})
        EXPECT_GE(v.visible[name].size(), 2u) << name;
}

TEST(Vocabulary, ANameMeansOneQuantityWithOneRangeEverywhere) {
    Vocabulary v;
    for (const auto& [name, uses] : v.visible) {
        for (const Use& u : uses) {
            const Use& first = uses.front();
            EXPECT_EQ(is_duration(u.option), is_duration(first.option))
                << name << ": a duration in " << first.command << " but not in " << u.command;
            EXPECT_EQ(u.option->get_expected_min(), first.option->get_expected_min())
                << name << ": a flag in one of " << first.command << ", " << u.command;
            EXPECT_EQ(range_of(u.option), range_of(first.option))
                << name << ": range " << range_of(first.option) << " in " << first.command
                << " but " << range_of(u.option) << " in " << u.command;
        }
    }
}

TEST(Vocabulary, AShortNameStandsForOneLongNameEverywhere) {
    Vocabulary v;
    std::map<std::string, std::pair<std::string, std::string>> seen;  // -n -> {--total, run}
    for (const auto& [name, uses] : v.visible) {
        for (const Use& u : uses) {
            for (const std::string& s : u.option->get_snames()) {
                auto [it, fresh] = seen.emplace("-" + s, std::pair{name, u.command});
                EXPECT_TRUE(fresh || it->second.first == name)
                    << "-" << s << " is " << it->second.first << " in " << it->second.second
                    << " but " << name << " in " << u.command;
            }
        }
    }
}

TEST(Vocabulary, DurationsTakeTheirUnitInTheValue) {
    Vocabulary v;
    // A unit in a name means a bare number in that unit: the mix-up (--ring-timeout in
    // seconds, --ring-ms in milliseconds) this vocabulary ends.
    const std::regex unit_in_name("-(ms|s|sec|secs|seconds|us|min|minutes)$");
    // Words that make a number a duration, in a name or its help.
    const std::regex time_word(
        "(interval|timeout|duration|hold|delay|grace|linger|tick|expires|cooldown|-time\\b|"
        "\\bseconds?\\b|\\bms\\b|millisecond|\\bminutes?\\b)",
        std::regex::icase);
    for (const auto& [name, uses] : v.visible) {
        EXPECT_FALSE(std::regex_search(name, unit_in_name))
            << name << " (" << uses.front().command
            << "): name a duration without its unit and declare it a duration "
               "(ArgSpec::duration), so it takes 500ms, 3s or 2m";
        for (const Use& u : uses) {
            if (!is_number(u.option)) continue;
            // "calls started per second" is a rate, not a duration.
            const std::string help =
                std::regex_replace(u.option->get_description(), std::regex("per second"), "");
            EXPECT_FALSE(std::regex_search(name, time_word) || std::regex_search(help, time_word))
                << name << " (" << u.command
                << ") looks like a duration but takes a bare number: declare it with "
                   "ArgSpec::duration";
        }
    }
}

TEST(Vocabulary, DurationDefaultsShowTheirUnit) {
    Vocabulary v;
    const std::regex with_unit("^$|^[0-9.e+-]+(ms|s|m|h)$");
    for (const auto& [name, uses] : v.visible) {
        for (const Use& u : uses) {
            if (!is_duration(u.option)) continue;
            EXPECT_TRUE(std::regex_match(u.option->get_default_str(), with_unit))
                << name << " (" << u.command << ") default '" << u.option->get_default_str() << "'";
        }
    }
}

// Old spellings that stay visible in another subcommand, each with the reason.
const std::set<std::string> still_visible = {
    // uac's --user is the one digest user of its single-target form; uas took a list of
    // users under that name and now calls it --users, as uac's population does.
    "--user",
};

TEST(Vocabulary, OldSpellingsPointAtAVisibleNameAndAreNotReused) {
    Vocabulary v;
    ASSERT_FALSE(v.renamed.empty());
    for (const auto& [old, uses] : v.renamed) {
        for (const Use& u : uses) {
            const std::string now = u.option->get_description().substr(args::renamed_to.size());
            bool offered = false;
            for (const Use& w : v.visible[now]) offered |= w.command == u.command;
            EXPECT_TRUE(offered) << old << " in " << u.command << " is renamed to " << now
                                 << ", which " << u.command << " does not offer";
        }
        // A retired spelling back as a visible name elsewhere would mean two things again.
        if (still_visible.contains(old)) continue;
        EXPECT_TRUE(v.visible[old].empty())
            << old << " was renamed in " << uses.front().command << " but is visible in "
            << v.visible[old].front().command;
    }
}

// "16000-25999" -> {16000, 25999}.
std::pair<int, int> port_range(const std::string& text) {
    const auto dash = text.find('-');
    return {std::stoi(text.substr(0, dash)), std::stoi(text.substr(dash + 1))};
}

bool overlap(std::pair<int, int> a, std::pair<int, int> b) {
    return a.first <= b.second && b.first <= a.second;
}

TEST(Vocabulary, DefaultRtpRangesDoNotCollide) {
    Vocabulary v;
    auto default_of = [&](const std::string& name, const std::string& command) {
        for (const Use& u : v.visible[name])
            if (u.command == command) return port_range(u.option->get_default_str());
        ADD_FAILURE() << command << " has no " << name;
        return std::pair{0, 0};
    };
    const auto uac = default_of("--rtp-ports", "uac");
    const auto uas = default_of("--rtp-ports", "uas");
    EXPECT_FALSE(overlap(uac, uas)) << "standalone uac and uas share RTP ports";
    // The same machine, the same defaults, whoever starts the endpoints.
    EXPECT_EQ(default_of("--uac-rtp-ports", "run"), uac);
    EXPECT_EQ(default_of("--uas-rtp-ports", "run"), uas);
    EXPECT_EQ(default_of("--uac-rtp-ports", "capacity"), uac);
    EXPECT_EQ(default_of("--uas-rtp-ports", "capacity"), uas);

    // Clear of the default profile's relay: rtpengine's --port-min/--port-max.
    auto profile = harness::load_profile(PBXBENCH_SOURCE_DIR "/profiles/kamailio.toml");
    ASSERT_TRUE(profile) << profile.error().message;
    const harness::SidecarSpec* rtpengine = profile->find_sidecar("rtpengine");
    ASSERT_NE(rtpengine, nullptr);
    std::pair<int, int> relay{0, 0};
    for (const std::string& a : rtpengine->command) {
        if (a.starts_with("--port-min=")) relay.first = std::stoi(a.substr(11));
        if (a.starts_with("--port-max=")) relay.second = std::stoi(a.substr(11));
    }
    ASSERT_GT(relay.second, 0);
    EXPECT_FALSE(overlap(uac, relay)) << "uac's RTP default overlaps rtpengine's range";
    EXPECT_FALSE(overlap(uas, relay)) << "uas's RTP default overlaps rtpengine's range";
}

// A config file written with an old key, overridden on the command line with the new name:
// the command line wins, and the old key does not make the option appear twice.
TEST(ConfigFiles, ACommandLineValueReplacesTheFilesOldKey) {
    const auto file = std::filesystem::temp_directory_path() /
                      ("pbxbench-vocab-" + std::to_string(::getpid()) + ".json");
    std::ofstream(file) << R"({"count": 5, "ring_ms": 300})";
    CLI::App app;
    uas::UasArgs a;
    uas::add_uas_options(app, a);
    app.parse("--endpoints 3", false);
    const nlohmann::json merged = cli::merge_config_file(app, file.string(), uas::to_json(a));
    std::filesystem::remove(file);
    EXPECT_EQ(merged.at("endpoints"), 3);
    EXPECT_FALSE(merged.contains("count"));
    auto loaded = uas::uas_args_from_json(merged);
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->count, 3);
    EXPECT_EQ(loaded->ring_ms, 300);  // the file's old key, in its old unit
}

TEST(ParseErrors, AnOptionGivenTwiceSaysWhatToTypeInstead) {
    EXPECT_THAT(cli::explain_parse_error("--levels: At Most 1 required but received 2"),
                ::testing::AllOf(::testing::HasSubstr("--levels is given 2 times: give it once"),
                                 ::testing::HasSubstr("--levels 20,50")));
    EXPECT_EQ(cli::explain_parse_error("--profile is required"), "");
}

TEST(ParseErrors, AnUnknownOptionGetsTheOneProbablyMeant) {
    const std::vector<std::string> known = {"--hold", "--dry-run", "--total", "--levels"};
    EXPECT_EQ(
        cli::explain_parse_error("The following arguments were not expected: 3 --hold-s", known),
        "unknown option --hold-s (did you mean --hold?); --help lists every option");
    EXPECT_THAT(
        cli::explain_parse_error("The following argument was not expected: --dryrun", known),
        ::testing::HasSubstr("unknown option --dryrun (did you mean --dry-run?)"));
    EXPECT_THAT(cli::explain_parse_error("The following argument was not expected: --zzz", known),
                ::testing::StartsWith("unknown option --zzz; --help"));
    // The real parse: uac's own options are the candidates.
    CLI::App app;
    ExitCode result = ExitCode::success;
    cli::add_commands(app, result);
    try {
        app.parse(std::vector<std::string>{"3", "--totl", "uac"});  // argv reversed: uac --totl 3
        ADD_FAILURE() << "--totl accepted";
    } catch (const Fatal& e) {
        ADD_FAILURE() << "uac ran: " << e.what();
    } catch (const CLI::ParseError& e) {
        EXPECT_THAT(cli::explain_parse_error(e.what(), cli::visible_options(app)),
                    ::testing::HasSubstr("did you mean --total?"));
    }
}

}  // namespace
}  // namespace pbxbench
