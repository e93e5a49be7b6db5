#pragma once
// What the mid-call flows the UAC starts itself did (docs/uac.md "Mid-call flows"): holds and
// resumes by re-INVITE, each attempt's outcome and the latency of the successful ones. Every
// field adds up exactly across shards; raw latencies concatenate for exact percentiles.
#include <cstdint>
#include <map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pbxbench::uac {

// One kind of re-INVITE we send (hold, or resume).
struct ReinviteFlowStats {
    std::uint64_t calls = 0;      // calls that wanted this flow
    std::uint64_t sent = 0;       // re-INVITEs sent, retries after 491 included
    std::uint64_t ok = 0;         // 2xx
    std::uint64_t glare_491 = 0;  // 491 received, retried after the RFC 3261 §14.1 delay
    std::uint64_t failed = 0;     // another final non-2xx (by code in failed_status)
    std::uint64_t timeouts = 0;   // no final response (the call then gets BYE, §14.1)
    std::uint64_t unexpected_direction = 0;  // 2xx whose answer kept media flowing to us
    std::uint64_t abandoned = 0;             // the call ended (BYE, stop) before the flow finished
    std::map<int, std::uint64_t> failed_status;
    std::vector<std::uint32_t> latency_us;      // re-INVITE sent -> its 2xx (the successful try)
    std::vector<std::uint32_t> glare_delay_us;  // chosen wait before each retry after 491

    void merge(const ReinviteFlowStats& o);
    nlohmann::json to_json() const;
};

// Early media: a 1xx with SDP before the answer (no PRACK: RFC 3262 is not used).
struct EarlyMediaStats {
    std::uint64_t calls = 0;           // calls whose 18x carried a usable SDP answer
    std::uint64_t calls_with_rtp = 0;  // ... and RTP arrived before the 2xx
    std::uint64_t packets_before_answer = 0;
    std::uint64_t answer_matched = 0;         // the 2xx's SDP named the same media place
    std::uint64_t answer_retargeted = 0;      // ... another one: media moved there
    std::uint64_t answer_without_sdp = 0;     // a 2xx without SDP: the early session stays
    std::vector<std::uint32_t> first_rtp_us;  // INVITE sent -> first early RTP packet

    void merge(const EarlyMediaStats& o);
    nlohmann::json to_json() const;
};

// Session timers (RFC 4028) as the caller sees them.
struct SessionTimerStats {
    std::uint64_t calls = 0;           // INVITEs that asked for a session timer
    std::uint64_t negotiated = 0;      // 2xx with Session-Expires
    std::uint64_t we_refresh = 0;      // ... naming us the refresher
    std::uint64_t retries_422 = 0;     // INVITEs re-sent with the 422's larger Min-SE
    std::uint64_t refreshes_sent = 0;  // UPDATE or re-INVITE refreshes (retries included)
    std::uint64_t refreshes_ok = 0;
    std::uint64_t refreshes_failed = 0;    // final non-2xx or timeout (by code in failed_status)
    std::uint64_t refreshes_received = 0;  // from the far end when it is the refresher
    std::uint64_t expired = 0;             // no refresh came in time: we sent BYE
    std::map<int, std::uint64_t> failed_status;     // 0: timeout
    std::vector<std::uint32_t> refresh_latency_us;  // refresh sent -> its 2xx

    void merge(const SessionTimerStats& o);
    nlohmann::json to_json() const;
};

struct MidcallStats {
    ReinviteFlowStats hold;    // re-INVITE with a=sendonly
    ReinviteFlowStats resume;  // re-INVITE with a=sendrecv after a hold
    EarlyMediaStats early_media;
    SessionTimerStats session_timer;

    bool used() const {
        return hold.calls > 0 || resume.calls > 0 || early_media.calls > 0 ||
               session_timer.calls > 0;
    }
    void merge(const MidcallStats& o);
    // {"hold": {...}, "resume": {...}, "early_media": {...}}: the summary's `midcall` object.
    nlohmann::json to_json() const;
};

}  // namespace pbxbench::uac
