#pragma once
// One echo endpoint's UA core: answers calls (100, optional 180, 200 with an SDP answer),
// CANCEL, BYE, re-INVITE, OPTIONS and other in-dialog requests, and owns the endpoint's
// REGISTER client. Sans-IO like the transaction layer: time comes from the injected clock
// and advance(now), so the fake network tests every path; UasPool drives it on Asio.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "sip/dialog.hpp"
#include "sip/registration.hpp"
#include "sip/transaction_layer.hpp"
#include "uas/call_media.hpp"
#include "uas/uas_counters.hpp"
#include "uas/uas_message.hpp"

namespace pbxbench::uas {

struct AgentConfig {
    std::string user = "pbxbench";            // the user part of our Contact
    std::string media_address = "127.0.0.1";  // c= of our SDP
    // Real RTP streams (not owned); null: ports from the range below are only advertised.
    CallMedia* media = nullptr;
    // Without `media`: advertised RTP ports, even ones from this range in turn.
    std::uint16_t media_first_port = 40000;
    std::uint16_t media_port_count = 1000;
    // Time between the INVITE and the 200 (the phone rings meanwhile); 0 answers at once.
    std::chrono::milliseconds ring{0};
    bool send_180 = true;
    // Early media: a 183 with our SDP answer at once and the echo running from then, the 200
    // this long after (0: none). Needs an offer in the INVITE (no PRACK: RFC 3262 not used).
    std::chrono::milliseconds early_media{0};
    // Session timers (RFC 4028): 0 ignores them; else an INVITE asking for less gets 422 with
    // this Min-SE, and a 2xx states the interval and who refreshes (the caller, unless it
    // asked otherwise). We never refresh ourselves.
    std::uint32_t session_min_se_s = 0;
    // With session timers on: when the caller names no refresher, we refresh (by UPDATE at
    // half the interval) instead of leaving it to the caller.
    bool session_refresher_uas = false;
    std::uint64_t reject_ratio_ppm = 0;  // share of calls rejected, in parts per million
    int reject_code = 486;
    std::optional<sip::RegistrationConfig> registration;  // nullopt: plain mode
    int message_status = 200;  // the answer to every MESSAGE outside a dialog (202: accepted)
};

class UasAgent final : public sip::TransactionUser {
  public:
    using NowFn = std::function<sip::TimePoint()>;

    // `now` is the clock for events the transaction layer delivers without a time.
    explicit UasAgent(
        AgentConfig config, NowFn now = [] { return sip::Clock::now(); });
    ~UasAgent() override;

    // Binds the agent to its layer (which must outlive it); `sent_by` is "host:port", used in
    // our Contact and Via. Creates the REGISTER client when the config asks for one.
    void attach(sip::TransactionLayer& layer, const std::string& sent_by);

    // Called after an event may have changed the registration state (the owner reports it).
    std::function<void(UasAgent&)> on_registration_event;
    // Called when the agent has new work due at the given time (a ring delay, a refresh).
    std::function<void(sip::TimePoint)> on_wake;

    void start_registration(sip::TimePoint now);
    void unregister(sip::TimePoint now);
    // The REGISTER client, or nullptr in plain mode.
    const sip::Registration* registration() const { return registration_.get(); }

    // From now on new INVITEs get 503; dialogs in progress are still served.
    void stop_answering() { stopping_ = true; }

    // Answers calls whose ring delay ended and refreshes the registration when due.
    void advance(sip::TimePoint now);
    std::optional<sip::TimePoint> next_deadline() const;

    // Counters, with the layer's retransmission and parse error counts folded in.
    UasCounters counters() const;
    // Dialogs answered and not yet ended by BYE (or by a missing ACK).
    std::size_t active_dialogs() const { return dialogs_.size(); }
    // Calls received and not yet answered (still ringing).
    std::size_t ringing() const { return pending_.size(); }
    const AgentConfig& config() const { return config_; }
    const std::string& contact_uri() const { return contact_uri_; }
    // INVITEs answered 200 (initial ones): the calls this endpoint took.
    std::uint64_t calls_answered() const { return counters_.answered; }
    // MESSAGEs received outside dialogs (uas_message.cpp).
    const MessageCounts& messages() const { return inbox_.counts(); }
    // Counts an INVITE dropped before it reached the layer (--drop-invites).
    void count_dropped_invite() { ++counters_.invites_dropped; }

    // sip::TransactionUser
    void on_response(sip::TransactionId id, std::uint64_t cookie,
                     const sip::Message& response) override;
    void on_client_timeout(sip::TransactionId id, std::uint64_t cookie,
                           sip::TransactionTimer timer) override;
    void on_transport_error(sip::TransactionId id, std::uint64_t cookie) override;
    void on_request(sip::TransactionId id, const sip::Message& request,
                    const sip::Address& from) override;
    void on_ack(const sip::Message& ack, const sip::Address& from) override;
    void on_server_timeout(sip::TransactionId id, sip::TransactionTimer timer) override;

  private:
    // A call received and ringing: what answering it later needs.
    struct PendingCall {
        std::string invite;  // the raw INVITE, to build the 200 or the 487 from
        std::string to_tag;
        std::string sdp;  // our answer (or offer, for an INVITE without SDP)
        sip::Dialog dialog;
        std::uint16_t media_port = 0;
        std::uint64_t sdp_session_id = 0;
        std::uint32_t media_id = 0;
        bool media_started = false;   // at the 183 (early media)
        std::string session_expires;  // our 2xx's Session-Expires value; empty: no timer
        bool require_timer = false;   // the caller said Supported: timer
        std::uint32_t session_interval_s = 0;
        bool we_refresh = false;  // our 2xx says refresher=uas
    };
    struct CallDialog {
        sip::Dialog dialog;
        sip::TransactionId invite_txn = 0;  // the (re-)INVITE whose 2xx awaits its ACK
        std::uint64_t invite_cseq = 0;      // its CSeq: the ACK that completes it carries it
        std::uint16_t media_port = 0;
        std::uint64_t sdp_session_id = 0;
        std::uint64_t sdp_version = 1;
        std::uint32_t media_id = 0;
        // We sent an offer in a 2xx (the INVITE had none): its answer comes in the ACK.
        bool offer_pending = false;
        bool session_timer = false;  // RFC 4028 negotiated at the INVITE
        std::uint32_t session_interval_s = 0;
        bool we_refresh = false;       // we send the refreshes (UPDATE)
        sip::TimePoint refresh_due{};  // the pending refresh; older heap entries are stale
    };
    struct SessionDue {
        sip::TimePoint when;
        std::string dialog;  // dialog_key
        bool operator>(const SessionDue& o) const { return when > o.when; }
    };
    struct Due {
        sip::TimePoint when;
        sip::TransactionId id;
        bool operator>(const Due& o) const { return when > o.when; }
    };

    void on_invite(sip::TransactionId id, const sip::Message& invite, sip::TimePoint now);
    void answer(sip::TransactionId id, const sip::Message& invite, PendingCall call,
                sip::TimePoint now);
    void on_cancel(sip::TransactionId id, const sip::Message& cancel, sip::TimePoint now);
    void on_bye(sip::TransactionId id, const sip::Message& bye, sip::TimePoint now);
    void on_reinvite(sip::TransactionId id, const sip::Message& invite, sip::TimePoint now);
    void on_in_dialog(sip::TransactionId id, const sip::Message& request, sip::TimePoint now);
    // uas_message.cpp: a page-mode MESSAGE, counted in the inbox and answered message_status.
    void on_message(sip::TransactionId id, const sip::Message& message, sip::TimePoint now);
    // The dialog a request with a To tag belongs to after its CSeq was checked; answers
    // 481 or 500 itself and returns nullptr when there is none to serve.
    CallDialog* find_dialog(sip::TransactionId id, const sip::Message& request, sip::TimePoint now);
    // Sends a response; dialog-establishing ones (18x/2xx to INVITE) get Contact and Record-Route.
    // `retry_after_s` >= 0 adds Retry-After (a 500 for glare, §14.2).
    void reply(sip::TransactionId id, const sip::Message& request, int status,
               std::string_view to_tag, sip::TimePoint now, std::string_view sdp = {},
               int retry_after_s = -1,
               std::span<const std::pair<std::string_view, std::string_view>> extra = {});
    // uas_session_timer.cpp: RFC 4028. Checks an INVITE's Session-Expires against our Min-SE:
    // false when it answered 422; otherwise fills what our 2xx will say.
    bool accept_session_expires(sip::TransactionId id, const sip::Message& invite,
                                std::string_view to_tag, PendingCall& call, sip::TimePoint now);
    // A 2xx to a refresh (re-INVITE or UPDATE with Session-Expires) of a dialog with a timer:
    // counted, and its headers are stored in `headers` for reply().
    // Arms our next refresh of `d` (we are its refresher) at half its interval.
    void arm_session_refresh(CallDialog& d, const std::string& key, sip::TimePoint now);
    // Sends the refreshes that are due (UPDATE with Session-Expires, refresher=uac: us).
    void send_due_refreshes(sip::TimePoint now);
    // The answer to one of our refreshes (cookie session_refresh_cookie).
    void on_refresh_response(const sip::Message& response, sip::TimePoint now);
    void session_refresh_headers(const CallDialog& d, const sip::Message& request,
                                 std::string& value,
                                 std::pair<std::string_view, std::string_view> (&headers)[2],
                                 std::size_t& n);
    // Refuses a re-INVITE or UPDATE that overlaps one in progress on `d` (RFC 3261 §14.2,
    // RFC 3311 §5.2); false when nothing overlaps.
    bool refuse_glare(sip::TransactionId id, const sip::Message& request, const CallDialog& d,
                      sip::TimePoint now);
    // Our SDP for `offer_body` (an answer, or an offer when the INVITE had none); nullopt if
    // the offer cannot be answered.
    std::optional<std::string> make_sdp(std::string_view offer_body, std::uint16_t port,
                                        std::uint64_t session_id, std::uint64_t version,
                                        std::optional<std::uint32_t> ssrc = {}) const;
    // Tells the media layer the peer's SDP changed in the dialog (CallMedia::moved).
    void peer_moved(const CallDialog& d, std::string_view peer_sdp, sip::TimePoint now);
    // Ends the call's media stream, if it has one.
    void end_media(std::uint32_t media_id, sip::TimePoint now);
    std::uint16_t next_media_port();
    static std::string dialog_key(std::string_view call_id, std::string_view local_tag);
    void forward_to_registration(const std::function<void(sip::Registration&)>& f);
    void schedule(sip::TimePoint when);

    AgentConfig config_;
    NowFn now_;
    sip::TransactionLayer* layer_ = nullptr;
    std::string sent_by_;
    std::string contact_uri_;
    std::unique_ptr<sip::Registration> registration_;
    std::string tag_prefix_;
    std::uint64_t tag_counter_ = 0;
    std::uint64_t invite_seq_ = 0;  // initial INVITEs seen, for the reject schedule
    std::uint64_t media_counter_ = 0;
    std::uint64_t session_base_ = 0;
    bool stopping_ = false;
    UasCounters counters_;
    MessageInbox inbox_;
    std::unordered_map<sip::TransactionId, PendingCall> pending_;
    // One heap of ring deadlines for all calls: no timer per call.
    std::priority_queue<Due, std::vector<Due>, std::greater<>> ring_due_;
    std::unordered_map<std::string, CallDialog> dialogs_;               // key: Call-ID and our tag
    std::unordered_map<sip::TransactionId, std::string> awaiting_ack_;  // INVITE txn -> dialog key
    std::priority_queue<SessionDue, std::vector<SessionDue>, std::greater<>> session_due_;
};

// The cookie the agent's REGISTER transactions carry.
inline constexpr std::uint64_t registration_cookie = 1;
// The cookie of our session refreshes (UPDATE).
inline constexpr std::uint64_t session_refresh_cookie = 2;

}  // namespace pbxbench::uas
