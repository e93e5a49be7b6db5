#pragma once
// The UAC call core over the fake network and clock: the core (with a recording media fake) on
// one transaction layer at 10.0.0.1:5060, and at 10.0.0.2:5060 either a real UasAgent or a
// hand-written Phone that challenges, registers, refuses and sends in-dialog requests of its own.
// The rig jumps the clock from one deadline to the next, so 30 s of Timer B cost nothing.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/unit/support/test_agents.hpp"
#include "tests/unit/support/uac_phone.hpp"
#include "uac/call_core.hpp"
#include "uas/uas_agent.hpp"

namespace pbxbench::test {

// Records what the core asks of the media layer; every stream reports `source` as its RTP source.
class FakeMedia final : public uac::UacMedia {
  public:
    struct Target {
        std::uint32_t id;
        sip::MediaEndpoint remote;
    };
    std::vector<std::uint32_t> allocated;
    std::vector<Target> started;
    std::vector<Target> retargeted;
    std::vector<std::uint32_t> stopped;
    std::vector<std::uint32_t> ended;
    std::optional<uac::UacRtpSource> source;
    bool exhausted = false;  // allocate() finds no free port
    // Set: an ended stream stays counted in streams() for linger() after its end, as the
    // engine's do (late echoes still count); unset: it is freed at once.
    const TimePoint* clock = nullptr;

    std::optional<uac::UacMediaSlot> allocate() override {
        if (exhausted) return std::nullopt;
        const auto id = static_cast<std::uint32_t>(allocated.size() + 1);
        allocated.push_back(id);
        ++live_;
        return uac::UacMediaSlot{id, static_cast<std::uint16_t>(30000 + 2 * id), 0x1000 + id};
    }
    void start(std::uint32_t id, const sip::MediaEndpoint& remote, sip::TimePoint) override {
        started.push_back({id, remote});
    }
    void retarget(std::uint32_t id, const sip::MediaEndpoint& remote) override {
        retargeted.push_back({id, remote});
    }
    struct Directions {
        std::uint32_t id;
        bool may_send;
        bool expect_receive;
        TimePoint at;
    };
    std::vector<Directions> directions;
    void set_directions(std::uint32_t id, bool may_send, bool expect_receive,
                        sip::TimePoint now) override {
        directions.push_back({id, may_send, expect_receive, now});
    }
    void stop_sending(std::uint32_t id) override { stopped.push_back(id); }
    std::optional<uac::UacRtpSource> rtp_source(std::uint32_t) const override { return source; }
    // What receive_progress() reports for every started stream.
    uac::UacReceiveProgress progress;
    std::optional<uac::UacReceiveProgress> receive_progress(std::uint32_t id) const override {
        for (const auto& s : started)
            if (s.id == id) return progress;
        return std::nullopt;
    }
    void end(std::uint32_t id, sip::TimePoint now) override {
        ended.push_back(id);
        ended_at.push_back(now);
        --live_;
    }
    std::size_t streams() const override {
        std::size_t lingering = 0;
        if (clock)
            for (auto t : ended_at) lingering += *clock < t + linger();
        return live_ + lingering;
    }
    std::vector<TimePoint> ended_at;
    std::chrono::milliseconds linger() const override { return std::chrono::milliseconds(200); }

  private:
    std::size_t live_ = 0;
};

// Forwards the far end's transaction events, recording the requests it saw (each server
// transaction once): "what the UAS saw".
struct Tap final : sip::TransactionUser {
    sip::TransactionUser* inner = nullptr;
    std::vector<std::string> requests;

    void on_request(sip::TransactionId id, const sip::Message& r, const Address& a) override {
        requests.emplace_back(r.raw());
        inner->on_request(id, r, a);
    }
    void on_ack(const sip::Message& m, const Address& a) override { inner->on_ack(m, a); }
    void on_response(sip::TransactionId id, std::uint64_t c, const sip::Message& r) override {
        inner->on_response(id, c, r);
    }
    void on_client_timeout(sip::TransactionId id, std::uint64_t c,
                           sip::TransactionTimer t) override {
        inner->on_client_timeout(id, c, t);
    }
    void on_transport_error(sip::TransactionId id, std::uint64_t c) override {
        inner->on_transport_error(id, c);
    }
    void on_server_timeout(sip::TransactionId id, sip::TransactionTimer t) override {
        inner->on_server_timeout(id, t);
    }

    // The initial INVITEs seen, parsed.
    std::vector<sip::Message> invites() const {
        std::vector<sip::Message> out;
        for (const auto& raw : requests) {
            auto m = sip::Message::parse(raw);
            if (m && m->method() == sip::Method::invite && m->to().tag().empty())
                out.push_back(std::move(*m));
        }
        return out;
    }
};

// Options for calls to bob at the far end, one call held 1 s, no media ports needed.
inline uac::BatchOptions rig_options() {
    uac::BatchOptions o;
    o.target_uri = "sip:bob@10.0.0.2:5060";
    o.next_hop = fake_address("10.0.0.2", 5060);
    o.total = 1;
    o.cps = 10;
    o.hold = std::chrono::milliseconds(1000);
    o.call_id_prefix = "t1";
    return o;
}

// A population of named callers (password "pw-USER") and callees in domain pbx.test.
inline uac::Population population(std::vector<std::string> callers,
                                  std::vector<std::string> callees) {
    uac::Population p;
    for (auto& c : callers) p.callers.push_back({c, "pw-" + c});
    p.callees = std::move(callees);
    p.domain = "pbx.test";
    return p;
}

enum class WithMedia { yes, no };

struct UacRig {
    FakeNetwork net;
    FakeSink uac_sink{net, fake_address("10.0.0.1", 5060)};
    FakeSink peer_sink{net, fake_address("10.0.0.2", 5060)};
    FakeMedia media;
    Phone phone;
    std::unique_ptr<uas::UasAgent> uas;
    Tap tap;
    uac::UacCore core;
    sip::TransactionLayer uac_layer;
    sip::TransactionLayer peer_layer;
    int ready = 0;     // on_ready calls
    int finished = 0;  // on_finished calls
    // Checked when on_ready fires (e.g. that every caller registered first).
    std::function<void()> at_ready;

    // The far end is a UasAgent when `uas_config` is given, else the Phone.
    explicit UacRig(uac::BatchOptions o, std::optional<uas::AgentConfig> uas_config = {},
                    WithMedia with_media = WithMedia::yes)
        : core(std::move(o), with_media == WithMedia::yes ? &media : nullptr,
               [this] { return net.now; }),
          uac_layer(uac_sink, core, core.options().timers),
          peer_layer(peer_sink, tap, core.options().timers) {
        if (uas_config) {
            uas_config->user = "bob";
            uas_config->media_address = "10.0.0.2";
            uas = std::make_unique<uas::UasAgent>(*uas_config, [this] { return net.now; });
            uas->attach(peer_layer, "10.0.0.2:5060");
            tap.inner = uas.get();
        } else {
            tap.inner = &phone;
        }
        phone.layer = &peer_layer;
        phone.net = &net;
        phone.uac = uac_sink.self();
        core.on_ready = [this] {
            ++ready;
            if (at_ready) at_ready();
            core.begin_calls(net.now, net.now);
        };
        core.on_finished = [this] { ++finished; };
        core.attach(uac_layer, "10.0.0.1:5060", "10.0.0.1");
    }

    void start() { core.start(net.now); }

    // Delivers what is due, then fires every timer due now.
    void step() {
        for (auto& dg : net.take_due()) {
            if (dg.to == uac_sink.self()) {
                uac_layer.receive(dg.bytes, dg.from, net.now);
            } else if (dg.to == peer_sink.self()) {
                peer_layer.receive(dg.bytes, dg.from, net.now);
            }
        }
        uac_layer.advance(net.now);
        peer_layer.advance(net.now);
        if (uas) uas->advance(net.now);
        core.advance(net.now);
    }

    // Runs until `done()` holds or `limit` of simulated time passed, jumping from one deadline
    // to the next (at least 1 ms at a time). Returns done().
    template <class Done>
    bool run_until(Done done, sip::Duration limit = std::chrono::seconds(300)) {
        const TimePoint until = net.now + limit;
        for (;;) {
            step();
            if (done()) return true;
            if (net.now >= until) return false;
            TimePoint next = until;
            auto consider = [&](std::optional<TimePoint> t) {
                if (t && *t < next) next = *t;
            };
            consider(net.next_delivery());
            consider(uac_layer.next_deadline());
            consider(peer_layer.next_deadline());
            consider(core.next_deadline());
            if (uas) consider(uas->next_deadline());
            net.now = std::max(next, net.now + std::chrono::milliseconds(1));
        }
    }
    void run_for(sip::Duration d) {
        const TimePoint until = net.now + d;
        run_until([&] { return net.now >= until; }, d);
    }
    // Starts and runs until the core finished; false if it did not within `limit`.
    bool run(sip::Duration limit = std::chrono::seconds(300)) {
        start();
        return run_until([&] { return core.finished(); }, limit);
    }

    const uac::CallStats& stats() const { return core.stats(); }
    std::uint64_t count(uac::Outcome o) const { return core.stats().count(o); }
    std::uint64_t ended() const {
        std::uint64_t n = 0;
        for (auto v : core.stats().outcomes) n += v;
        return n;
    }
    // The requests the core sent, parsed, retransmissions included.
    std::vector<sip::Message> sent(std::string_view method) const {
        return requests_from(uac_sink.self(), method);
    }
    // The requests the far end sent.
    std::vector<sip::Message> peer_sent(std::string_view method) const {
        return requests_from(peer_sink.self(), method);
    }
    std::vector<sip::Message> requests_from(const Address& from, std::string_view method) const {
        std::vector<sip::Message> out;
        for (const auto& d : net.log) {
            if (!(d.from == from)) continue;
            auto m = sip::Message::parse(d.bytes);
            if (m && m->is_request() && m->method_token() == method) out.push_back(std::move(*m));
        }
        return out;
    }
    // The responses the core sent with this status, parsed.
    std::vector<sip::Message> replies(int status, std::string_view method) const {
        std::vector<sip::Message> out;
        for (const auto& d : net.log) {
            if (!(d.from == uac_sink.self())) continue;
            auto m = sip::Message::parse(d.bytes);
            if (m && m->is_response() && m->status() == status && m->cseq().method_token == method)
                out.push_back(std::move(*m));
        }
        return out;
    }
    // The Call-ID of the only call the Phone answered.
    std::string answered_call() const {
        return phone.dialogs.empty() ? std::string{} : phone.dialogs.begin()->first;
    }
};

}  // namespace pbxbench::test
