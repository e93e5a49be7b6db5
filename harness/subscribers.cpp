#include "harness/subscribers.hpp"

#include <set>

namespace pbxbench::harness {

std::string password_of(const UsersSpec& users, const std::string& user) {
    auto it = users.passwords.find(user);
    return it != users.passwords.end() ? it->second : users.password;
}

Result<Subscribers> resolve_subscribers(const Profile& profile, const ScenarioSpec* scenario,
                                        const SubscriberCounts& counts) {
    const UsersSpec& u = profile.users;
    // Each side: a named list from the profile, or a count (command line, profile, default).
    struct Side {
        std::vector<std::string> names;
        std::uint64_t count = 0;
        std::string field;  // for messages
    };
    auto side = [&](std::uint64_t given, const std::vector<std::string>& list,
                    std::optional<std::uint64_t> profile_count, std::uint64_t fallback,
                    std::string_view name) {
        Side s;
        if (given != 0) {
            s.count = given;
            s.field = "--" + std::string(name);
        } else if (!list.empty()) {
            s.names = list;
            s.field = "[users] " + std::string(name);
        } else {
            s.count = profile_count.value_or(fallback);
            s.field = profile_count ? "[users] " + std::string(name) : std::string(name);
        }
        return s;
    };
    Side callers = side(counts.callers, u.callers, u.callers_count, 1, "callers");
    Side callees =
        side(counts.callees, u.callees, u.callees_count, counts.default_callees, "callees");
    const std::uint64_t wanted = (callers.names.empty() ? callers.count : callers.names.size()) +
                                 (callees.names.empty() ? callees.count : callees.names.size());
    if (wanted > u.names.size()) {
        return fail(callers.field + " " +
                    std::to_string(callers.names.empty() ? callers.count : callers.names.size()) +
                    " + " + callees.field + " " +
                    std::to_string(callees.names.empty() ? callees.count : callees.names.size()) +
                    " need " + std::to_string(wanted) + " users, but profile " + profile.name +
                    " (" + profile.file.string() + ") has " + std::to_string(u.names.size()) +
                    " in [users]: lower them or add users (count = " + std::to_string(wanted) +
                    ")");
    }
    // Named lists first; counts then take the users in order that no list took, callers first.
    std::set<std::string> taken(callers.names.begin(), callers.names.end());
    taken.insert(callees.names.begin(), callees.names.end());
    auto draw = [&](Side& s) {
        if (!s.names.empty()) return;
        for (const auto& name : u.names) {
            if (s.names.size() == s.count) break;
            if (taken.insert(name).second) s.names.push_back(name);
        }
    };
    draw(callers);
    draw(callees);
    if (callers.names.size() < callers.count || callees.names.size() < callees.count)
        return fail(callers.field + " and " + callees.field +
                    ": not enough users left after the "
                    "named lists (" +
                    std::to_string(u.names.size()) + " users in [users])");
    Subscribers out;
    for (const auto& n : callers.names) out.callers.push_back({n, password_of(u, n)});
    for (const auto& n : callees.names) out.callees.push_back({n, password_of(u, n)});
    out.mapping = u.mapping;
    out.seed = u.seed;
    out.callers_register = u.callers_register;
    if (scenario && scenario->callers_register) out.callers_register = *scenario->callers_register;
    uac::Population check;
    check.callers = out.callers;
    check.callees = callees.names;
    if (auto v = uac::validate(check); !v) return fail("[users] " + v.error().message);
    return out;
}

}  // namespace pbxbench::harness
