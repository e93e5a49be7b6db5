#include "uac/call_batch.hpp"

#include "media/media_engine.hpp"
#include "uac/engine_media.hpp"

namespace pbxbench::uac {

using sip::Clock;
using sip::TimePoint;

CallBatch::CallBatch(boost::asio::io_context& io, BatchOptions options)
    : io_(io), options_(std::move(options)), timer_(io) {
    // The core owns the call logic; it takes its options now so the Call-ID prefix it picks
    // is the one options() reports.
    core_ = std::make_unique<UacCore>(options_, nullptr, [] { return Clock::now(); });
    options_.call_id_prefix = core_->options().call_id_prefix;
}

CallBatch::~CallBatch() = default;

Result<void> CallBatch::open() {
    sip::EndpointOptions eo;
    eo.bind = options_.bind;
    eo.timers = options_.timers;
    eo.udp.receive_buffer_bytes = options_.receive_buffer_bytes;
    auto e = sip::Endpoint::open(io_, *this, eo);
    if (!e) return tl::unexpected(e.error());
    endpoint_ = std::move(*e);
    std::string sdp_host = endpoint_->local_address().host();
    if (!sdp_host.empty() && sdp_host.front() == '[')
        sdp_host = sdp_host.substr(1, sdp_host.size() - 2);
    if (options_.media) {
        if (options_.media_engine.bind_host.empty()) options_.media_engine.bind_host = sdp_host;
        sdp_host = options_.media_engine.bind_host;
        auto m =
            media::MediaEngine::open(io_, options_.media_engine,
                                     options_.audio ? *options_.audio : media::make_tone_source());
        if (!m) return tl::unexpected(m.error());
        media_ = std::move(*m);
        engine_media_ = std::make_unique<EngineMedia>(*media_, options_);
    }
    core_ = std::make_unique<UacCore>(options_, engine_media_.get(), [] { return Clock::now(); });
    core_->attach(endpoint_->layer(), endpoint_->sent_by(), sdp_host);
    core_->on_wake = [this](TimePoint now) { rearm(now); };
    core_->on_finished = [this] { finish(); };
    return {};
}

const sip::TransactionCounters& CallBatch::transaction_counters() const {
    return endpoint_->layer().counters();
}
const sip::Address& CallBatch::local_address() const {
    return endpoint_->local_address();
}
std::uint64_t CallBatch::kernel_drops() const {
    return endpoint_->transport().kernel_drops();
}
std::uint64_t CallBatch::datagrams_sent() const {
    return endpoint_->transport().datagrams_sent();
}
std::uint64_t CallBatch::datagrams_received() const {
    return endpoint_->transport().datagrams_received();
}

void CallBatch::start(std::function<void()> on_finished) {
    start_held([this] { begin(options_.t0 ? *options_.t0 : Clock::now()); },
               std::move(on_finished));
}

void CallBatch::start_held(std::function<void()> on_ready, std::function<void()> on_finished) {
    on_finished_ = std::move(on_finished);
    core_->on_ready = std::move(on_ready);
    const TimePoint now = Clock::now();
    core_->start(now);
    rearm(now);
}

void CallBatch::begin(TimePoint t0) {
    const TimePoint now = Clock::now();
    core_->begin_calls(t0, now);
    rearm(now);
}

void CallBatch::stop() {
    const TimePoint now = Clock::now();
    core_->stop(now);
    rearm(now);
}

void CallBatch::rearm(TimePoint now) {
    if (closed_) return;
    auto next = core_->next_deadline();
    if (!next) {
        armed_at_ = TimePoint::max();
        timer_.cancel();
        return;
    }
    // At most one wake-up per tick: a call starts at most one tick late, and since every start
    // time is computed from t0 the schedule never drifts. Fewer, larger bursts matter on VMs,
    // where waking the peer across CPUs dominates the cost of a datagram (docs/uac.md).
    TimePoint target = std::max({*next, now, last_wake_ + options_.tick});
    // A pending wake-up at or before the target recomputes everything when it fires, so only an
    // earlier target re-arms. Re-arming for "now" on every response once behind cost a
    // timerfd_settime each (61% of the UAC's time at 20,000 calls/s) and the lag snowballed.
    if (armed_at_ <= target) return;
    armed_at_ = target;
    timer_.expires_at(armed_at_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;  // re-armed or cancelled
        armed_at_ = TimePoint::max();
        wake(Clock::now());
    });
}

void CallBatch::wake(TimePoint now) {
    last_wake_ = now;
    core_->advance(now);
    rearm(now);
}

void CallBatch::finish() {
    if (closed_) return;
    closed_ = true;
    if (media_) media_->close();
    timer_.cancel();
    endpoint_->close();
    if (on_finished_) on_finished_();
}

}  // namespace pbxbench::uac
