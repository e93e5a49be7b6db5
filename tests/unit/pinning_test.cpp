// --pin: CPU lists and role assignments, validation against the CPUs we may use, the JSON
// recorded in run.pinning, and a real child pinned through the launcher.
#include "harness/pinning.hpp"

#include <sched.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "harness/process.hpp"

namespace pbxbench::harness {
namespace {

using ::testing::HasSubstr;

TEST(CpuList, SinglesRangesAndLists) {
    EXPECT_EQ(parse_cpu_list("0").value(), (CpuList{0}));
    EXPECT_EQ(parse_cpu_list("0-1").value(), (CpuList{0, 1}));
    EXPECT_EQ(parse_cpu_list("0,1").value(), (CpuList{0, 1}));
    EXPECT_EQ(parse_cpu_list("3,0-1,1").value(), (CpuList{0, 1, 3}));  // sorted, unique
    EXPECT_EQ(parse_cpu_list(" 2 , 4-5").value(), (CpuList{2, 4, 5}));
}

TEST(CpuList, Malformed) {
    for (const char* bad :
         {"", "a", "1,", ",1", "1,,2", "-1", "2-1", "1-", "0x1", "1.5", "99999"}) {
        auto r = parse_cpu_list(bad);
        EXPECT_FALSE(r) << "'" << bad << "' parsed";
    }
    EXPECT_THAT(parse_cpu_list("2-1").error().message, HasSubstr("empty range"));
    EXPECT_THAT(parse_cpu_list("x").error().message, HasSubstr("expected e.g. 0, 0-1 or 0,2"));
}

TEST(CpuList, FormatsLikeTheKernel) {
    EXPECT_EQ(format_cpu_list({0}), "0");
    EXPECT_EQ(format_cpu_list({0, 1}), "0-1");
    EXPECT_EQ(format_cpu_list({0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
    EXPECT_EQ(format_cpu_list({}), "");
}

TEST(PinOption, RolesAndListsWithCommas) {
    auto p = parse_pin_option("sut=0,gen=1");
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->sut, (CpuList{0}));
    EXPECT_EQ(p->generator, (CpuList{1}));

    p = parse_pin_option("sut=0,1,generator=2-3,5");
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->sut, (CpuList{0, 1}));
    EXPECT_EQ(p->generator, (CpuList{2, 3, 5}));

    p = parse_pin_option("gen=1");  // one role alone: the SUT runs anywhere
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_TRUE(p->sut.empty());
    EXPECT_EQ(p->generator, (CpuList{1}));
    EXPECT_TRUE(p->any());
    EXPECT_FALSE(Pinning{}.any());
}

TEST(PinOption, Errors) {
    EXPECT_THAT(parse_pin_option("0,1").error().message, HasSubstr("does not start with a role"));
    EXPECT_THAT(parse_pin_option("cpu=0").error().message, HasSubstr("not a role"));
    EXPECT_THAT(parse_pin_option("sut=0,sut=1").error().message, HasSubstr("appears twice"));
    EXPECT_THAT(parse_pin_option("sut=0-1,gen=1").error().message,
                HasSubstr("CPU 1 to both the SUT and the generator"));
    EXPECT_FALSE(parse_pin_option("sut=,gen=1"));
    EXPECT_FALSE(parse_pin_option(""));
}

TEST(PinOption, CpusMustBeAllowed) {
    Pinning p{{0}, {1}};
    EXPECT_TRUE(check_cpus_allowed(p, {0, 1}));
    auto r = check_cpus_allowed(Pinning{{0}, {2, 7}}, {0, 1});
    ASSERT_FALSE(r);
    EXPECT_THAT(r.error().message, HasSubstr("CPU 2,7 is not available"));
    EXPECT_THAT(r.error().message, HasSubstr("CPU 0-1"));
    // What this process may use is never empty.
    EXPECT_FALSE(allowed_cpus().empty());
}

TEST(PinOption, RecordedAsJson) {
    EXPECT_EQ(pinning_json(Pinning{}), "none (SUT and generator share the machine)");
    EXPECT_EQ(pinning_json(Pinning{{0}, {1}}), (nlohmann::json{{"sut", {0}}, {"generator", {1}}}));
    EXPECT_EQ(pinning_json(Pinning{{}, {1}}),
              (nlohmann::json{{"sut", nullptr}, {"generator", {1}}}));
}

// The launcher pins the child before exec: /proc/PID/status shows the list we asked for.
TEST(PinnedChild, CpusAllowedListMatches) {
    const CpuList allowed = allowed_cpus();
    const CpuList want = {allowed.back()};
    auto launcher = make_real_launcher();
    LaunchSpec spec;
    spec.name = "pinned sleep";
    spec.argv = {"sleep", "30"};
    spec.cpus = want;
    spec.stop_grace = std::chrono::milliseconds(1000);
    auto child = launcher->launch(spec);
    ASSERT_TRUE(child) << child.error().message;
    std::ifstream status("/proc/" + std::to_string((*child)->pid()) + "/status");
    std::string line, cpus;
    while (std::getline(status, line))
        if (line.rfind("Cpus_allowed_list:", 0) == 0)
            cpus = line.substr(line.find_last_of("\t ") + 1);
    EXPECT_EQ(cpus, format_cpu_list(want));
    (*child)->stop();

    spec.cpus = {CPU_SETSIZE - 1};  // a CPU nobody has: the launch fails, as a value
    auto bad = launcher->launch(spec);
    ASSERT_FALSE(bad);
    EXPECT_THAT(bad.error().message, HasSubstr("cannot pin it to its CPUs"));
}

}  // namespace
}  // namespace pbxbench::harness
