#pragma once
// Runs one MethodLoad on an io_context: its own UDP endpoint (socket and transaction layer)
// and one Asio timer for the load's schedule, at most one wake-up per tick, like CallBatch.
// The load holds all the logic; this is only the I/O around it. (sip-load's driver runs
// several loads; this one is the single-load path `pbxbench uac --messages` uses today.)
#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/steady_timer.hpp>

#include "base/error.hpp"
#include "sip/endpoint.hpp"
#include "uac/method_load.hpp"

namespace pbxbench::uac {

struct MethodDriverOptions {
    sip::Address bind;  // port 0: any free port
    sip::TimerSettings timers;
    std::chrono::milliseconds tick{10};
    std::size_t receive_buffer_bytes = 4u << 20;
};

class MethodLoadDriver final : public sip::TransactionUser {
  public:
    MethodLoadDriver(boost::asio::io_context& io, std::unique_ptr<MethodLoad> load,
                     MethodDriverOptions options);
    ~MethodLoadDriver() override;

    // Binds the endpoint and attaches the load; errors name the address.
    Result<void> open();
    // Starts the load's schedule now; `on_finished` runs once it has finished (or the grace
    // after stop() ran out).
    void start(std::function<void()> on_finished);
    // No new requests; whatever is still pending after `grace` is left unanswered (the
    // report's counters say how many).
    void stop(std::chrono::milliseconds grace);

    bool finished() const { return closed_; }
    MethodLoadReport report() const { return load_->report(); }
    const sip::Address& local_address() const { return endpoint_->local_address(); }
    const sip::TransactionCounters& transaction_counters() const;
    std::uint64_t datagrams_sent() const;
    std::uint64_t datagrams_received() const;
    std::uint64_t kernel_drops() const;

    // sip::TransactionUser: forwarded to the load, then checked for the end.
    void on_response(sip::TransactionId id, std::uint64_t cookie, const sip::Message& r) override;
    void on_client_timeout(sip::TransactionId id, std::uint64_t cookie,
                           sip::TransactionTimer t) override;
    void on_transport_error(sip::TransactionId id, std::uint64_t cookie) override;
    void on_request(sip::TransactionId id, const sip::Message& request,
                    const sip::Address& from) override;
    void on_ack(const sip::Message& ack, const sip::Address& from) override;

  private:
    void rearm(sip::TimePoint now);
    void wake(sip::TimePoint now);
    void check_finished();
    void finish();

    boost::asio::io_context& io_;
    std::unique_ptr<MethodLoad> load_;
    MethodDriverOptions options_;
    std::unique_ptr<sip::Endpoint> endpoint_;
    boost::asio::steady_timer timer_;
    boost::asio::steady_timer grace_timer_;
    sip::TimePoint armed_at_ = sip::TimePoint::max();
    sip::TimePoint last_wake_{};
    std::function<void()> on_finished_;
    bool finish_posted_ = false;
    bool closed_ = false;
};

}  // namespace pbxbench::uac
