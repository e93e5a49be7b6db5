#include "uac/method_load_runner.hpp"

#include "uac/message_load.hpp"
#include "uac/method_load_json.hpp"

#include <algorithm>

#include "uac/register_load.hpp"

namespace pbxbench::uac {

using sip::Clock;
using sip::TimePoint;

// A load is the TransactionUser of its endpoint, so events go to it without demultiplexing.
struct MethodLoadRunner::Slot {
    std::unique_ptr<MethodLoad> load;
    std::unique_ptr<sip::Endpoint> endpoint;
};

MethodLoadRunner::MethodLoadRunner(boost::asio::io_context& io, MethodLoadRunnerOptions options)
    : io_(io), options_(std::move(options)), timer_(io), poll_timer_(io) {}

MethodLoadRunner::~MethodLoadRunner() = default;

Result<void> MethodLoadRunner::add(std::unique_ptr<MethodLoad> load) {
    sip::EndpointOptions eo;
    eo.bind = options_.bind;
    eo.timers = options_.timers;
    // Transaction timers only (T1 = 500 ms): a coarse tick saves wake-ups, which dominated an
    // idle-ish REGISTER load's CPU (perf: 23% in the scheduler's context switch).
    eo.tick = std::max(options_.tick, std::chrono::milliseconds(50));
    eo.udp.receive_buffer_bytes = options_.receive_buffer_bytes;
    auto e = sip::Endpoint::open(io_, *load, eo);
    if (!e) return tl::unexpected(e.error());
    load->attach((*e)->layer(), (*e)->sent_by());
    slots_.push_back(std::make_unique<Slot>(Slot{std::move(load), std::move(*e)}));
    return {};
}

void MethodLoadRunner::start(std::function<void()> on_finished) {
    on_finished_ = std::move(on_finished);
    started_at_ = Clock::now();
    for (auto& s : slots_) s->load->start(started_at_);
    rearm();
    poll();
}

void MethodLoadRunner::release() {
    released_ = true;
}

void MethodLoadRunner::stop() {
    released_ = true;
    if (!stopping_) stop_loads();
}

bool MethodLoadRunner::may_stop() const {
    if (!released_ || Clock::now() - started_at_ < options_.min_duration) return false;
    // A registration storm is over only when every user has had its answer.
    for (const auto& s : slots_)
        if (auto* r = dynamic_cast<const RegisterLoad*>(s->load.get()); r && !r->all_answered())
            return false;
    // A MESSAGE load has a count: it is over once every MESSAGE went out (a stop at the exact
    // span would cut off the last one, due just before it).
    for (const auto& s : slots_)
        if (auto* m = dynamic_cast<const MessageLoad*>(s->load.get());
            m && m->report().sent < m->options().total)
            return false;
    return true;
}

void MethodLoadRunner::stop_loads() {
    stopping_ = true;
    stopped_at_ = Clock::now();
    grace_from_ = stopped_at_;
    for (auto& s : slots_) s->load->stop(stopped_at_);
    rearm();
}

// Stop conditions depend on time and on answers; a coarse poll keeps that out of the hot path.
void MethodLoadRunner::poll() {
    poll_timer_.expires_after(std::chrono::milliseconds(100));
    poll_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || finished_) return;
        if (!stopping_ && may_stop()) stop_loads();
        // Answers from the network schedule work too (a refresh after a 200) and MethodLoad has
        // no callback for that: pick it up here. rearm() only re-arms for an earlier deadline.
        rearm();
        bool all_done = stopping_;
        bool winding_down = false;  // a paced wind-down (un-REGISTERs) still has requests to send
        for (const auto& s : slots_) {
            all_done = all_done && s->load->finished();
            winding_down = winding_down || s->load->next_deadline().has_value();
        }
        // The grace period counts from the last scheduled wind-down request, not from stop.
        if (winding_down) grace_from_ = Clock::now();
        if (all_done || (stopping_ && Clock::now() - grace_from_ > options_.grace)) {
            finish();
            return;
        }
        poll();
    });
}

void MethodLoadRunner::rearm() {
    std::optional<TimePoint> next;
    for (const auto& s : slots_)
        if (auto d = s->load->next_deadline(); d && (!next || *d < *next)) next = d;
    if (!next || finished_) {
        armed_at_ = TimePoint::max();
        timer_.cancel();
        return;
    }
    // At most one wake-up per tick, as the call batch does: fewer, larger bursts.
    const TimePoint target = std::max({*next, Clock::now(), last_wake_ + options_.tick});
    if (armed_at_ <= target) return;
    armed_at_ = target;
    timer_.expires_at(target);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        armed_at_ = TimePoint::max();
        wake();
    });
}

void MethodLoadRunner::wake() {
    last_wake_ = Clock::now();
    for (auto& s : slots_) s->load->advance(last_wake_);
    rearm();
}

void MethodLoadRunner::finish() {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    poll_timer_.cancel();
    for (auto& s : slots_) s->endpoint->close();
    if (on_finished_) on_finished_();
}

std::vector<MethodLoadReport> MethodLoadRunner::reports() const {
    std::vector<MethodLoadReport> out;
    for (const auto& s : slots_) out.push_back(s->load->report());
    return out;
}

std::uint64_t MethodLoadRunner::failed() const {
    std::uint64_t n = 0;
    for (const auto& s : slots_) {
        const MethodLoadReport r = s->load->report();
        // Requests still unanswered when the grace ran out did not succeed either.
        const auto unanswered = r.counters.find("unanswered");
        n += r.failed + (unanswered == r.counters.end() ? 0 : unanswered->second);
    }
    return n;
}

nlohmann::json MethodLoadRunner::summary_json() const {
    nlohmann::json out = nlohmann::json::object();
    const TimePoint end = stopping_ ? stopped_at_ : Clock::now();
    const double active_s = std::chrono::duration<double>(end - started_at_).count();
    for (const auto& s : slots_) {
        nlohmann::json j = method_report_json(s->load->report(), active_s);
        const auto& t = s->endpoint->layer().counters();
        j["transactions"] = {{"retransmissions_sent", t.retransmissions_sent},
                             {"timeouts", t.timeouts},
                             {"stray_responses", t.stray_responses}};
        j["sip_datagrams"] = {{"sent", s->endpoint->transport().datagrams_sent()},
                              {"received", s->endpoint->transport().datagrams_received()}};
        j["local"] = s->endpoint->sent_by();
        out[s->load->report().method] = std::move(j);
    }
    return out;
}

nlohmann::json MethodLoadRunner::progress_json() const {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& s : slots_) {
        const MethodLoadReport r = s->load->report();
        nlohmann::json j = {{"sent", r.sent}, {"ok", r.ok}, {"failed", r.failed}};
        if (auto* reg = dynamic_cast<const RegisterLoad*>(s->load.get()))
            j["bindings"] = reg->bindings();
        out[r.method] = std::move(j);
    }
    return out;
}

}  // namespace pbxbench::uac
