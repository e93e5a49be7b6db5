#include "uac/population.hpp"

#include <unordered_set>

namespace pbxbench::uac {

namespace {

// splitmix64 (a public-domain mixing function): a stateless draw per call index, so shards
// on other threads or hosts agree on call i without sharing a generator.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

std::string_view to_string(CallMapping m) {
    return m == CallMapping::random ? "random" : "round_robin";
}

Result<CallMapping> parse_call_mapping(std::string_view word) {
    if (word == "round_robin") return CallMapping::round_robin;
    if (word == "random") return CallMapping::random;
    return fail("unknown call mapping '" + std::string(word) + "': expected round_robin or random");
}

CallPair Population::pick(std::uint64_t index) const {
    const auto c_count = static_cast<std::uint64_t>(callers.size());
    const auto e_count = static_cast<std::uint64_t>(callees.size());
    if (c_count == 0 || e_count == 0) return {};
    CallPair p;
    if (mapping == CallMapping::random) {
        const std::uint64_t r = mix(seed ^ mix(index));
        p.caller = static_cast<std::uint32_t>(r % c_count);
        p.callee = static_cast<std::uint32_t>((r / c_count) % e_count);
    } else {
        p.caller = static_cast<std::uint32_t>(index % c_count);
        p.callee = static_cast<std::uint32_t>(index % e_count);
    }
    // A caller never calls itself: step to the next callee (the lists may overlap when a
    // profile names them so). validate() guarantees another callee exists.
    for (std::uint64_t step = 0; step < e_count && callees[p.callee] == callers[p.caller].user;
         ++step)
        p.callee = static_cast<std::uint32_t>((p.callee + 1) % e_count);
    return p;
}

Result<void> validate(const Population& p) {
    if (p.callers.empty()) return fail("callers: the population has no callers");
    if (p.callees.empty()) return fail("callees: the population has no callees");
    std::unordered_set<std::string_view> seen;
    for (const auto& c : p.callers) {
        if (c.user.empty()) return fail("callers: an empty user name");
        if (!seen.insert(c.user).second) return fail("callers: '" + c.user + "' is listed twice");
    }
    seen.clear();
    for (const auto& e : p.callees) {
        if (e.empty()) return fail("callees: an empty user name");
        if (!seen.insert(e).second) return fail("callees: '" + e + "' is listed twice");
    }
    if (p.callees.size() == 1 && p.callers.size() >= 1) {
        for (const auto& c : p.callers)
            if (c.user == p.callees.front())
                return fail("callees: the only callee '" + c.user +
                            "' is also a caller, and a caller never calls itself: add callees");
    }
    return {};
}

}  // namespace pbxbench::uac
