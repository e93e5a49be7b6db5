#pragma once
// What a UAC call batch does: `total` calls at `cps`, each held `hold`, through `next_hop`.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "media/dtmf.hpp"
#include "media/g711.hpp"
#include "media/media_engine.hpp"
#include "sip/address.hpp"
#include "sip/transaction_layer.hpp"
#include "uac/population.hpp"

namespace pbxbench::uac {

struct BatchOptions {
    std::string target_uri;  // Request-URI and To, e.g. sip:bob@127.0.0.1:5060
    sip::Address next_hop;   // where requests go first: the PBX, or the UAS itself
    sip::Address bind;       // our SIP address; port 0 picks a free port
    std::uint64_t total = 1;
    double cps = 1;                     // call i starts at t0 + i/cps
    std::chrono::milliseconds hold{0};  // from the 2xx to our BYE
    // Mid-call hold (docs/uac.md "Mid-call flows"): `hold_at` after the 2xx a re-INVITE with
    // a=sendonly, `hold_for` later one with a=sendrecv. hold_for 0: no hold.
    std::chrono::milliseconds hold_at{0};
    std::chrono::milliseconds hold_for{0};
    // Session timers (RFC 4028): ask for this interval in the INVITE (0: no timer); refresh by
    // UPDATE (else re-INVITE) when the 2xx makes us the refresher.
    std::uint32_t session_expires_s = 0;
    bool refresh_by_update = true;
    std::uint64_t max_concurrent = 0;   // 0: no limit
    double cancel_ratio = 0;            // exact share cancelled after the first provisional
    std::chrono::milliseconds ring_timeout{
        0};  // 0: wait for the final response (Timer C bounds it)
    std::string from_user = "pbxbench";
    std::string auth_user;  // answers digest challenges to INVITE when set
    std::string auth_password;
    // REGISTER auth_user@register_domain at next_hop before the first call, un-REGISTER after
    // the last (as a PBX's extension would).
    bool register_first = false;
    std::string register_domain;
    std::chrono::seconds register_expires{3600};
    // Who calls whom (docs/uac.md): empty keeps the single-target form above. Each caller
    // presents itself in From and Contact and answers 401/407 with its own credentials.
    Population population;
    // Every caller REGISTERs before the first call (at `register_rate` per second), refreshes
    // during long holds and un-REGISTERs after the last call.
    bool register_callers = false;
    double register_rate = 200;
    // Answer a challenge once per caller, then send its nonce again with an incremented nc
    // (RFC 7616 §3.4) until the server asks for a fresh one.
    bool reuse_nonce = true;
    // Where the far endpoints' RTP comes from (the UAS port range): a call whose RTP came from
    // there went direct; from anywhere else, through a relay. Port 0s: not known.
    struct PortRange {
        std::string host;
        std::uint16_t min = 0;
        std::uint16_t max = 0;
    };
    std::optional<PortRange> peer_media;
    // Media (docs/media.md): PCMU from the 2xx to our BYE, measured as it comes back.
    bool media = true;
    media::EngineOptions media_engine;        // ports, layout, tick
    std::optional<media::FrameSource> audio;  // empty: a 440 Hz tone
    std::vector<media::DtmfScheduleItem> dtmf;
    bool media_peer_echoes = true;  // the callee returns our packets (pbxbench uas, SIPp -rtp_echo)
    std::int64_t silence_threshold_ms = 2000;
    std::uint16_t media_base_port = 30000;  // advertised without --media: nothing listens there
    std::chrono::milliseconds tick{10};     // scheduling quantum: calls start at most this late
    sip::TimerSettings timers;
    std::size_t receive_buffer_bytes = 8u << 20;
    std::chrono::milliseconds shutdown_grace{5000};
    std::string call_id_prefix;  // unique per run; random when empty
    // This batch places calls shard, shard + shards, ... of the schedule (--threads: one
    // batch per thread), each at t0 + index/cps with one t0 for all shards when `t0` is set.
    std::uint64_t shard = 0;
    std::uint64_t shards = 1;
    std::optional<std::chrono::steady_clock::time_point> t0;
};

}  // namespace pbxbench::uac
