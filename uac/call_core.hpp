#pragma once
// The UAC's UA core, sans-IO like UasAgent: places `total` INVITEs on an exact schedule (call i
// at t0 + i/cps), each from caller c(i) to callee e(i) of the population; answers digest
// challenges per caller (nonce reuse with nc), registers callers, ACKs each 2xx through the
// route set, holds, sends BYE, follows re-INVITE/UPDATE from the far end, records where media
// came from, and classifies every call. Time comes from outside (advance(now), the injected
// clock), datagrams through the transaction layer, media through UacMedia: the fake network
// of the unit tests drives every path. CallBatch runs it on Asio.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "sip/dialog.hpp"
#include "sip/digest.hpp"
#include "sip/registration.hpp"
#include "sip/sdp.hpp"
#include "sip/transaction_layer.hpp"
#include "uac/batch_options.hpp"
#include "uac/call_stats.hpp"
#include "uac/uac_media.hpp"

namespace pbxbench::uac {

// The audio endpoint an SDP body offers or answers, when its addresses are usable (what the
// call's media is pointed at after an answer, an early 18x or a re-INVITE); else nullopt.
std::optional<sip::MediaEndpoint> media_endpoint_in(std::string_view body);

class UacCore final : public sip::TransactionUser {
  public:
    using NowFn = std::function<sip::TimePoint()>;

    // `media` may be null (signaling only); it must outlive the core.
    UacCore(BatchOptions options, UacMedia* media, NowFn now);
    ~UacCore() override;

    // Binds the core to its layer (which must outlive it). `sent_by` is our "host:port" (Via,
    // Contact); `sdp_host` the address in our SDP.
    void attach(sip::TransactionLayer& layer, std::string sent_by, std::string sdp_host);

    // Registers the callers this shard owns (if asked), then calls on_ready; without
    // registration on_ready runs at once.
    void start(sip::TimePoint now);
    // Places calls from t0 on (call i due at t0 + i/cps).
    void begin_calls(sip::TimePoint t0, sip::TimePoint now);
    // Graceful stop: no new calls; answered calls get BYE, ringing ones CANCEL; whatever is
    // still active after the grace period ends as `interrupted`.
    void stop(sip::TimePoint now);

    // Fires everything due at `now`: call starts, BYEs, ring timeouts, registrations.
    void advance(sip::TimePoint now);
    // When advance() next has work; nullopt when nothing is scheduled.
    std::optional<sip::TimePoint> next_deadline() const;

    // Called whenever the core may have new work due earlier (after every event it handled).
    std::function<void(sip::TimePoint now)> on_wake;
    // Registration phase over (every owned caller registered or failed).
    std::function<void()> on_ready;
    // Every call ended, callers un-registered, media drained.
    std::function<void()> on_finished;

    bool ready() const { return ready_; }
    bool finished() const { return finished_; }
    bool stopping() const { return stopping_; }
    const CallStats& stats() const { return stats_; }
    std::uint64_t active() const { return calls_.size(); }
    const BatchOptions& options() const { return options_; }
    // Why the batch could not run (e.g. every caller's registration refused); empty if it ran.
    const std::string& setup_error() const { return setup_error_; }
    // The first caller's REGISTER client when callers register, else null (summary detail).
    const sip::Registration* first_registration() const;
    // Whether this shard places call `index` (its caller is ours, or index mod shards).
    bool owns(std::uint64_t index) const;

    // sip::TransactionUser
    void on_response(sip::TransactionId id, std::uint64_t cookie, const sip::Message& r) override;
    void on_client_timeout(sip::TransactionId id, std::uint64_t cookie,
                           sip::TransactionTimer t) override;
    void on_transport_error(sip::TransactionId id, std::uint64_t cookie) override;
    void on_request(sip::TransactionId id, const sip::Message& request,
                    const sip::Address& from) override;
    void on_ack(const sip::Message& ack, const sip::Address& from) override;
    void on_server_timeout(sip::TransactionId id, sip::TransactionTimer t) override;

  private:
    enum class Phase : std::uint8_t { inviting, ringing, answered, cancelling, byeing };
    enum class Kind : std::uint8_t {
        invite = 0,
        bye = 1,
        cancel = 2,
        register_ = 3,
        reinvite = 4,
        refresh = 5
    };
    // What our own re-INVITE in progress asks for (call_core_midcall.cpp).
    enum class Reinvite : std::uint8_t { none, hold, resume };
    enum class EventKind : std::uint8_t {
        bye,
        ring_timeout,
        grace_over,
        unregister_deadline,
        media_drained,
        register_caller,
        cancel_timeout,
        hold,             // time to put the call on hold
        resume,           // time to take it off hold
        reinvite_retry,   // the wait after a 491 is over (RFC 3261 §14.1)
        session_refresh,  // we are the refresher: half the session interval passed
        session_expiry,   // the far end refreshes, and has not: BYE before the session lapses
    };

    // A caller: its identity, credentials, cached challenge and REGISTER client.
    struct Caller {
        std::string user;       // From and Contact user
        std::string auth_user;  // digest username
        std::string password;
        std::string from_prefix;                  // "<sip:user@domain>;tag="
        std::string contact;                      // "sip:user@sent_by"
        std::optional<sip::Challenge> challenge;  // the last one answered, for nonce reuse
        bool challenge_is_proxy = false;
        std::uint32_t nonce_count = 0;
        std::unique_ptr<sip::Registration> registration;
        bool registration_failed = false;
    };

    struct Call {
        std::uint64_t index = 0;
        std::uint32_t caller = 0;
        std::uint32_t callee = 0;
        Phase phase = Phase::inviting;
        bool provisional = false;         // a 1xx arrived, so CANCEL is allowed (§9.1)
        bool post_dial_recorded = false;  // the first 18x's delay is in post_dial_delay_us
        bool cancel_planned = false;
        bool cancel_pending = false;  // CANCEL wanted but no provisional yet
        Outcome cancel_outcome = Outcome::cancelled;
        std::uint8_t auth_tries = 0;  // challenges answered for this INVITE
        bool sent_cached_credentials = false;
        bool bye_auth_tried = false;
        bool offer_in_2xx_pending = false;  // our offer to an SDP-less re-INVITE awaits the ACK
        sip::TransactionId offer_txn = 0;   // the re-INVITE whose 2xx carries that offer
        std::uint32_t invite_cseq = 1;
        std::string branch;         // of the current INVITE; a CANCEL reuses it
        std::string from;           // our From value with tag
        std::string authorization;  // the header line of the current INVITE ("Name: value")
        sip::TimePoint invite_sent;
        sip::TimePoint bye_sent;
        std::unique_ptr<sip::Dialog> dialog;
        std::string ack;             // re-sent for retransmitted 2xx
        sip::Address hop;            // where in-dialog requests go
        std::uint32_t media_id = 0;  // the media stream, 0 without media
        std::uint16_t media_port = 0;
        std::uint32_t media_ssrc = 0;
        std::uint64_t sdp_version = 1;
        std::optional<sip::MediaEndpoint> remote_media;  // where we send RTP now
        // Our own re-INVITE (hold/resume): what it asks, whether its transaction is running
        // (else a retry after 491 is due), its CSeq and when it left; the ACK of its 2xx.
        Reinvite reinvite = Reinvite::none;
        bool reinvite_in_flight = false;
        std::uint32_t reinvite_cseq = 0;
        sip::TimePoint reinvite_sent;
        std::string reinvite_ack;
        bool on_hold = false;      // the far end accepted our hold
        bool resume_due = false;   // the resume time came while the hold was still pending
        bool early_media = false;  // a 1xx's SDP started the media before the answer
        // Session timer (RFC 4028): the interval asked for (raised by a 422), the one
        // negotiated (0: none), whether we refresh, our refresh in flight and its 2xx's ACK,
        // and when the pending session event is due (older events are stale).
        std::uint32_t session_expires_s = 0;
        std::uint32_t session_interval_s = 0;
        bool we_refresh = false;
        bool retried_422 = false;
        bool refresh_in_flight = false;
        bool refresh_is_invite = false;
        std::uint32_t refresh_cseq = 0;
        sip::TimePoint refresh_sent;
        std::string refresh_ack;
        sip::TimePoint session_due;
    };
    struct Event {
        sip::TimePoint when;
        std::uint64_t index;
        EventKind kind;
        bool operator>(const Event& o) const { return when > o.when; }
    };
    struct RegistrationDue {
        sip::TimePoint when;
        std::uint32_t caller;
        bool operator>(const RegistrationDue& o) const { return when > o.when; }
    };

    // call_core.cpp: schedule and call flow
    sip::TimePoint due(std::uint64_t index) const;
    void skip_to_owned();
    void push(Event e);
    void changed(sip::TimePoint now);
    void start_call(std::uint64_t index, sip::TimePoint now);
    void send_invite(Call& c, sip::TimePoint now);
    void send_cancel(Call& c, sip::TimePoint now);
    void send_bye(Call& c, sip::TimePoint now, std::string_view authorization = {});
    void on_invite_response(Call& c, const sip::Message& r, sip::TimePoint now);
    void on_answer(Call& c, const sip::Message& r, sip::TimePoint now);
    void start_media(Call& c, const sip::Message& r, sip::TimePoint now);
    void on_bye_response(Call& c, const sip::Message& r, sip::TimePoint now);
    void on_retransmitted_2xx(const sip::Message& r);
    void end(std::uint64_t index, Outcome outcome);
    void check_finished();
    Call* find(std::uint64_t index);
    std::string call_id(std::uint64_t index) const;
    bool is_ours(std::string_view call_id) const;
    std::optional<std::uint64_t> index_of(std::string_view call_id) const;
    static std::uint64_t cookie(std::uint64_t index, Kind k) {
        return index << 3 | static_cast<std::uint64_t>(k);
    }
    static Kind kind_of(std::uint64_t cookie) { return static_cast<Kind>(cookie & 7); }
    static std::uint64_t index_in(std::uint64_t cookie) { return cookie >> 3; }

    // call_core_auth.cpp: digest and caller registrations
    void build_callers();
    // The Authorization line for a new INVITE from the caller's cached challenge, or empty.
    std::string cached_authorization(Caller& caller, std::string_view method, std::string_view uri);
    // Answers a 401/407 to the INVITE; false when the call must fail (counted).
    bool answer_invite_challenge(Call& c, const sip::Message& r, sip::TimePoint now);
    std::optional<std::string> authorization_for(Caller& caller, const sip::Message& challenge,
                                                 std::string_view method, std::string_view uri);
    void register_caller(std::uint32_t caller, sip::TimePoint now);
    void on_registration_event(std::uint32_t caller,
                               const std::function<void(sip::Registration&)>& f);
    void schedule_registration(std::uint32_t caller);
    void advance_registrations(sip::TimePoint now);
    void unregister_callers(sip::TimePoint now);
    bool registrations_settled() const;

    // call_core_midcall.cpp: hold and resume by our own re-INVITE, 491 retries
    void schedule_hold(Call& c, sip::TimePoint now);
    void on_midcall_event(Call& c, EventKind kind, sip::TimePoint now);
    void send_reinvite(Call& c, Reinvite what, sip::TimePoint now);
    void on_reinvite_response(Call& c, const sip::Message& r, sip::TimePoint now);
    void on_reinvite_timeout(Call& c, sip::TimePoint now);
    // The 2xx of a re-INVITE (retransmitted or not) is ACKed with its own CSeq (§13.2.2.4).
    bool ack_reinvite_2xx(const sip::Message& r);
    ReinviteFlowStats& flow_stats(Reinvite what);
    // call_core_session_timer.cpp: RFC 4028 session timers
    // Answers a 422 to the INVITE by asking for its Min-SE; false when the call must fail.
    bool retry_with_min_se(Call& c, const sip::Message& r, sip::TimePoint now);
    void start_session_timer(Call& c, const sip::Message& ok, sip::TimePoint now);
    void arm_session_timer(Call& c, sip::TimePoint now);
    void on_session_event(Call& c, EventKind kind, sip::TimePoint now);
    void send_refresh(Call& c, sip::TimePoint now);
    void on_refresh_response(Call& c, const sip::Message& r, sip::TimePoint now);
    void on_refresh_timeout(Call& c, sip::TimePoint now);
    // The far end refreshed the session with `request` (a 2xx went back).
    void refreshed_by_peer(Call& c, const sip::Message& request, sip::TimePoint now);

    // call_core_early_media.cpp: a 1xx with SDP starts the media (RFC 3261 §13.2.1: the
    // answer in a 1xx; without PRACK here); the 2xx confirms or moves it.
    void on_early_answer(Call& c, const sip::Message& r, sip::TimePoint now);
    void on_answer_after_early_media(Call& c, const sip::Message& r);
    // Counts a flow the call's end cut short (called from end()).
    void abandon_midcall(const Call& c);

    // call_core_dialog.cpp: requests from the far end inside our dialogs, media path
    void on_in_dialog_offer(sip::TransactionId id, Call& c, const sip::Message& request,
                            sip::TimePoint now);
    void reply(sip::TransactionId id, const sip::Message& request, int status, sip::TimePoint now,
               const Call* c = nullptr, std::string_view sdp = {});
    std::string our_offer(Call& c);
    // §12.2.2: an accepted target refresh (re-INVITE, UPDATE) makes the request's Contact the
    // remote target, where our later requests (the BYE) go.
    void refresh_target(Call& c, const sip::Message& request);
    // Moves the call's media to `remote` if it differs from where it goes now.
    void follow(Call& c, sip::MediaEndpoint remote);
    void record_media_path(const Call& c);

    BatchOptions options_;
    UacMedia* media_;
    NowFn now_;
    sip::TransactionLayer* layer_ = nullptr;
    std::string sent_by_;
    std::string sdp_host_;
    std::vector<Caller> callers_;
    std::vector<std::string> callee_uris_;
    std::vector<std::uint32_t> owned_callers_;
    sip::TimePoint t0_{};
    std::uint64_t next_index_ = 0;
    std::unordered_map<std::uint64_t, Call> calls_;
    std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
    std::priority_queue<RegistrationDue, std::vector<RegistrationDue>, std::greater<>> reg_due_;
    CallStats stats_;
    // Calls that ended while their re-INVITE ran: its 2xx still gets an ACK (§13.2.2.4).
    struct OrphanReinvite {
        sip::Dialog dialog;
        sip::Address hop;
        std::uint32_t cseq = 0;
    };
    std::unordered_map<std::uint64_t, OrphanReinvite> orphan_reinvites_;
    std::string setup_error_;
    std::size_t registrations_pending_ = 0;
    bool calls_begun_ = false;
    bool ready_ = false;
    bool unregister_sent_ = false;
    bool unregister_deadline_passed_ = false;
    bool media_drained_ = false;
    bool media_drain_pending_ = false;
    bool started_ = false;
    bool stopping_ = false;
    bool finished_ = false;
};

}  // namespace pbxbench::uac
