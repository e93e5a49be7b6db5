#pragma once
// Everything `pbxbench uas` can be told, in one struct: its command-line options (one
// definition each, in uas_args.cpp), the JSON config file the harness writes from the same
// struct (`pbxbench uas --config FILE`; keys are the options' long names with underscores),
// and the conversion to RunOptions.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "base/common_args.hpp"
#include "base/error.hpp"
#include "media/media_args.hpp"
#include "uas/uas_run.hpp"

namespace CLI {
class App;
}

namespace pbxbench::uas {

inline constexpr const char* uas_rtp_ports = args::common::uas_rtp_ports;

struct UasArgs {
    std::string bind = "127.0.0.1";
    int base_port = 0;
    int count = 1;
    std::string registrar;
    std::string users = "bob,alice";
    std::string users_file;
    std::string password;  // no default: a registrar needs one given
    std::string domain;
    int expires_s = 3600;
    int ring_ms = 0;
    int early_media_ms = 0;              // 183 with SDP and echo this long before the 200 (0: none)
    std::uint32_t session_min_se_s = 0;  // RFC 4028 Min-SE; 0: session timers not supported
    std::string session_refresher = "uac";  // who refreshes when the caller names nobody
    bool no_180 = false;
    double reject_ratio = 0;
    int reject_code = 486;
    int media_base_port = 40000;
    media::MediaArgs media = media::media_args_with_ports(uas_rtp_ports);
    double stats_interval_s = 1.0;
    double duration_s = 0;
    std::uint64_t drop_invites = 0;
    int message_status = 200;
};

// Registers every option of `a` on `cmd`, bound to its fields (not --config: the caller's).
void add_uas_options(CLI::App& cmd, UasArgs& a);

// Every field, keyed by option name ("base_port", "user", "no_media", ...).
nlohmann::json to_json(const UasArgs& a);
// Starts from the defaults; an unknown key, a wrong type or a value out of range is an
// error naming the key. `what` names the source (a file) in errors.
Result<UasArgs> uas_args_from_json(const nlohmann::json& j, std::string_view what = "uas config");

// Validates and converts; errors name the option to fix. Reads --users-file.
Result<RunOptions> to_options(const UasArgs& a);

}  // namespace pbxbench::uas
