#include "cli/uas_command.hpp"

#include <fstream>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/media_args.hpp"
#include "uas/uas_run.hpp"

namespace pbxbench::cli {

constexpr const char* uas_rtp_ports = "30000-39999";

namespace {

struct UasArgs {
    std::string bind = "127.0.0.1";
    int base_port = 0;
    int count = 1;
    std::string registrar;
    std::string users = "bob,alice";
    std::string users_file;
    std::string password = "secret";
    std::string domain;
    int expires_s = 3600;
    int ring_ms = 0;
    bool no_180 = false;
    double reject_ratio = 0;
    int reject_code = 486;
    int media_base_port = 40000;
    MediaArgs media;
    double stats_interval_s = 1.0;
    double duration_s = 0;
    std::uint64_t drop_invites = 0;
};

// Prints events as JSON lines on stdout (flushed each, for a supervisor reading a pipe)
// and human progress on stderr.
class JsonEvents final : public uas::UasEvents {
  public:
    void registered(const uas::RegisteredEvent& e) override {
        emit({{"event", "registered"},
              {"endpoint", e.endpoint},
              {"user", e.user},
              {"port", e.port},
              {"status", e.status},
              {"contact", e.contact},
              {"expires", e.expires_s}});
        std::cerr << "pbxbench uas: " << e.user << " registered on port " << e.port << " for "
                  << e.expires_s << " s\n";
    }
    void ready(const uas::ReadyEvent& e) override {
        emit({{"event", "ready"},
              {"endpoints", e.ports.size()},
              {"users", e.users},
              {"ports", e.ports},
              {"registered", e.registered}});
    }
    void stats(const uas::StatsSnapshot& s) override { emit(snapshot_json("stats", s)); }
    void summary(const uas::StatsSnapshot& s, std::string_view outcome) override {
        auto line = snapshot_json("summary", s);
        line["outcome"] = outcome;
        emit(line);
    }
    void progress(std::string_view line) override { std::cerr << "pbxbench uas: " << line << '\n'; }

  private:
    static void emit(const nlohmann::json& line) { std::cout << line.dump() << std::endl; }

    static nlohmann::json snapshot_json(std::string_view event, const uas::StatsSnapshot& s) {
        nlohmann::json line = {{"event", event},
                               {"elapsed_s", s.elapsed_s},
                               {"endpoints", s.endpoints},
                               {"active_dialogs", s.active_dialogs},
                               {"ringing", s.ringing},
                               {"media", s.media}};
        for (const uas::CounterInfo& c : uas::uas_counter_table)
            line[std::string(c.id)] = s.counters.*c.field;
        return line;
    }
};

std::vector<uas::UserCredentials> read_users_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Fatal("--users-file: cannot open " + path, ExitCode::usage);
    std::vector<uas::UserCredentials> users;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        for (auto& u : uas::parse_user_list(line)) users.push_back(std::move(u));
    }
    if (users.empty())
        throw Fatal("--users-file: no users in " + path + " (one USER[:PASSWORD] per line)",
                    ExitCode::usage);
    return users;
}

ExitCode run_uas_command(const UasArgs& args) {
    uas::RunOptions o;
    uas::PoolOptions& p = o.pool;
    if (!sip::make_address(args.bind, 0))
        throw Fatal("--bind: '" + args.bind + "' is not a numeric IP address", ExitCode::usage);
    p.bind_host = args.bind;
    if (args.base_port != 0 && args.base_port + args.count - 1 > 65535) {
        throw Fatal("--base-port " + std::to_string(args.base_port) + " + --count " +
                        std::to_string(args.count) + " runs past port 65535",
                    ExitCode::usage);
    }
    p.base_port = static_cast<std::uint16_t>(args.base_port);
    p.count = args.count;
    p.users = args.users_file.empty() ? uas::parse_user_list(args.users)
                                      : read_users_file(args.users_file);
    if (!args.registrar.empty()) {
        std::string target =
            args.registrar.rfind("sip:", 0) == 0 ? args.registrar.substr(4) : args.registrar;
        auto registrar = sip::parse_host_port(target);
        if (!registrar) throw Fatal("--registrar: " + registrar.error().message, ExitCode::usage);
        p.registrar = *registrar;
        p.domain = args.domain.empty() ? registrar->host() : args.domain;
        if (p.users.empty())
            throw Fatal("--user: a registrar needs at least one user", ExitCode::usage);
    }
    p.password = args.password;
    p.expires = std::chrono::seconds(args.expires_s);
    p.ring = std::chrono::milliseconds(args.ring_ms);
    p.send_180 = !args.no_180;
    p.reject_ratio = args.reject_ratio;
    p.reject_code = args.reject_code;
    p.media_base_port = static_cast<std::uint16_t>(args.media_base_port);
    MediaSettings m = to_media_settings(args.media, uas_rtp_ports, args.bind);
    p.media = m.enabled;
    p.media_engine = m.engine;
    p.drop_invites = args.drop_invites;
    o.stats_interval = std::chrono::milliseconds(static_cast<long>(args.stats_interval_s * 1000));
    o.duration = std::chrono::seconds(static_cast<long>(args.duration_s));

    JsonEvents events;
    auto result = uas::run_uas(o, events);
    if (!result) throw Fatal(result.error().message, ExitCode::failed);
    return *result;
}

}  // namespace

void add_uas_command(CLI::App& app, ExitCode& result) {
    auto a = std::make_shared<UasArgs>();
    CLI::App* cmd = app.add_subcommand(
        "uas", "Run registered echo endpoints that answer calls; JSON lines on stdout");
    cmd->add_option("--bind", a->bind, "Local IP address for every endpoint")
        ->capture_default_str();
    cmd->add_option("--base-port", a->base_port,
                    "First endpoint's SIP port, the next ones follow (0: any free ports)")
        ->capture_default_str()
        ->check(CLI::Range(0, 65535));
    cmd->add_option("-n,--count", a->count, "Number of endpoints")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000));
    cmd->add_option("--registrar", a->registrar,
                    "Registrar as HOST:PORT; omit for plain mode (no REGISTER)");
    cmd->add_option("-u,--user", a->users,
                    "Users, comma-separated (USER or USER:PASSWORD), cycled over the endpoints")
        ->capture_default_str();
    cmd->add_option("--users-file", a->users_file,
                    "File with one USER[:PASSWORD] per line, instead of --user");
    cmd->add_option("--password", a->password, "Digest password for users without their own")
        ->capture_default_str();
    cmd->add_option("--domain", a->domain,
                    "Domain of the address-of-record (default: the registrar's host)");
    cmd->add_option("--expires", a->expires_s, "Requested registration lifetime in seconds")
        ->capture_default_str()
        ->check(CLI::Range(1, 86400));
    cmd->add_option("--ring-ms", a->ring_ms,
                    "How long each call rings before the 200 (0: answer at once)")
        ->capture_default_str()
        ->check(CLI::Range(0, 3600000));
    cmd->add_flag("--no-180", a->no_180, "Do not send 180 Ringing");
    cmd->add_option("--reject-ratio", a->reject_ratio,
                    "Share of calls to reject, evenly spread (0.25: 1 in 4)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--reject-code", a->reject_code, "Status for rejected calls")
        ->capture_default_str()
        ->check(CLI::Range(300, 699));
    cmd->add_option("--media-base-port", a->media_base_port,
                    "First RTP port advertised in SDP answers with --no-media")
        ->capture_default_str()
        ->check(CLI::Range(1024, 65534));
    add_media_options(*cmd, a->media, uas_rtp_ports, false);
    cmd->add_option("--stats-interval", a->stats_interval_s,
                    "Seconds between stats lines (0: none)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 3600.0));
    cmd->add_option("--duration", a->duration_s,
                    "Seconds to serve after ready (0: until SIGINT/SIGTERM)")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1e7));
    // Test aid, hidden from --help: proves that the caller's INVITE retransmissions recover.
    cmd->add_option("--drop-invites", a->drop_invites, "Drop the first N INVITE datagrams received")
        ->group("");
    cmd->callback([a, &result] { result = run_uas_command(*a); });
}

}  // namespace pbxbench::cli
