#pragma once
// Who calls whom: the callers (each with its own credentials) and the callees of a batch, and
// the rule that maps call i to a (caller, callee) pair. Pure data and arithmetic, so the
// harness, the CLI and every UAC shard compute the same mapping.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace pbxbench::uac {

struct Subscriber {
    std::string user;
    std::string password;  // empty: no credentials (challenges fail the call)
};

enum class CallMapping : std::uint8_t { round_robin, random };

// "round_robin" / "random".
std::string_view to_string(CallMapping m);
// The mapping named by `word`, or an error listing the known ones.
Result<CallMapping> parse_call_mapping(std::string_view word);

struct CallPair {
    std::uint32_t caller = 0;  // index into Population::callers
    std::uint32_t callee = 0;  // index into Population::callees
};

struct Population {
    // Empty: one anonymous caller (BatchOptions::from_user, no credentials) and the single
    // target_uri: the old single-target form.
    std::vector<Subscriber> callers;
    std::vector<std::string> callees;  // user parts; the Request-URI is sip:USER@domain
    std::string domain;                // host[:port] of callee and caller URIs
    CallMapping mapping = CallMapping::round_robin;
    std::uint64_t seed = 0;  // for `random`; recorded in the results

    bool empty() const { return callers.empty() || callees.empty(); }
    // The pair that places call `index`. round_robin: caller i mod C, callee i mod E, except
    // that a caller never calls itself (the callee steps on to the next one). random: a
    // splitmix64 draw from (seed, index), the same on every shard and every run with that seed.
    CallPair pick(std::uint64_t index) const;
};

// Checks a population: non-empty lists, no duplicate names, and at least two users when a
// caller could only call itself. Errors name the field ("callers", "callees") and the numbers.
Result<void> validate(const Population& p);

}  // namespace pbxbench::uac
