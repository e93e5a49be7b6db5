#pragma once
// A UAC call batch on one io_context: the UacCore (uac/call_core.hpp) with a real UDP endpoint,
// the RTP engine and one Asio timer that drives every call's events, at most one wake-up per
// tick. Everything about calls lives in the core; this file is only the I/O around it.
#include <functional>
#include <memory>

#include <boost/asio/steady_timer.hpp>

#include "base/error.hpp"
#include "sip/endpoint.hpp"
#include "uac/batch_options.hpp"
#include "uac/call_core.hpp"
#include "uac/call_stats.hpp"

namespace pbxbench::media {
class MediaEngine;
}

namespace pbxbench::uac {

class EngineMedia;

class CallBatch final : public sip::TransactionUser {
  public:
    CallBatch(boost::asio::io_context& io, BatchOptions options);
    ~CallBatch() override;

    // Binds the SIP endpoint and the media engine; errors name the address.
    Result<void> open();
    // Call i is due at t0 + i/cps; default t0: when calls begin. For shards sharing a schedule.
    void set_t0(sip::TimePoint t0) { options_.t0 = t0; }
    // Registers the callers (if asked), then places calls; `on_finished` runs once every call
    // has ended and the callers are un-registered.
    void start(std::function<void()> on_finished);
    // As start(), but after the registrations calls `on_ready` and waits for begin(): shards
    // register first and then start one schedule together.
    void start_held(std::function<void()> on_ready, std::function<void()> on_finished);
    // Starts placing calls on the schedule from `t0` (call it on this batch's io_context).
    void begin(sip::TimePoint t0);
    // Graceful stop: no new calls; answered calls get BYE, ringing ones CANCEL; whatever is
    // still active after the grace period ends as `interrupted`.
    void stop();

    bool finished() const { return core_->finished(); }
    bool stopping() const { return core_->stopping(); }
    bool ready() const { return core_->ready(); }
    const CallStats& stats() const { return core_->stats(); }
    std::uint64_t active() const { return core_->active(); }
    const sip::TransactionCounters& transaction_counters() const;
    const BatchOptions& options() const { return options_; }
    const sip::Address& local_address() const;
    // The (first) caller's REGISTER client when callers register, else null.
    const sip::Registration* registration() const { return core_->first_registration(); }
    // Why the batch could not run (e.g. registration refused); empty when it ran.
    const std::string& setup_error() const { return core_->setup_error(); }
    std::uint64_t kernel_drops() const;
    // SIP datagrams this batch's socket sent and received (retransmissions included).
    std::uint64_t datagrams_sent() const;
    std::uint64_t datagrams_received() const;
    // The media engine when media is on, else null.
    const media::MediaEngine* media() const { return media_.get(); }

    // sip::TransactionUser: forwarded to the core.
    void on_response(sip::TransactionId id, std::uint64_t cookie, const sip::Message& r) override {
        core_->on_response(id, cookie, r);
    }
    void on_client_timeout(sip::TransactionId id, std::uint64_t cookie,
                           sip::TransactionTimer t) override {
        core_->on_client_timeout(id, cookie, t);
    }
    void on_transport_error(sip::TransactionId id, std::uint64_t cookie) override {
        core_->on_transport_error(id, cookie);
    }
    void on_request(sip::TransactionId id, const sip::Message& request,
                    const sip::Address& from) override {
        core_->on_request(id, request, from);
    }
    void on_ack(const sip::Message& ack, const sip::Address& from) override {
        core_->on_ack(ack, from);
    }

  private:
    void rearm(sip::TimePoint now);
    void wake(sip::TimePoint now);
    void finish();

    boost::asio::io_context& io_;
    BatchOptions options_;
    std::unique_ptr<sip::Endpoint> endpoint_;
    std::unique_ptr<media::MediaEngine> media_;
    std::unique_ptr<EngineMedia> engine_media_;
    std::unique_ptr<UacCore> core_;
    boost::asio::steady_timer timer_;
    sip::TimePoint armed_at_ = sip::TimePoint::max();  // what the timer is set to
    sip::TimePoint last_wake_{};
    std::function<void()> on_finished_;
    bool closed_ = false;
};

}  // namespace pbxbench::uac
