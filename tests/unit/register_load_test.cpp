// The REGISTER load core over the fake network and clock: schedule, digest, refresh timing,
// RFC 3261 §10.2 misbehaviours (423, a shortened expiry, a 200 without our binding), timeouts,
// the un-REGISTER at stop, and a lost datagram at every step.
#include <gtest/gtest.h>

#include "tests/unit/support/fake_registrar.hpp"
#include "tests/unit/support/test_agents.hpp"
#include "uac/register_load.hpp"

namespace pbxbench::test {
namespace {

using uac::RegisterLoad;
using uac::RegisterLoadOptions;

struct RegisterLoadRig {
    FakeNetwork net;
    FakeSink client_sink{net, fake_address("10.0.0.1", 5070)};
    FakeSink registrar_sink{net, fake_address("10.0.0.9", 5060)};
    FakeBindingRegistrar registrar;
    sip::TransactionLayer registrar_layer{registrar_sink, registrar};
    std::unique_ptr<RegisterLoad> load;
    std::unique_ptr<sip::TransactionLayer> client_layer;

    explicit RegisterLoadRig(std::size_t users = 10, double rate = 10,
                             std::chrono::seconds expires = 60s, double refresh = 0.5,
                             std::string password = "secret") {
        RegisterLoadOptions o;
        o.registrar = registrar_sink.self();
        o.domain = "test.example";
        for (std::size_t i = 0; i < users; ++i)
            o.users.push_back({std::to_string(1000 + i), password});
        o.rate = rate;
        o.expires = expires;
        o.refresh_fraction = refresh;
        load = std::make_unique<RegisterLoad>(o, [this] { return net.now; });
        client_layer = std::make_unique<sip::TransactionLayer>(client_sink, *load);
        load->attach(*client_layer, "10.0.0.1:5070");
        registrar.layer = &registrar_layer;
        registrar.net = &net;
    }

    void run_for(sip::Duration d) {
        const TimePoint until = net.now + d;
        while (net.now < until) {
            for (auto& dg : net.take_due()) {
                auto& layer = dg.to == client_sink.self() ? *client_layer : registrar_layer;
                layer.receive(dg.bytes, dg.from, net.now);
            }
            client_layer->advance(net.now);
            registrar_layer.advance(net.now);
            if (auto next = load->next_deadline(); next && *next <= net.now) load->advance(net.now);
            net.now += 1ms;
        }
    }
    uac::MethodLoadReport report() const { return load->report(); }
};

TEST(RegisterLoad, RegistersEveryUserAtTheRateAnsweringTheChallenge) {
    RegisterLoadRig rig(10, 10);
    const TimePoint t0 = rig.net.now;
    rig.load->start(t0);
    rig.run_for(2s);
    auto r = rig.report();
    EXPECT_EQ(r.method, "register");
    EXPECT_EQ(r.sent, 10u);
    EXPECT_EQ(r.ok, 10u);
    EXPECT_EQ(r.failed, 0u);
    EXPECT_EQ(r.counters["challenges"], 10u);
    EXPECT_EQ(rig.load->bindings(), 10u);
    EXPECT_EQ(rig.registrar.bindings.size(), 10u);
    EXPECT_TRUE(rig.load->all_answered());
    ASSERT_EQ(r.latency_ms.size(), 10u);
    // Two round trips at 1 ms each way: the challenge is part of the latency.
    for (double ms : r.latency_ms) EXPECT_GE(ms, 4.0);
    // First REGISTERs arrive 100 ms apart (every other REGISTER answers a challenge).
    ASSERT_EQ(rig.registrar.register_times.size(), 20u);
    for (std::size_t i = 0; i < 10; ++i)
        EXPECT_EQ(rig.registrar.register_times[2 * i] - t0, 100ms * i + 1ms) << i;
    EXPECT_FALSE(rig.load->finished()) << "bindings are held until stop()";
}

TEST(RegisterLoad, RefreshesAtTheChosenFractionReusingTheNonce) {
    RegisterLoadRig rig(4, 100, 60s, 0.5);
    rig.load->start(rig.net.now);
    rig.run_for(29s);
    EXPECT_EQ(rig.report().counters["refreshes"], 0u);
    rig.run_for(2s);
    auto r = rig.report();
    EXPECT_EQ(r.counters["refreshes"], 4u);
    EXPECT_EQ(r.sent, 8u);
    EXPECT_EQ(r.ok, 8u);
    EXPECT_EQ(r.counters["challenges"], 4u) << "a refresh carries the kept nonce: no new 401";
    EXPECT_EQ(rig.load->bindings(), 4u);
}

TEST(RegisterLoad, AShortenedExpiryIsRefreshedAtTheGrant) {
    RegisterLoadRig rig(3, 100, 60s, 0.5);
    rig.registrar.max_expires = 20;
    rig.load->start(rig.net.now);
    rig.run_for(9s);
    EXPECT_EQ(rig.report().counters["refreshes"], 0u);
    rig.run_for(2s);
    auto r = rig.report();
    EXPECT_EQ(r.counters["refreshes"], 3u) << "refresh at half of the 20 s granted, not of 60 s";
    EXPECT_EQ(r.counters["expiry_shortened"], 6u);
}

TEST(RegisterLoad, IntervalTooBriefIsRetriedWithMinExpires) {
    RegisterLoadRig rig(3, 100, 60s);
    rig.registrar.min_expires = 120;
    rig.load->start(rig.net.now);
    rig.run_for(1s);
    auto r = rig.report();
    EXPECT_EQ(r.ok, 3u);
    EXPECT_EQ(r.failed, 0u);
    EXPECT_EQ(r.counters["retried_423"], 3u);
    EXPECT_EQ(r.sent, 3u) << "the retry is the same request";
    const std::string last = rig.registrar.requests.back();
    EXPECT_NE(last.find("Expires: 120"), std::string::npos) << last;
}

TEST(RegisterLoad, AnOkWithoutOurBindingIsAFailure) {
    RegisterLoadRig rig(3, 100);
    rig.registrar.echo_contact = false;
    rig.load->start(rig.net.now);
    rig.run_for(1s);
    auto r = rig.report();
    EXPECT_EQ(r.ok, 0u);
    EXPECT_EQ(r.failed, 3u);
    EXPECT_EQ(r.failures["no_binding"], 3u);
    EXPECT_EQ(r.counters["binding_missing"], 3u);
    EXPECT_EQ(rig.load->bindings(), 0u);
    EXPECT_TRUE(rig.load->all_answered());
}

TEST(RegisterLoad, AWrongPasswordFailsWithItsStatus) {
    RegisterLoadRig rig(2, 100, 60s, 0.5, "wrong");
    rig.load->start(rig.net.now);
    rig.run_for(1s);
    auto r = rig.report();
    EXPECT_EQ(r.failed, 2u);
    EXPECT_EQ(r.failures["401"], 2u);
}

TEST(RegisterLoad, ASilentRegistrarTimesOut) {
    RegisterLoadRig rig(2, 100);
    rig.net.policy = [&](std::size_t, const Datagram& d) {
        return d.to == rig.registrar_sink.self() ? Fault::drop : Fault::none;
    };
    rig.load->start(rig.net.now);
    rig.run_for(31s);
    EXPECT_EQ(rig.report().failed, 0u) << "timer F is 64*T1 = 32 s";
    rig.run_for(2s);
    auto r = rig.report();
    EXPECT_EQ(r.failed, 2u);
    EXPECT_EQ(r.failures["timeout"], 2u);
    EXPECT_TRUE(rig.load->all_answered());
}

TEST(RegisterLoad, ARefusedDatagramIsATransportFailure) {
    RegisterLoadRig rig(2, 100);
    rig.client_sink.fail_send = 1;
    rig.load->start(rig.net.now);
    rig.run_for(1s);
    auto r = rig.report();
    EXPECT_EQ(r.failures["transport"], 1u);
    EXPECT_EQ(r.ok, 1u);
}

TEST(RegisterLoad, StopUnregistersEveryBinding) {
    RegisterLoadRig rig(5, 100);
    rig.load->start(rig.net.now);
    rig.run_for(1s);
    ASSERT_EQ(rig.registrar.bindings.size(), 5u);
    const std::size_t before = rig.registrar.register_times.size();
    const TimePoint stopped = rig.net.now;
    rig.load->stop(stopped);
    EXPECT_FALSE(rig.load->finished());
    rig.run_for(1s);
    // Paced (at 500/s: faster than this load's 100/s), not a burst; the kept nonce needs no
    // new challenge.
    ASSERT_EQ(rig.registrar.register_times.size(), before + 5);
    for (std::size_t k = 0; k < 5; ++k)
        EXPECT_EQ(rig.registrar.register_times[before + k] - stopped, 2ms * k + 1ms) << k;
    auto r = rig.report();
    EXPECT_TRUE(rig.load->finished());
    EXPECT_EQ(r.counters["unregister_sent"], 5u);
    EXPECT_EQ(r.counters["unregistered"], 5u);
    EXPECT_EQ(r.counters["peak_bindings"], 5u);
    EXPECT_EQ(r.counters["bindings"], 0u);
    EXPECT_TRUE(rig.registrar.bindings.empty());
    EXPECT_EQ(r.sent, 5u) << "un-REGISTERs are counted apart";
}

TEST(RegisterLoad, StopDuringTheChallengeUnregistersAfterTheAnswer) {
    RegisterLoadRig rig(1, 100);
    rig.load->start(rig.net.now);
    rig.run_for(1ms);  // the first REGISTER is out, its 401 not yet in
    rig.load->stop(rig.net.now);
    rig.run_for(1s);
    auto r = rig.report();
    EXPECT_TRUE(rig.load->finished());
    EXPECT_TRUE(rig.registrar.bindings.empty());
    EXPECT_EQ(r.failures["stopped"], 1u);
    EXPECT_EQ(r.counters["unregistered"], 1u);
}

TEST(RegisterLoad, OptionsToOurBindingsAreAnswered) {
    RegisterLoadRig rig(1, 100);
    rig.load->start(rig.net.now);
    rig.run_for(100ms);
    sip::MessageBuilder b;
    b.request_line("OPTIONS", "sip:1000@10.0.0.1:5070");
    b.header("Via", "SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKopt1");
    b.header("From", "<sip:pbx@test.example>;tag=x");
    b.header("To", "<sip:1000@test.example>");
    b.header("Call-ID", "opt-1");
    b.header("CSeq", "1 OPTIONS");
    b.header("Max-Forwards", 70);
    rig.net.post(b.finish(), rig.registrar_sink.self(), rig.client_sink.self());
    rig.run_for(10ms);
    EXPECT_EQ(rig.report().counters["options_answered"], 1u);
    EXPECT_NE(rig.net.log.back().bytes.find("SIP/2.0 200"), std::string::npos);
}

// A lost datagram at every step: retransmissions carry each round through, and the wind-down
// still leaves the registrar empty.
TEST(RegisterLoad, ALostDatagramAtAnyStepStillRegistersAndUnregisters) {
    for (std::size_t lost = 0; lost < 12; ++lost) {
        RegisterLoadRig rig(2, 100);
        rig.net.policy = [lost](std::size_t n, const Datagram&) {
            return n == lost ? Fault::drop : Fault::none;
        };
        rig.load->start(rig.net.now);
        rig.run_for(5s);
        auto r = rig.report();
        EXPECT_EQ(r.ok, 2u) << "lost datagram " << lost;
        EXPECT_EQ(rig.registrar.bindings.size(), 2u) << "lost datagram " << lost;
        rig.load->stop(rig.net.now);
        rig.run_for(5s);
        EXPECT_TRUE(rig.load->finished()) << "lost datagram " << lost;
        EXPECT_TRUE(rig.registrar.bindings.empty()) << "lost datagram " << lost;
        EXPECT_EQ(rig.report().counters["unregistered"], 2u) << "lost datagram " << lost;
    }
}

}  // namespace
}  // namespace pbxbench::test
