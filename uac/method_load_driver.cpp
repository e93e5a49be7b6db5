#include "uac/method_load_driver.hpp"

#include <boost/asio/post.hpp>

namespace pbxbench::uac {

using sip::Clock;
using sip::TimePoint;

MethodLoadDriver::MethodLoadDriver(boost::asio::io_context& io, std::unique_ptr<MethodLoad> load,
                                   MethodDriverOptions options)
    : io_(io), load_(std::move(load)), options_(options), timer_(io), grace_timer_(io) {}

MethodLoadDriver::~MethodLoadDriver() = default;

Result<void> MethodLoadDriver::open() {
    sip::EndpointOptions eo;
    eo.bind = options_.bind;
    eo.timers = options_.timers;
    eo.udp.receive_buffer_bytes = options_.receive_buffer_bytes;
    auto e = sip::Endpoint::open(io_, *this, eo);
    if (!e) return tl::unexpected(e.error());
    endpoint_ = std::move(*e);
    load_->attach(endpoint_->layer(), endpoint_->sent_by());
    return {};
}

const sip::TransactionCounters& MethodLoadDriver::transaction_counters() const {
    return endpoint_->layer().counters();
}
std::uint64_t MethodLoadDriver::datagrams_sent() const {
    return endpoint_->transport().datagrams_sent();
}
std::uint64_t MethodLoadDriver::datagrams_received() const {
    return endpoint_->transport().datagrams_received();
}
std::uint64_t MethodLoadDriver::kernel_drops() const {
    return endpoint_->transport().kernel_drops();
}

void MethodLoadDriver::start(std::function<void()> on_finished) {
    on_finished_ = std::move(on_finished);
    const TimePoint now = Clock::now();
    load_->start(now);
    rearm(now);
    check_finished();
}

void MethodLoadDriver::stop(std::chrono::milliseconds grace) {
    if (closed_) return;
    load_->stop(Clock::now());
    check_finished();
    grace_timer_.expires_after(grace);
    grace_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) finish();
    });
}

void MethodLoadDriver::rearm(TimePoint now) {
    if (closed_) return;
    auto next = load_->next_deadline();
    if (!next) {
        armed_at_ = TimePoint::max();
        timer_.cancel();
        return;
    }
    // At most one wake-up per tick; every due time is computed from the load's t0, so a
    // late wake-up sends what is due and the schedule does not drift (as in CallBatch).
    const TimePoint target = std::max({*next, now, last_wake_ + options_.tick});
    if (armed_at_ <= target) return;
    armed_at_ = target;
    timer_.expires_at(armed_at_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        armed_at_ = TimePoint::max();
        wake(Clock::now());
    });
}

void MethodLoadDriver::wake(TimePoint now) {
    last_wake_ = now;
    load_->advance(now);
    rearm(now);
    check_finished();
}

void MethodLoadDriver::check_finished() {
    if (closed_ || finish_posted_ || !load_->finished()) return;
    // Posted: we may be inside the endpoint's receive handler, and finishing closes it.
    finish_posted_ = true;
    boost::asio::post(io_, [this] { finish(); });
}

void MethodLoadDriver::finish() {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    grace_timer_.cancel();
    endpoint_->close();
    if (on_finished_) on_finished_();
}

void MethodLoadDriver::on_response(sip::TransactionId id, std::uint64_t cookie,
                                   const sip::Message& r) {
    load_->on_response(id, cookie, r);
    check_finished();
}
void MethodLoadDriver::on_client_timeout(sip::TransactionId id, std::uint64_t cookie,
                                         sip::TransactionTimer t) {
    load_->on_client_timeout(id, cookie, t);
    check_finished();
}
void MethodLoadDriver::on_transport_error(sip::TransactionId id, std::uint64_t cookie) {
    load_->on_transport_error(id, cookie);
    check_finished();
}
void MethodLoadDriver::on_request(sip::TransactionId id, const sip::Message& request,
                                  const sip::Address& from) {
    load_->on_request(id, request, from);
}
void MethodLoadDriver::on_ack(const sip::Message& ack, const sip::Address& from) {
    load_->on_ack(ack, from);
}

}  // namespace pbxbench::uac
