#include "uas/uas_args.hpp"

#include <fstream>

#include "base/arg_fields.hpp"
#include "base/common_args.hpp"
#include "sip/address.hpp"
#include "sip/text.hpp"

namespace pbxbench::uas {

namespace {

using args::ArgSpec;
using args::Unit;

// The one list of `pbxbench uas`'s options. `Args` is UasArgs or const UasArgs.
template <class Args, class Visit>
void for_each_arg(Args& a, Visit&& v) {
    v(ArgSpec{"--bind", "Local IP address for every endpoint"}, a.bind);
    v(ArgSpec{"--base-port", "First endpoint's SIP port, the next ones follow (0: any free ports)",
              0, 65535},
      a.base_port);
    v(ArgSpec{.names = "--endpoints",
              .help = "Number of endpoints (each its own SIP port and registration)",
              .min = 1,
              .max = args::common::max_endpoints,
              .old_names = "-n,--count"},
      a.count);
    v(ArgSpec{"--registrar", "Registrar as HOST:PORT; omit for plain mode (no REGISTER)"},
      a.registrar);
    v(ArgSpec{.names = "--users",
              .help = "Users, comma-separated (USER or USER:PASSWORD), cycled over the endpoints",
              .old_names = "-u,--user"},
      a.users);
    v(ArgSpec{"--users-file", "File with one USER[:PASSWORD] per line, instead of --users"},
      a.users_file);
    v(ArgSpec{"--password",
              "Digest password for users without their own (needed with --registrar)"},
      a.password);
    v(ArgSpec{"--domain", "Domain of the address-of-record (default: the registrar's host)"},
      a.domain);
    v(args::common::expires, a.expires_s);
    v(ArgSpec{.names = "--ring-time",
              .help = "How long each call rings before the 200 (0: answer at once)",
              .min = 0,
              .max = 3600000,
              .duration = Unit::milliseconds,
              .old_names = "--ring-ms"},
      a.ring_ms);
    v(ArgSpec{.names = "--early-media",
              .help = "Answer 183 Session Progress with SDP and echo media this long before the "
                      "200 (0: no early media; replaces --ring-time and the 180 for calls with "
                      "an offer)",
              .min = 0,
              .max = 3600000,
              .duration = Unit::milliseconds},
      a.early_media_ms);
    v(ArgSpec{.names = "--session-min-se",
              .help = "Support session timers (RFC 4028) with this Min-SE: less gets 422, else "
                      "the 200 names the caller as refresher (0: not supported)",
              .min = 0,
              .max = 86400,
              .duration = Unit::seconds},
      a.session_min_se_s);
    v(ArgSpec{"--session-refresher",
              "With --session-min-se: who refreshes when the caller names nobody: uac (the "
              "caller) or uas (we send UPDATE at half the interval)"},
      a.session_refresher);
    v(ArgSpec{"--no-180", "Do not send 180 Ringing"}, a.no_180);
    v(ArgSpec{"--reject-ratio", "Share of calls to reject, evenly spread (0.25: 1 in 4)", 0.0, 1.0},
      a.reject_ratio);
    v(ArgSpec{"--reject-code", "Status for rejected calls", 300, 699}, a.reject_code);
    v(ArgSpec{"--media-base-port", "First RTP port advertised in SDP answers with --no-media", 1024,
              65534},
      a.media_base_port);
    media::for_each_media_arg(a.media, media::MediaRole::callee, v);
    v(ArgSpec{.names = "--stats-interval",
              .help = "Time between stats lines (0: none)",
              .min = 0,
              .max = 3600,
              .duration = Unit::seconds},
      a.stats_interval_s);
    v(ArgSpec{.names = "--duration",
              .help = "How long to serve after ready (0: until SIGINT/SIGTERM)",
              .min = 0,
              .max = 30 * 86400,
              .duration = Unit::seconds},
      a.duration_s);
    v(ArgSpec{"--message-status",
              "Status answering every MESSAGE outside a dialog (200; 202 accepted; 4xx-6xx to "
              "test a sender's failure counts)",
              200, 699},
      a.message_status);
    // Test aid, hidden from --help: proves that the caller's INVITE retransmissions recover.
    v(ArgSpec{.names = "--drop-invites",
              .help = "Drop the first N INVITE datagrams received",
              .hidden = true},
      a.drop_invites);
}

Result<std::vector<UserCredentials>> read_users_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return fail("--users-file: cannot open " + path);
    std::vector<UserCredentials> users;
    std::string line;
    while (std::getline(in, line)) {
        std::string_view text = sip::trim(line);
        if (text.empty() || text.front() == '#') continue;
        for (auto& u : parse_user_list(text)) users.push_back(std::move(u));
    }
    if (users.empty())
        return fail("--users-file: no users in " + path + " (one USER[:PASSWORD] per line)");
    return users;
}

}  // namespace

void add_uas_options(CLI::App& cmd, UasArgs& a) {
    for_each_arg(a, args::CliVisitor{cmd});
}

nlohmann::json to_json(const UasArgs& a) {
    nlohmann::json j = nlohmann::json::object();
    for_each_arg(a, args::JsonWriter{j});
    return j;
}

Result<UasArgs> uas_args_from_json(const nlohmann::json& j, std::string_view what) {
    UasArgs a;
    if (auto r = args::read_args(
            j, a, [](UasArgs& x, auto&& v) { for_each_arg(x, v); }, what);
        !r)
        return tl::unexpected(r.error());
    return a;
}

Result<RunOptions> to_options(const UasArgs& a) {
    RunOptions o;
    PoolOptions& p = o.pool;
    if (!sip::make_address(a.bind, 0))
        return fail("--bind: '" + a.bind + "' is not a numeric IP address");
    p.bind_host = a.bind;
    if (a.base_port != 0 && a.base_port + a.count - 1 > 65535) {
        return fail("--base-port " + std::to_string(a.base_port) + " + --endpoints " +
                    std::to_string(a.count) + " runs past port 65535");
    }
    p.base_port = static_cast<std::uint16_t>(a.base_port);
    p.count = a.count;
    if (a.users_file.empty()) {
        p.users = parse_user_list(a.users);
    } else {
        auto users = read_users_file(a.users_file);
        if (!users) return tl::unexpected(users.error());
        p.users = std::move(*users);
    }
    if (!a.registrar.empty()) {
        std::string target =
            a.registrar.rfind("sip:", 0) == 0 ? a.registrar.substr(4) : a.registrar;
        auto registrar = sip::parse_host_port(target);
        if (!registrar) return fail("--registrar: " + registrar.error().message);
        p.registrar = *registrar;
        p.domain = a.domain.empty() ? registrar->host() : a.domain;
        if (p.users.empty()) return fail("--users: a registrar needs at least one user");
        if (a.password.empty()) {
            for (const auto& u : p.users) {
                if (u.password.empty())
                    return fail(
                        "--registrar needs --password (or USER:PASSWORD for every user): '" +
                        u.user + "' has no password");
            }
        }
    }
    p.password = a.password;
    p.expires = std::chrono::seconds(a.expires_s);
    p.ring = std::chrono::milliseconds(a.ring_ms);
    p.send_180 = !a.no_180;
    p.early_media = std::chrono::milliseconds(a.early_media_ms);
    p.session_min_se_s = a.session_min_se_s;
    if (a.session_refresher != "uac" && a.session_refresher != "uas")
        return fail("--session-refresher must be uac or uas, not '" + a.session_refresher + "'");
    p.session_refresher_uas = a.session_refresher == "uas";
    p.reject_ratio = a.reject_ratio;
    p.reject_code = a.reject_code;
    p.media_base_port = static_cast<std::uint16_t>(a.media_base_port);
    auto m = media::to_media_settings(a.media, uas_rtp_ports, a.bind);
    if (!m) return tl::unexpected(m.error());
    p.media = m->enabled;
    p.media_engine = m->engine;
    p.drop_invites = a.drop_invites;
    if (a.message_status >= 300 && a.message_status < 400)
        return fail("--message-status " + std::to_string(a.message_status) +
                    ": a redirect needs a Contact; use 2xx, or 400-699 for a failure");
    p.message_status = a.message_status;
    o.stats_interval = std::chrono::milliseconds(static_cast<long>(a.stats_interval_s * 1000));
    o.duration = std::chrono::seconds(static_cast<long>(a.duration_s));
    return o;
}

}  // namespace pbxbench::uas
