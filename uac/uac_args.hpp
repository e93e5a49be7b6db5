#pragma once
// Everything `pbxbench uac` can be told, in one struct: its command-line options (one
// definition each, in uac_args.cpp), the JSON config file the harness writes from the same
// struct (`pbxbench uac --config FILE`; keys are the options' long names with underscores),
// and the conversion to BatchOptions.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/common_args.hpp"
#include "base/error.hpp"
#include "media/media_args.hpp"
#include "uac/batch_options.hpp"
#include "uac/method_load_args.hpp"

namespace CLI {
class App;
}

namespace pbxbench::uac {

inline constexpr const char* uac_rtp_ports = args::common::uac_rtp_ports;

struct UacArgs {
    std::string target;
    std::string proxy;
    std::string bind = "127.0.0.1:0";
    std::uint64_t total = 1;
    double cps = 1;
    double hold_s = 0;
    // Mid-call hold within the --hold: re-INVITE a=sendonly at hold_at_s, a=sendrecv
    // hold_for_s later (0: no hold).
    double hold_at_s = 0;
    double hold_for_s = 0;
    // Session timers (RFC 4028): Session-Expires asked for in seconds (0: none, else >= 90),
    // refreshed by "update" or "invite" when we are the refresher.
    std::uint32_t session_expires_s = 0;
    std::string session_refresh = "update";
    std::uint64_t max_concurrent = 0;
    double cancel_ratio = 0;
    double ring_timeout_s = 0;
    std::string from_user = "pbxbench";
    std::string user;
    std::string password;
    bool register_first = false;
    std::string domain;
    int expires_s = 3600;
    // Populations (docs/uac.md "Callers and callees"): users from a file and/or inline, the
    // first `callers` of them call, the next `callees` answer.
    std::string users_file;
    std::vector<std::string> users;  // USER[:PASSWORD] each
    std::uint64_t callers = 0;
    std::uint64_t callees = 0;  // 0: every user after the callers
    std::string mapping = "round_robin";
    std::uint64_t seed = 1;
    bool register_callers = false;
    // HOST:A-B, where the far endpoints' RTP comes from: calls whose RTP came from there went
    // direct, others through a relay (summary `media_path`). Empty: not known.
    std::string peer_rtp_ports;
    int t1_ms = 500;
    double progress_s = 1;
    double grace_s = 5;
    std::string call_id_prefix;
    std::uint16_t media_base_port = 30000;
    int tick_ms = 10;
    media::MediaArgs media = media::media_args_with_ports(uac_rtp_ports);
    unsigned threads = 1;
    // MESSAGE load (docs/uac.md "MESSAGE load"): beside the calls, or alone with --total 0.
    std::uint64_t messages = 0;
    double message_rate = 10;
    std::uint64_t message_bytes = 32;
    std::string message_content_type = "text/plain";
    MethodLoadArgs loads;  // REGISTER/OPTIONS loads and mixes beside the calls
};

// Registers every option of `a` on `cmd`, bound to its fields (not --config: the caller's).
void add_uac_options(CLI::App& cmd, UacArgs& a);

// Every field, keyed by option name ("hold", "from_user", "no_media", ...).
nlohmann::json to_json(const UacArgs& a);
// Starts from the defaults; an unknown key, a wrong type or a value out of range is an
// error naming the key. `what` names the source (a file) in errors.
Result<UacArgs> uac_args_from_json(const nlohmann::json& j, std::string_view what = "uac config");

// Validates and converts; errors name the option to fix. Reads --users-file.
Result<BatchOptions> to_options(const UacArgs& a);

// The users of --users-file FILE: one USER[:PASSWORD] per line; blank lines and lines
// starting with '#' are skipped. Errors name the file and line.
Result<std::vector<Subscriber>> read_users_file(const std::filesystem::path& path);

}  // namespace pbxbench::uac
