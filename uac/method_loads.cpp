#include "uac/method_loads.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

#include "sip/text.hpp"
#include "sip/uri.hpp"
#include "uac/message_args.hpp"
#include "uac/options_load.hpp"
#include "uac/register_load.hpp"
#include "uac/uac_args.hpp"

namespace pbxbench::uac {

const std::vector<std::string_view>& known_load_methods() {
    static const std::vector<std::string_view> methods = {"register", "options", "message"};
    return methods;
}

namespace {

std::string known_list() {
    std::string s = "invite";
    for (auto m : known_load_methods()) s += ", " + std::string(m);
    return s;
}

Result<std::unique_ptr<MethodLoad>> make_register(const MethodLoadConfig& c,
                                                  std::function<sip::TimePoint()> clock) {
    if (c.users.empty()) return fail("the REGISTER load has no users: give --users-file");
    RegisterLoadOptions o;
    o.registrar = c.next_hop;
    o.domain = c.domain;
    o.users = c.users;
    o.rate = c.rate;
    o.expires = c.expires;
    o.refresh_fraction = c.refresh_fraction;
    return std::make_unique<RegisterLoad>(std::move(o), std::move(clock));
}

Result<std::unique_ptr<MethodLoad>> make_options(const MethodLoadConfig& c,
                                                 std::function<sip::TimePoint()> clock) {
    OptionsLoadOptions o;
    o.next_hop = c.next_hop;
    o.rate = c.rate;
    o.from_user = c.from_user;
    o.domain = c.domain;
    o.password = c.password;
    const std::string pbx = "sip:" + c.next_hop.to_string();
    if (c.options_to != "pbx" && c.options_to != "users" && c.options_to != "both")
        return fail("--options-to '" + c.options_to + "': expected pbx, users or both");
    if (c.options_to != "pbx" && c.users.empty())
        return fail("--options-to " + c.options_to +
                    " pings users through the PBX: give a population (--users-file), or "
                    "--options-to pbx");
    // Ping targets alternate between the PBX and the users for "both".
    for (const Subscriber& u : c.users) {
        if (c.options_to == "both") o.targets.push_back(pbx);
        if (c.options_to != "pbx") o.targets.push_back("sip:" + u.user + "@" + c.domain);
    }
    if (o.targets.empty()) o.targets.push_back(pbx);
    return std::make_unique<OptionsLoad>(std::move(o), std::move(clock));
}

}  // namespace

Result<std::unique_ptr<MethodLoad>> make_method_load(std::string_view method,
                                                     const MethodLoadConfig& config,
                                                     std::function<sip::TimePoint()> clock) {
    if (!(config.rate > 0))
        return fail("the " + std::string(method) + " load needs a rate above 0");
    if (method == "register") return make_register(config, std::move(clock));
    if (method == "options") return make_options(config, std::move(clock));
    if (method == "message") {
        if (!config.message) return fail("the MESSAGE load has no callers and callees");
        MessageLoadOptions o = *config.message;
        o.rate = config.rate;
        return std::make_unique<MessageLoad>(std::move(o), std::move(clock));
    }
    return fail("unknown method load '" + std::string(method) + "'; known: " + known_list());
}

Result<std::map<std::string, double>> parse_mix(std::string_view text) {
    std::map<std::string, double> shares;
    double sum = 0;
    if (sip::trim(text).empty())
        return fail("--mix is empty: give METHOD=SHARE,..., e.g. invite=70,register=30");
    for (std::size_t start = 0; start <= text.size();) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string_view item = sip::trim(text.substr(start, comma - start));
        start = comma + 1;
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos)
            return fail("--mix item '" + std::string(item) +
                        "': expected METHOD=SHARE, e.g. register=20");
        std::string method(sip::trim(item.substr(0, eq)));
        for (char& ch : method)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        const std::string_view number = sip::trim(item.substr(eq + 1));
        double share = 0;
        auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), share);
        if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(share) ||
            share <= 0)
            return fail("--mix item '" + std::string(item) +
                        "': the share must be a number above 0");
        bool known = method == "invite";
        for (auto m : known_load_methods()) known = known || method == m;
        if (!known) return fail("--mix: unknown method '" + method + "'; known: " + known_list());
        if (shares.count(method)) return fail("--mix names '" + method + "' twice");
        shares[method] = share;
        sum += share;
    }
    for (auto& [method, share] : shares) share /= sum;
    return shares;
}

namespace {

Result<std::vector<Subscriber>> all_users(const UacArgs& a) {
    std::vector<Subscriber> users;
    if (!a.users_file.empty()) {
        auto from_file = read_users_file(a.users_file);
        if (!from_file) return tl::unexpected(from_file.error());
        users = std::move(*from_file);
    }
    for (const auto& item : a.users) {
        std::string_view text = sip::trim(item);
        if (text.empty()) continue;
        const std::size_t colon = text.find(':');
        Subscriber s{std::string(text.substr(0, colon)), {}};
        if (colon != std::string_view::npos) s.password = std::string(text.substr(colon + 1));
        users.push_back(std::move(s));
    }
    for (auto& u : users)
        if (u.password.empty()) u.password = a.password;
    return users;
}

}  // namespace

Result<MethodLoadPlan> plan_method_loads(const UacArgs& a) {
    const MethodLoadArgs& l = a.loads;
    MethodLoadPlan plan;
    plan.cps = a.cps;
    plan.calls = a.total > 0;
    plan.min_duration_s = l.load_duration_s;
    std::map<std::string, double> rates;
    if (l.register_rate > 0) rates["register"] = l.register_rate;
    if (l.options_rate > 0) rates["options"] = l.options_rate;
    if (!l.mix.empty()) {
        if (!(l.rate > 0)) return fail("--mix divides --rate: give --rate R (requests per second)");
        if (!rates.empty())
            return fail("--mix sets every method's rate: leave out --register-rate/--options-rate");
        auto mix = parse_mix(l.mix);
        if (!mix) return tl::unexpected(mix.error());
        for (const auto& [method, share] : *mix) {
            if (method == "invite") continue;
            rates[method] = share * l.rate;
        }
        plan.calls = mix->count("invite") != 0 && a.total > 0;
        if (plan.calls) plan.cps = mix->at("invite") * l.rate;
    } else if (l.rate > 0) {
        return fail("--rate is the total of a --mix: give --mix too, or use --cps/--register-rate");
    }
    if (rates.empty()) return plan;

    auto users = all_users(a);
    if (!users) return tl::unexpected(users.error());
    const std::string hop_text = !a.proxy.empty() ? a.proxy : a.domain;
    if (hop_text.empty()) return fail("method loads need --proxy HOST:PORT (the PBX)");
    auto hop = sip::parse_host_port(hop_text);
    if (!hop) return fail("--proxy: " + hop.error().message);
    // Callers and callees belong to the calls; the register load takes the users after them.
    const bool population = !a.users_file.empty() || !a.users.empty();
    std::size_t in_calls = 0;
    if (plan.calls && population) {
        const std::size_t callees =
            a.callees != 0 ? a.callees
                           : (users->size() > a.callers ? users->size() - a.callers : 0);
        in_calls = std::min<std::size_t>(users->size(), a.callers + callees);
    }
    MethodLoadConfig base;
    base.next_hop = *hop;
    base.domain = a.domain.empty() ? hop->to_string() : a.domain;
    base.expires = std::chrono::seconds(l.register_expires_s);
    base.refresh_fraction = l.refresh_at;
    base.options_to = l.options_to;
    base.from_user = a.from_user;
    base.password = a.password;
    std::vector<Subscriber> registering(users->begin() + static_cast<long>(in_calls), users->end());
    if (l.register_users != 0) {
        if (l.register_users > registering.size())
            return fail("--register-users " + std::to_string(l.register_users) + " needs " +
                        std::to_string(in_calls + l.register_users) +
                        " users, but the population has " + std::to_string(users->size()) +
                        (in_calls ? " (" + std::to_string(in_calls) + " call or are called)" : ""));
        registering.resize(l.register_users);
    }
    // A message share sends rate x span MESSAGEs, where the span is the calls' schedule (or
    // --load-duration when longer): MESSAGE needs a count, the other loads only a rate.
    std::optional<MessageLoadOptions> message;
    if (rates.count("message")) {
        if (a.messages > 0)
            return fail(
                "--mix has a message share and --messages asks for MESSAGEs too: give "
                "one of them");
        const double calls_s =
            plan.calls && plan.cps > 0 ? static_cast<double>(a.total) / plan.cps : 0.0;
        const double span_s = std::max(l.load_duration_s, calls_s);
        if (!(span_s > 0))
            return fail(
                "a message share needs a length: give --load-duration, or calls (an "
                "invite share and --total)");
        auto batch = to_options(a);
        if (!batch) return tl::unexpected(batch.error());
        UacArgs with = a;
        with.message_rate = rates["message"];
        with.messages = static_cast<std::uint64_t>(std::llround(with.message_rate * span_s));
        auto m = message_load_options(with, *batch);
        if (!m) return tl::unexpected(m.error());
        if (m->total == 0)
            return fail("the message share of --rate sends no MESSAGE in " +
                        std::to_string(span_s) + " s: raise its share, --rate or the length");
        message = std::move(*m);
    }
    for (const auto& [method, rate] : rates) {
        MethodLoadConfig c = base;
        if (method == "message") c.message = message;
        c.rate = rate;
        if (method == "register") {
            if (registering.empty())
                return fail(
                    "the REGISTER load has no users left: every user of --users-file "
                    "calls or is called; add users or lower --callers/--callees");
            c.users = registering;
        } else if (method == "options") {
            // Reach users someone registered: the callees when calls run, else ours.
            if (in_calls != 0) {
                c.users.assign(users->begin() + static_cast<long>(a.callers),
                               users->begin() + static_cast<long>(in_calls));
            } else if (rates.count("register")) {
                c.users = registering;
            } else {
                c.users = *users;
            }
        }
        plan.loads.emplace_back(method, std::move(c));
    }
    return plan;
}

}  // namespace pbxbench::uac
