#include "uac/subscriber_stats.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace pbxbench::uac {

void SubscriberStats::merge(const SubscriberStats& o) {
    callers = std::max(callers, o.callers);
    callees = std::max(callees, o.callees);
    if (mapping.empty()) mapping = o.mapping;
    seed = o.seed ? o.seed : seed;
    if (calls_per_callee.size() < o.calls_per_callee.size())
        calls_per_callee.resize(o.calls_per_callee.size());
    for (std::size_t i = 0; i < o.calls_per_callee.size(); ++i)
        calls_per_callee[i] += o.calls_per_callee[i];
    for (const auto& [code, n] : o.auth.challenges) auth.challenges[code] += n;
    auth.nonce_reused += o.auth.nonce_reused;
    auth.fresh_challenges += o.auth.fresh_challenges;
    auth.stale += o.auth.stale;
    auth.unsupported += o.auth.unsupported;
    for (const auto& [user, n] : o.auth.failures_by_user) auth.failures_by_user[user] += n;
    registrations.callers += o.registrations.callers;
    registrations.registered += o.registrations.registered;
    registrations.refreshes += o.registrations.refreshes;
    registrations.failed += o.registrations.failed;
    registrations.unregistered += o.registrations.unregistered;
    registrations.failed_users.insert(registrations.failed_users.end(),
                                      o.registrations.failed_users.begin(),
                                      o.registrations.failed_users.end());
    updates.received += o.updates.received;
    updates.answered += o.updates.answered;
    updates.refused += o.updates.refused;
    updates.glare += o.updates.glare;
    updates.moved += o.updates.moved;
    media_path.direct += o.media_path.direct;
    media_path.relayed += o.media_path.relayed;
    media_path.unknown += o.media_path.unknown;
    media_path.source_changed += o.media_path.source_changed;
    for (const auto& [host, n] : o.media_path.relays) media_path.relays[host] += n;
}

void SubscriberStats::add_json(nlohmann::json& j) const {
    j["population"] = {
        {"callers", callers}, {"callees", callees}, {"mapping", mapping}, {"seed", seed}};
    if (calls_per_callee.empty()) {
        j["calls_per_callee"] = nullptr;
    } else {
        auto [lo, hi] = std::minmax_element(calls_per_callee.begin(), calls_per_callee.end());
        j["calls_per_callee"] = {
            {"callees", calls_per_callee.size()},
            {"min", *lo},
            {"max", *hi},
            {"without_calls", std::count(calls_per_callee.begin(), calls_per_callee.end(), 0u)}};
    }
    nlohmann::json challenges = nlohmann::json::object();
    for (const auto& [code, n] : auth.challenges) challenges[std::to_string(code)] = n;
    j["auth"] = {{"challenges", challenges},
                 {"nonce_reused", auth.nonce_reused},
                 {"fresh_challenges", auth.fresh_challenges},
                 {"stale", auth.stale},
                 {"unsupported", auth.unsupported},
                 {"failures_by_user", auth.failures_by_user}};
    j["registrations"] = {{"callers", registrations.callers},
                          {"registered", registrations.registered},
                          {"refreshes", registrations.refreshes},
                          {"failed", registrations.failed},
                          {"unregistered", registrations.unregistered},
                          {"failed_users", registrations.failed_users}};
    j["reinvites"] = {{"received", updates.received},
                      {"answered", updates.answered},
                      {"refused", updates.refused},
                      {"glare", updates.glare},
                      {"moved", updates.moved}};
    j["media_path"] = {{"direct", media_path.direct},
                       {"relayed", media_path.relayed},
                       {"unknown", media_path.unknown},
                       {"moved", media_path.source_changed},
                       {"relays", media_path.relays}};
}

}  // namespace pbxbench::uac
