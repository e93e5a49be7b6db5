#include "monitor/duration.hpp"

#include <gtest/gtest.h>

namespace pbxbench::monitor {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, AcceptsTheUnitsPeopleType) {
    EXPECT_EQ(parse_duration("100ms").value(), 100ms);
    EXPECT_EQ(parse_duration("1s").value(), 1000ms);
    EXPECT_EQ(parse_duration("1.5s").value(), 1500ms);
    EXPECT_EQ(parse_duration("60s").value(), 60000ms);
    EXPECT_EQ(parse_duration("2m").value(), 120000ms);
    EXPECT_EQ(parse_duration("1h").value(), 3600000ms);
}

TEST(ParseDuration, RejectsMissingOrUnknownUnitsAndNegatives) {
    for (const char* bad : {"", "10", "s", "10 s", "10sec", "-1s", "1d", "abc"}) {
        auto d = parse_duration(bad);
        EXPECT_FALSE(d) << bad;
        if (!d) {
            EXPECT_NE(d.error().message.find("100ms, 1s"), std::string::npos);
        }
    }
}

}  // namespace
}  // namespace pbxbench::monitor
