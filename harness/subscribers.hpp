#pragma once
// A level's subscribers, resolved from the profile's [users] and `pbxbench run --callers N
// --callees M`: the callers (with their passwords) that `pbxbench uac` places calls as, the
// callees `pbxbench uas` registers (one endpoint each), the mapping and whether callers
// register. Pure: the same inputs give the same lists, in the profile's user order.
#include <cstdint>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "harness/profile.hpp"
#include "harness/run_options.hpp"
#include "uac/population.hpp"

namespace pbxbench::harness {

struct Subscribers {
    std::vector<uac::Subscriber> callers;
    std::vector<uac::Subscriber> callees;  // with passwords: they register
    uac::CallMapping mapping = uac::CallMapping::round_robin;
    std::uint64_t seed = 1;
    bool callers_register = false;
};

struct SubscriberCounts {
    std::uint64_t callers = 0;  // 0: the profile's, else 1
    std::uint64_t callees = 0;  // 0: the profile's, else `default_callees`
    std::uint64_t default_callees = 2;
};

// --callers/--callees/--endpoints as counts (--endpoints alone sets the callees).
inline SubscriberCounts subscriber_counts(const RunOptions& o) {
    SubscriberCounts c;
    c.callers = o.callers;
    c.callees = o.callees != 0 ? o.callees : static_cast<std::uint64_t>(o.uas_count);
    return c;
}

// The password of `user`: its [users].passwords entry, else [users].password.
std::string password_of(const UsersSpec& users, const std::string& user);

// Counts from the command line replace the profile's counts or lists. Errors name the field
// ("--callers", "[users] callees") and the numbers: more users wanted than the profile has.
Result<Subscribers> resolve_subscribers(const Profile& profile, const ScenarioSpec* scenario,
                                        const SubscriberCounts& counts);

}  // namespace pbxbench::harness
