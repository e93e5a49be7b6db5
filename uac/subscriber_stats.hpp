#pragma once
// What the subscriber model did in a batch: calls per callee (proof of the spread), digest
// challenges answered and how, caller registrations, re-INVITEs/UPDATEs from the PBX, and where
// each call's media came from. Every field adds up exactly across shards.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pbxbench::uac {

struct AuthStats {
    std::map<int, std::uint64_t> challenges;  // 401 / 407 answered or not
    std::uint64_t nonce_reused = 0;           // requests sent with a cached nonce (nc incremented)
    std::uint64_t fresh_challenges = 0;       // challenges answered with a new nonce
    std::uint64_t stale = 0;                  // challenges that said stale=true
    std::uint64_t unsupported = 0;            // challenges we cannot answer (algorithm, scheme)
    std::map<std::string, std::uint64_t> failures_by_user;  // rejected after our credentials
};

struct RegistrationStats {
    std::uint64_t callers = 0;  // callers asked to register
    std::uint64_t registered = 0;
    std::uint64_t refreshes = 0;
    std::uint64_t failed = 0;
    std::uint64_t unregistered = 0;
    std::vector<std::string> failed_users;  // callers whose first REGISTER was refused
};

struct DialogUpdateStats {
    std::uint64_t received = 0;  // re-INVITE and UPDATE from the far end
    std::uint64_t answered = 0;  // 2xx
    std::uint64_t refused = 0;   // 488 (no usable offer) or 500 (out of order)
    std::uint64_t glare = 0;     // 491 / 500 with Retry-After (RFC 3261 §14.2)
    std::uint64_t moved = 0;     // changed where our media goes
};

// Per call, from where its RTP last came: one of the far endpoints (direct), another address
// (a relay), or unknown (no media received, or no endpoint ranges to compare against).
struct MediaPathStats {
    std::uint64_t direct = 0;
    std::uint64_t relayed = 0;
    std::uint64_t unknown = 0;
    std::uint64_t source_changed = 0;             // calls whose RTP source changed mid-call
    std::map<std::string, std::uint64_t> relays;  // relay host -> calls
};

struct SubscriberStats {
    std::uint64_t callers = 0;  // population sizes (0, 0: the single-target form)
    std::uint64_t callees = 0;
    std::string mapping;
    std::uint64_t seed = 0;
    std::vector<std::uint64_t> calls_per_callee;  // indexed like Population::callees
    AuthStats auth;
    RegistrationStats registrations;
    DialogUpdateStats updates;
    MediaPathStats media_path;

    void merge(const SubscriberStats& o);
    // {"population", "calls_per_callee", "auth", "registrations", "reinvites", "media_path"}:
    // the keys of the UAC summary (docs/uac.md).
    void add_json(nlohmann::json& summary) const;
};

}  // namespace pbxbench::uac
