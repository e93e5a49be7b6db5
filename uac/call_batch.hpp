#pragma once
// A UAC call batch on one io_context: places `total` INVITEs on an exact schedule
// (call i at t0 + i/cps, so nothing drifts over 100k calls), ACKs each 2xx through the route
// set, holds, sends BYE, and classifies every call. One timer drives every call's events.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "base/error.hpp"
#include "sip/dialog.hpp"
#include "sip/endpoint.hpp"
#include "sip/registration.hpp"
#include "uac/batch_options.hpp"
#include "uac/call_stats.hpp"

namespace pbxbench::uac {

class CallBatch final : public sip::TransactionUser {
  public:
    CallBatch(boost::asio::io_context& io, BatchOptions options);
    ~CallBatch() override;

    // Binds the SIP endpoint; errors name the address.
    Result<void> open();
    // Call i is due at t0 + i/cps; default t0: when calls begin. For shards sharing a schedule.
    void set_t0(sip::TimePoint t0) { options_.t0 = t0; }
    // Starts placing calls with t0 = now; `on_finished` runs once every call has ended.
    void start(std::function<void()> on_finished);
    // Graceful stop: no new calls; answered calls get BYE, ringing ones CANCEL; whatever is
    // still active after the grace period ends as `interrupted`.
    void stop();

    bool finished() const { return finished_; }
    bool stopping() const { return stopping_; }
    const CallStats& stats() const { return stats_; }
    std::uint64_t active() const { return calls_.size(); }
    const sip::TransactionCounters& transaction_counters() const;
    const BatchOptions& options() const { return options_; }
    const sip::Address& local_address() const;
    // The REGISTER client when --register was asked for, else null.
    const sip::Registration* registration() const { return registration_.get(); }
    // Why the batch could not run (e.g. registration refused); empty when it ran.
    const std::string& setup_error() const { return setup_error_; }
    std::uint64_t kernel_drops() const;
    // The media engine when media is on, else null.
    const media::MediaEngine* media() const { return media_.get(); }

    // sip::TransactionUser
    void on_response(sip::TransactionId id, std::uint64_t cookie, const sip::Message& r) override;
    void on_client_timeout(sip::TransactionId id, std::uint64_t cookie,
                           sip::TransactionTimer t) override;
    void on_transport_error(sip::TransactionId id, std::uint64_t cookie) override;
    void on_request(sip::TransactionId id, const sip::Message& request,
                    const sip::Address& from) override;
    void on_ack(const sip::Message&, const sip::Address&) override {}

  private:
    enum class Phase : std::uint8_t { inviting, ringing, answered, cancelling, byeing };
    enum class Kind : std::uint8_t { invite = 0, bye = 1, cancel = 2, register_ = 3 };
    enum class EventKind : std::uint8_t {
        bye,
        ring_timeout,
        grace_over,
        unregister_deadline,
        media_drained
    };

    struct Call {
        std::uint64_t index = 0;
        Phase phase = Phase::inviting;
        bool provisional = false;  // a 1xx arrived, so CANCEL is allowed (§9.1)
        bool cancel_planned = false;
        bool cancel_pending = false;  // CANCEL wanted but no provisional yet
        Outcome cancel_outcome = Outcome::cancelled;
        bool auth_tried = false;
        std::uint32_t invite_cseq = 1;
        std::string branch;  // of the current INVITE; a CANCEL reuses it
        std::string from;    // our From value with tag
        sip::TimePoint invite_sent;
        sip::TimePoint bye_sent;
        std::unique_ptr<sip::Dialog> dialog;
        std::string ack;   // re-sent for retransmitted 2xx
        sip::Address hop;  // where in-dialog requests go
        std::uint32_t media_id = 0;  // the engine's stream, 0 without media
        std::uint16_t media_port = 0;
        std::uint32_t media_ssrc = 0;
    };
    struct Event {
        sip::TimePoint when;
        std::uint64_t index;
        EventKind kind;
        bool operator>(const Event& o) const { return when > o.when; }
    };

    sip::TimePoint due(std::uint64_t index) const;
    void wake(sip::TimePoint now);
    void rearm(sip::TimePoint now);
    void push(Event e, sip::TimePoint now);
    void start_call(std::uint64_t index, sip::TimePoint now);
    void send_invite(Call& c, sip::TimePoint now, std::string_view authorization);
    void send_cancel(Call& c, sip::TimePoint now);
    void send_bye(Call& c, sip::TimePoint now);
    void on_invite_response(Call& c, const sip::Message& r, sip::TimePoint now);
    void on_answer(Call& c, const sip::Message& r, sip::TimePoint now);
    void start_media(Call& c, const sip::Message& r, sip::TimePoint now);
    void on_bye_response(Call& c, const sip::Message& r);
    void on_retransmitted_2xx(const sip::Message& r);
    void end(std::uint64_t index, Outcome outcome);
    void check_finished();
    void on_registration_event(sip::TimePoint now);
    void begin_calls(sip::TimePoint now);
    Call* find(std::uint64_t index);
    std::string call_id(std::uint64_t index) const;
    // Whether a Call-ID has our prefix, and the call index it carries (nullopt if none).
    bool is_ours(std::string_view call_id) const;
    std::optional<std::uint64_t> index_of(std::string_view call_id) const;
    static std::uint64_t cookie(std::uint64_t index, Kind k) {
        return index << 2 | static_cast<std::uint64_t>(k);
    }

    boost::asio::io_context& io_;
    BatchOptions options_;
    std::unique_ptr<sip::Endpoint> endpoint_;
    std::unique_ptr<media::MediaEngine> media_;
    bool media_drained_ = false;
    bool media_drain_pending_ = false;
    boost::asio::steady_timer timer_;
    sip::TimePoint armed_at_ = sip::TimePoint::max();  // what the timer is set to
    sip::TimePoint last_wake_{};
    sip::TimePoint t0_;
    std::uint64_t next_index_ = 0;
    std::unordered_map<std::uint64_t, Call> calls_;
    std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
    CallStats stats_;
    std::string sdp_host_;
    std::function<void()> on_finished_;
    std::unique_ptr<sip::Registration> registration_;
    bool awaiting_registration_ = false;
    bool unregister_sent_ = false;
    bool unregister_deadline_passed_ = false;
    std::string setup_error_;
    bool started_ = false;
    bool stopping_ = false;
    bool finished_ = false;
};

}  // namespace pbxbench::uac
