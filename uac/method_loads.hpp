#pragma once
// Which method loads exist and how `pbxbench uac` options become them: the factory
// (make_method_load), --mix parsing, and the plan that turns UacArgs into loads to run.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "uac/message_load.hpp"
#include "uac/method_load.hpp"
#include "uac/population.hpp"

namespace pbxbench::uac {

struct UacArgs;

// What any load may need; each takes the fields it uses.
struct MethodLoadConfig {
    sip::Address next_hop;          // the PBX: every request goes there
    std::string domain;             // of addresses-of-record and user Request-URIs
    double rate = 0;                // requests (first REGISTERs, pings, ...) per second
    std::vector<Subscriber> users;  // register: who registers; options/message: who is reached
    // register
    std::chrono::seconds expires{3600};
    double refresh_fraction = 0;
    // options: "pbx", "users" or "both"
    std::string options_to = "both";
    std::string from_user = "pbxbench";
    std::string password;  // answers a challenge to a ping
    // message: callers to callees of the calls' population (or the single target), at `rate`
    std::optional<MessageLoadOptions> message;
};

// The methods make_method_load knows, in --mix order ("invite" is the calls, not a load).
const std::vector<std::string_view>& known_load_methods();

// A load for `method` ("register", "options"), or an error naming the known ones.
Result<std::unique_ptr<MethodLoad>> make_method_load(std::string_view method,
                                                     const MethodLoadConfig& config,
                                                     std::function<sip::TimePoint()> clock);

// "invite=70,register=20,options=10" -> {invite: 0.7, register: 0.2, options: 0.1}: shares
// are normalised by their sum. Errors name the item to fix (unknown method, a share that is not
// a positive number, a method named twice, an empty mix).
Result<std::map<std::string, double>> parse_mix(std::string_view text);

struct MethodLoadPlan {
    std::vector<std::pair<std::string, MethodLoadConfig>> loads;  // method, its config
    bool calls = true;                                            // whether the call batch runs too
    double cps = 0;  // the call rate (from --mix, else --cps)
    double min_duration_s = 0;
};

// The loads UacArgs asks for (none when no load option is set). With --mix, the call rate
// is the invite share of --rate and calls run only with an invite share. Reads --users-file.
Result<MethodLoadPlan> plan_method_loads(const UacArgs& args);

}  // namespace pbxbench::uac
