#include "uac/uac_args.hpp"

#include <cstdio>
#include <fstream>

#include "base/arg_fields.hpp"
#include "base/common_args.hpp"
#include "sip/text.hpp"
#include "sip/uri.hpp"

namespace pbxbench::uac {

namespace {

using args::ArgSpec;
using args::Unit;

// The one list of `pbxbench uac`'s options. `Args` is UacArgs or const UacArgs.
template <class Args, class Visit>
void for_each_arg(Args& a, Visit&& v) {
    v(ArgSpec{"--target",
              "Request-URI, e.g. sip:bob@127.0.0.1:5060 (the single-target form; "
              "or give a population with --users-file)"},
      a.target);
    v(ArgSpec{"--proxy", "Send to HOST:PORT instead of the target's host (a PBX)"}, a.proxy);
    v(ArgSpec{"--bind", "Local SIP address (port 0: any free port)"}, a.bind);
    v(args::common::total, a.total);
    v(args::common::cps, a.cps);
    v(args::common::hold, a.hold_s);
    v(args::common::hold_at, a.hold_at_s);
    v(args::common::hold_for, a.hold_for_s);
    v(ArgSpec{.names = "--session-expires",
              .help = "Session timer (RFC 4028): ask for this interval (0: none, else at least "
                      "90s); a 422 is retried once with its Min-SE",
              .min = 0,
              .max = 86400,
              .duration = args::Unit::seconds},
      a.session_expires_s);
    v(ArgSpec{"--session-refresh",
              "How we refresh the session when the 2xx makes us the refresher: update or invite"},
      a.session_refresh);
    v(ArgSpec{"--max-concurrent", "Most calls active at once (0: no limit)"}, a.max_concurrent);
    v(ArgSpec{"--cancel-ratio",
              "Exact share of calls cancelled after the first provisional (0: none)", 0.0, 1.0},
      a.cancel_ratio);
    v(ArgSpec{.names = "--ring-timeout",
              .help = "Cancel calls not answered within this time (0: never)",
              .min = 0,
              .max = 3600,
              .duration = Unit::seconds},
      a.ring_timeout_s);
    v(ArgSpec{"--from-user", "User part of our From and Contact (single-target form)"},
      a.from_user);
    v(ArgSpec{"--user", "User name for digest challenges to our INVITEs (single-target form)"},
      a.user);
    v(ArgSpec{"--password",
              "Password for digest challenges; with a population, of every user without its own"},
      a.password);
    v(ArgSpec{"--register", "REGISTER --user at the proxy before calling; un-REGISTER after"},
      a.register_first);
    v(ArgSpec{"--domain",
              "Domain of our URIs and registrations (default: the target's host; with "
              "a population, the proxy's HOST:PORT)"},
      a.domain);
    v(args::common::expires, a.expires_s);
    v(ArgSpec{"--users-file",
              "Population: a file of USER[:PASSWORD] lines ('#' comments); the first --callers "
              "users call, the next --callees users are called"},
      a.users_file);
    v(ArgSpec{"--users",
              "Population inline: USER[:PASSWORD],... after the file's (argv is visible to every "
              "local user: keep passwords in --users-file or --config)"},
      a.users);
    v(ArgSpec{"--callers", "How many of the users call (the first ones)", 0,
              args::common::max_users},
      a.callers);
    v(ArgSpec{"--callees", "How many users after the callers are called (0: all the rest)", 0,
              args::common::max_users},
      a.callees);
    v(ArgSpec{"--mapping", "Call i goes from caller to callee by round_robin or random"},
      a.mapping);
    v(ArgSpec{"--seed", "Seed of --mapping random (recorded in the summary)"}, a.seed);
    v(ArgSpec{"--register-callers",
              "Every caller REGISTERs before the first call and un-REGISTERs after the last"},
      a.register_callers);
    v(ArgSpec{"--peer-rtp-ports",
              "HOST:A-B where the called endpoints send RTP from: media from there went direct, "
              "from elsewhere through a relay (summary media_path)"},
      a.peer_rtp_ports);
    v(ArgSpec{.names = "--t1",
              .help = "SIP timer T1 (retransmissions start at T1, give up after 64*T1)",
              .min = 1,
              .max = 10000,
              .duration = Unit::milliseconds,
              .old_names = "--t1-ms"},
      a.t1_ms);
    v(ArgSpec{.names = "--progress-interval",
              .help = "Time between progress lines",
              .min = 0.05,
              .max = 3600,
              .duration = Unit::seconds},
      a.progress_s);
    v(ArgSpec{.names = "--grace",
              .help = "Time to end active calls after SIGINT/SIGTERM",
              .min = 0,
              .max = 600,
              .duration = Unit::seconds},
      a.grace_s);
    v(ArgSpec{"--call-id-prefix", "Call-ID prefix, unique per generator (default: random)"},
      a.call_id_prefix);
    v(ArgSpec{"--media-base-port", "First RTP port advertised in SDP offers with --no-media", 1024,
              65534},
      a.media_base_port);
    v(ArgSpec{.names = "--tick",
              .help = "Scheduling quantum: calls start at most this late, never drifting",
              .min = 1,
              .max = 100,
              .duration = Unit::milliseconds,
              .old_names = "--tick-ms"},
      a.tick_ms);
    media::for_each_media_arg(a.media, media::MediaRole::caller, v);
    v(args::common::threads, a.threads);
    v(ArgSpec{args::common::messages.names,
              "Also send this many MESSAGEs (RFC 3428 page mode) from the callers to the callees "
              "(--total 0: MESSAGEs only)",
              args::common::messages.min, args::common::messages.max},
      a.messages);
    v(args::common::message_rate, a.message_rate);
    v(args::common::message_bytes, a.message_bytes);
    v(ArgSpec{"--message-content-type", "Content-Type of each MESSAGE body"},
      a.message_content_type);
    for_each_method_load_arg(a.loads, v);
}

// "alice" or "alice:pw"; an empty password means "use --password".
Subscriber parse_subscriber(std::string_view item, const std::string& default_password) {
    item = sip::trim(item);
    const std::size_t colon = item.find(':');
    Subscriber s{std::string(sip::trim(item.substr(0, colon))), {}};
    if (colon != std::string_view::npos) s.password = std::string(item.substr(colon + 1));
    if (s.password.empty()) s.password = default_password;
    return s;
}

Result<Population> make_population(const UacArgs& a, const std::string& default_domain) {
    std::vector<Subscriber> users;
    if (!a.users_file.empty()) {
        auto from_file = read_users_file(a.users_file);
        if (!from_file) return tl::unexpected(from_file.error());
        users = std::move(*from_file);
    }
    for (const auto& item : a.users) {
        if (sip::trim(item).empty()) continue;
        users.push_back(parse_subscriber(item, {}));
    }
    for (auto& u : users)
        if (u.password.empty()) u.password = a.password;
    const std::string source = !a.users_file.empty() ? "--users-file " + a.users_file : "--users";
    if (a.callers == 0)
        return fail(source + " needs --callers N: the first N of its " +
                    std::to_string(users.size()) + " users place the calls");
    const std::uint64_t callees =
        a.callees != 0 ? a.callees : (users.size() > a.callers ? users.size() - a.callers : 0);
    if (callees == 0 || a.callers + callees > users.size()) {
        return fail("--callers " + std::to_string(a.callers) + " + --callees " +
                    std::to_string(callees) + " need " + std::to_string(a.callers + callees) +
                    " users, but " + source + " has " + std::to_string(users.size()));
    }
    Population p;
    p.callers.assign(users.begin(), users.begin() + static_cast<long>(a.callers));
    for (std::uint64_t i = a.callers; i < a.callers + callees; ++i)
        p.callees.push_back(users[i].user);
    p.domain = a.domain.empty() ? default_domain : a.domain;
    auto mapping = parse_call_mapping(a.mapping);
    if (!mapping) return fail("--mapping: " + mapping.error().message);
    p.mapping = *mapping;
    p.seed = a.seed;
    if (auto valid = validate(p); !valid) return fail("population: " + valid.error().message);
    return p;
}

}  // namespace

void add_uac_options(CLI::App& cmd, UacArgs& a) {
    for_each_arg(a, args::CliVisitor{cmd});
}

nlohmann::json to_json(const UacArgs& a) {
    nlohmann::json j = nlohmann::json::object();
    for_each_arg(a, args::JsonWriter{j});
    return j;
}

Result<UacArgs> uac_args_from_json(const nlohmann::json& j, std::string_view what) {
    UacArgs a;
    if (auto r = args::read_args(
            j, a, [](UacArgs& x, auto&& v) { for_each_arg(x, v); }, what);
        !r)
        return tl::unexpected(r.error());
    return a;
}

Result<std::vector<Subscriber>> read_users_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) return fail("--users-file: cannot open " + path.string());
    std::vector<Subscriber> users;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        std::string_view text = sip::trim(line);
        if (text.empty() || text.front() == '#') continue;
        Subscriber s = parse_subscriber(text, {});
        if (s.user.empty() || s.user.find_first_of(" \t,;@") != std::string::npos)
            return fail("--users-file " + path.string() + ":" + std::to_string(number) +
                        ": expected USER or USER:PASSWORD, got '" + std::string(text) + "'");
        users.push_back(std::move(s));
    }
    if (users.empty())
        return fail("--users-file: no users in " + path.string() +
                    " (one USER[:PASSWORD] per line)");
    return users;
}

// "127.0.0.1:42000-51999" as a host and an inclusive port range.
static Result<BatchOptions::PortRange> parse_peer_ports(const std::string& text) {
    const auto colon = text.rfind(':');
    const auto dash = text.find('-', colon == std::string::npos ? 0 : colon);
    auto bad = [&] {
        return fail("--peer-rtp-ports '" + text +
                    "': expected HOST:FIRST-LAST, e.g. 127.0.0.1:42000-51999");
    };
    if (colon == std::string::npos || colon == 0 || dash == std::string::npos) return bad();
    auto first = sip::parse_uint(std::string_view(text).substr(colon + 1, dash - colon - 1), 65535);
    auto last = sip::parse_uint(std::string_view(text).substr(dash + 1), 65535);
    if (!first || !last || *first > *last) return bad();
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    return BatchOptions::PortRange{host, static_cast<std::uint16_t>(*first),
                                   static_cast<std::uint16_t>(*last)};
}

Result<BatchOptions> to_options(const UacArgs& a) {
    BatchOptions o;
    if (a.messages > 0 && a.threads > 1)
        return fail("--messages runs on one thread: leave out --threads (or use --threads 1)");
    if (!a.peer_rtp_ports.empty()) {
        auto range = parse_peer_ports(a.peer_rtp_ports);
        if (!range) return tl::unexpected(range.error());
        o.peer_media = *range;
    }
    const bool population = !a.users_file.empty() || !a.users.empty();
    if (population && !a.target.empty())
        return fail(
            "--target is the single-target form: leave it out with --users-file/--users "
            "(callees are called at --domain)");
    if (!population && (a.callers != 0 || a.callees != 0 || a.register_callers))
        return fail("--callers, --callees and --register-callers need a population: --users-file");
    std::string default_domain;
    if (population) {
        if (a.proxy.empty() && a.domain.empty())
            return fail("a population needs --proxy HOST:PORT (the PBX) or --domain");
        const std::string& hop_text = a.proxy.empty() ? a.domain : a.proxy;
        auto hop = sip::parse_host_port(hop_text);
        if (!hop) return fail((a.proxy.empty() ? "--domain: " : "--proxy: ") + hop.error().message);
        o.next_hop = *hop;
        default_domain = hop->to_string();
        auto p = make_population(a, default_domain);
        if (!p) return tl::unexpected(p.error());
        o.population = std::move(*p);
        o.register_callers = a.register_callers;
        o.target_uri = "sip:" + o.population.callees.front() + "@" + o.population.domain;
    } else {
        if (a.target.empty())
            return fail("give --target sip:USER@HOST:PORT, or a population with --users-file");
        auto target = sip::parse_uri(a.target);
        if (!target || !target->is_sip())
            return fail("--target '" + a.target + "' is not a SIP URI like sip:bob@127.0.0.1:5060");
        o.target_uri = a.target;
        if (a.proxy.empty()) {
            auto hop = sip::make_address(target->host, target->port_or_default());
            if (!hop)
                return fail("--target: " + hop.error().message + "; or give --proxy HOST:PORT");
            o.next_hop = *hop;
        } else {
            auto hop = sip::parse_host_port(a.proxy);
            if (!hop) return fail("--proxy: " + hop.error().message);
            o.next_hop = *hop;
        }
        default_domain = std::string(target->host);
    }
    auto bind = sip::parse_host_port(a.bind, 0);
    if (!bind) return fail("--bind: " + bind.error().message);
    o.bind = *bind;
    o.total = a.total;
    o.cps = a.cps;
    o.hold = std::chrono::milliseconds(static_cast<long>(a.hold_s * 1000));
    if (a.hold_for_s > 0 && a.hold_at_s + a.hold_for_s >= a.hold_s) {
        char what[160];
        std::snprintf(what, sizeof what,
                      "--hold-at %g + --hold-for %g must end before the call does "
                      "(--hold %g): lengthen --hold or shorten the hold",
                      a.hold_at_s, a.hold_for_s, a.hold_s);
        return fail(what);
    }
    if (a.hold_at_s > 0 && a.hold_for_s <= 0)
        return fail("--hold-at needs --hold-for (how long the call stays on hold)");
    o.hold_at = std::chrono::milliseconds(static_cast<long>(a.hold_at_s * 1000));
    o.hold_for = std::chrono::milliseconds(static_cast<long>(a.hold_for_s * 1000));
    if (a.session_expires_s != 0 && a.session_expires_s < 90)
        return fail("--session-expires " + std::to_string(a.session_expires_s) +
                    " is below RFC 4028's minimum of 90 s (0 turns session timers off)");
    if (a.session_refresh != "update" && a.session_refresh != "invite")
        return fail("--session-refresh must be update or invite, not '" + a.session_refresh + "'");
    o.session_expires_s = a.session_expires_s;
    o.refresh_by_update = a.session_refresh == "update";
    o.max_concurrent = a.max_concurrent;
    o.cancel_ratio = a.cancel_ratio;
    o.ring_timeout = std::chrono::milliseconds(static_cast<long>(a.ring_timeout_s * 1000));
    o.from_user = a.from_user;
    o.register_first = a.register_first;
    if (a.register_first) {
        if (population)
            return fail("--register is for --user; a population uses --register-callers");
        if (a.user.empty()) return fail("--register needs --user (and --password)");
        o.register_domain = a.domain.empty() ? default_domain : a.domain;
        if (a.from_user == "pbxbench") o.from_user = a.user;  // register and call as the extension
    }
    o.register_expires = std::chrono::seconds(a.expires_s);
    o.auth_user = a.user;
    o.auth_password = a.password;
    o.timers.t1 = std::chrono::milliseconds(a.t1_ms);
    o.shutdown_grace = std::chrono::milliseconds(static_cast<long>(a.grace_s * 1000));
    o.call_id_prefix = a.call_id_prefix;
    o.media_base_port = a.media_base_port;
    o.tick = std::chrono::milliseconds(a.tick_ms);
    std::string media_host = o.bind.host();
    if (!media_host.empty() && media_host.front() == '[')
        media_host = media_host.substr(1, media_host.size() - 2);
    if (media_host == "0.0.0.0") media_host = "127.0.0.1";
    auto m = media::to_media_settings(a.media, uac_rtp_ports, media_host);
    if (!m) return tl::unexpected(m.error());
    o.media = m->enabled;
    o.media_engine = m->engine;
    o.audio = std::move(m->audio);
    o.dtmf = std::move(m->dtmf);
    o.silence_threshold_ms = m->silence_threshold_ms;
    return o;
}

}  // namespace pbxbench::uac
