#pragma once
// The UAS counters in one table: each id is the JSON key, each description the human label.
#include <array>
#include <cstdint>
#include <string_view>

namespace pbxbench::uas {

struct UasCounters {
    std::uint64_t registrations_ok = 0;  // successful REGISTER rounds, refreshes included
    std::uint64_t registrations_failed = 0;
    std::uint64_t invites_received = 0;  // initial INVITEs (not re-INVITEs, not retransmissions)
    std::uint64_t invites_dropped = 0;   // ignored on purpose by --drop-invites
    std::uint64_t answered = 0;
    std::uint64_t rejected = 0;               // by --reject-ratio
    std::uint64_t offers_refused = 0;         // 488: an SDP offer we cannot answer
    std::uint64_t refused_stopping = 0;       // 503 while shutting down
    std::uint64_t media_ports_exhausted = 0;  // 503: no free RTP port
    std::uint64_t cancelled = 0;
    std::uint64_t early_media_calls = 0;       // answered 183 with SDP and media before the 200
    std::uint64_t session_timers = 0;          // 2xx with Session-Expires (RFC 4028)
    std::uint64_t session_too_small = 0;       // 422: Session-Expires below our Min-SE
    std::uint64_t session_refreshes = 0;       // re-INVITE/UPDATE refreshes answered 2xx
    std::uint64_t session_refreshes_sent = 0;  // our UPDATE refreshes (we are the refresher)
    std::uint64_t session_refreshes_ok = 0;
    std::uint64_t session_refreshes_failed = 0;  // non-2xx or timeout
    std::uint64_t acks = 0;
    std::uint64_t ack_timeouts = 0;  // Timer L or H: the caller never ACKed
    std::uint64_t byes = 0;
    std::uint64_t reinvites = 0;           // re-INVITEs received (retransmissions not counted)
    std::uint64_t reinvites_answered = 0;  // 200, with an SDP answer or (no offer) our offer
    std::uint64_t reinvites_refused = 0;   // 488, 491 or 500
    std::uint64_t reinvite_glare = 0;      // 491/500: overlapping the previous INVITE (§14.2)
    std::uint64_t updates = 0;             // in-dialog UPDATEs received
    std::uint64_t updates_answered = 0;
    std::uint64_t updates_refused = 0;      // 488 or 491
    std::uint64_t ack_answers = 0;          // SDP answers taken from ACKs to our offers
    std::uint64_t ack_answers_missing = 0;  // ACKs to our offer without a usable answer
    std::uint64_t options = 0;
    std::uint64_t in_dialog_other = 0;       // INFO, UPDATE, NOTIFY... answered 200
    std::uint64_t unknown_dialog = 0;        // answered 481
    std::uint64_t retransmissions_sent = 0;  // from the transaction layers
    std::uint64_t retransmissions_received = 0;
    std::uint64_t parse_errors = 0;
    std::uint64_t sip_datagrams_sent = 0;  // by the endpoints' SIP sockets (UasPool::counters)
    std::uint64_t sip_datagrams_received = 0;

    UasCounters& operator+=(const UasCounters& o);
};

struct CounterInfo {
    std::string_view id;
    std::string_view description;
    std::uint64_t UasCounters::*field;
};

inline constexpr std::array<CounterInfo, 37> uas_counter_table{{
    {"registrations_ok", "successful registrations (refreshes included)",
     &UasCounters::registrations_ok},
    {"registrations_failed", "failed registrations", &UasCounters::registrations_failed},
    {"invites_received", "INVITEs received", &UasCounters::invites_received},
    {"invites_dropped", "INVITEs dropped on purpose (--drop-invites)",
     &UasCounters::invites_dropped},
    {"answered", "calls answered 200", &UasCounters::answered},
    {"rejected", "calls rejected (--reject-ratio)", &UasCounters::rejected},
    {"offers_refused", "SDP offers refused with 488", &UasCounters::offers_refused},
    {"refused_stopping", "INVITEs refused with 503 during shutdown",
     &UasCounters::refused_stopping},
    {"media_ports_exhausted", "INVITEs refused with 503: no free RTP port",
     &UasCounters::media_ports_exhausted},
    {"cancelled", "calls cancelled before the answer", &UasCounters::cancelled},
    {"early_media_calls", "calls given early media (183 with SDP, echo before the 200)",
     &UasCounters::early_media_calls},
    {"session_timers", "calls answered with a session timer (RFC 4028 Session-Expires)",
     &UasCounters::session_timers},
    {"session_too_small", "INVITEs refused 422: Session-Expires below our Min-SE",
     &UasCounters::session_too_small},
    {"session_refreshes", "session refreshes (re-INVITE or UPDATE) answered 2xx",
     &UasCounters::session_refreshes},
    {"session_refreshes_sent", "session refreshes we sent as refresher (UPDATE)",
     &UasCounters::session_refreshes_sent},
    {"session_refreshes_ok", "our session refreshes answered 2xx",
     &UasCounters::session_refreshes_ok},
    {"session_refreshes_failed", "our session refreshes refused or unanswered",
     &UasCounters::session_refreshes_failed},
    {"acks", "ACKs of 2xx received", &UasCounters::acks},
    {"ack_timeouts", "answers never ACKed", &UasCounters::ack_timeouts},
    {"byes", "BYEs answered 200", &UasCounters::byes},
    {"reinvites", "re-INVITEs received", &UasCounters::reinvites},
    {"reinvites_answered", "re-INVITEs answered 200", &UasCounters::reinvites_answered},
    {"reinvites_refused", "re-INVITEs refused (488, 491, 500)", &UasCounters::reinvites_refused},
    {"reinvite_glare", "re-INVITEs refused for overlapping an INVITE or offer in progress",
     &UasCounters::reinvite_glare},
    {"updates", "UPDATEs received in a dialog", &UasCounters::updates},
    {"updates_answered", "UPDATEs answered 200", &UasCounters::updates_answered},
    {"updates_refused", "UPDATEs refused (488, 491)", &UasCounters::updates_refused},
    {"ack_answers", "SDP answers received in ACKs to our offers", &UasCounters::ack_answers},
    {"ack_answers_missing", "ACKs to our offers without a usable SDP answer",
     &UasCounters::ack_answers_missing},
    {"options", "OPTIONS answered", &UasCounters::options},
    {"in_dialog_other", "other in-dialog requests (INFO, NOTIFY, ...) answered 200",
     &UasCounters::in_dialog_other},
    {"unknown_dialog", "requests answered 481 (no such dialog)", &UasCounters::unknown_dialog},
    {"retransmissions_sent", "SIP retransmissions sent", &UasCounters::retransmissions_sent},
    {"retransmissions_received", "SIP retransmissions received",
     &UasCounters::retransmissions_received},
    {"parse_errors", "datagrams that were not valid SIP", &UasCounters::parse_errors},
    {"sip_datagrams_sent", "SIP datagrams sent (retransmissions included)",
     &UasCounters::sip_datagrams_sent},
    {"sip_datagrams_received", "SIP datagrams received", &UasCounters::sip_datagrams_received},
}};

inline UasCounters& UasCounters::operator+=(const UasCounters& o) {
    for (const CounterInfo& c : uas_counter_table) this->*c.field += o.*c.field;
    return *this;
}

// Whether call `k` (0-based, in arrival order) is rejected when a share `ratio_ppm` (parts
// per million) of calls is: exactly floor(N*ratio) of any first N calls, spread evenly.
// Integer arithmetic so 0.1 means exactly one call in ten.
constexpr bool rejects_call(std::uint64_t k, std::uint64_t ratio_ppm) {
    return (k + 1) * ratio_ppm / 1000000 > k * ratio_ppm / 1000000;
}

}  // namespace pbxbench::uas
