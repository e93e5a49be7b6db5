// The OPTIONS load core over the fake network: pings at a rate to the PBX and through it to
// users, a challenge answered once, failures by status and timeout, the wind-down at stop.
#include <gtest/gtest.h>

#include "tests/unit/support/fake_registrar.hpp"
#include "tests/unit/support/test_agents.hpp"
#include "uac/options_load.hpp"

namespace pbxbench::test {
namespace {

using uac::OptionsLoad;
using uac::OptionsLoadOptions;

struct OptionsLoadRig {
    FakeNetwork net;
    FakeSink client_sink{net, fake_address("10.0.0.1", 5070)};
    FakeSink pbx_sink{net, fake_address("10.0.0.9", 5060)};
    FakeBindingRegistrar pbx;
    sip::TransactionLayer pbx_layer{pbx_sink, pbx};
    std::unique_ptr<OptionsLoad> load;
    std::unique_ptr<sip::TransactionLayer> client_layer;

    OptionsLoadRig(std::vector<std::string> targets, double rate, std::uint64_t count = 0,
                   std::string password = {}) {
        OptionsLoadOptions o;
        o.next_hop = pbx_sink.self();
        o.targets = std::move(targets);
        o.rate = rate;
        o.count = count;
        o.domain = "test.example";
        o.password = std::move(password);
        load = std::make_unique<OptionsLoad>(o, [this] { return net.now; });
        client_layer = std::make_unique<sip::TransactionLayer>(client_sink, *load);
        load->attach(*client_layer, "10.0.0.1:5070");
        pbx.layer = &pbx_layer;
        pbx.net = &net;
    }

    void run_for(sip::Duration d) {
        const TimePoint until = net.now + d;
        while (net.now < until) {
            for (auto& dg : net.take_due()) {
                auto& layer = dg.to == client_sink.self() ? *client_layer : pbx_layer;
                layer.receive(dg.bytes, dg.from, net.now);
            }
            client_layer->advance(net.now);
            pbx_layer.advance(net.now);
            if (auto next = load->next_deadline(); next && *next <= net.now) load->advance(net.now);
            net.now += 1ms;
        }
    }
};

TEST(OptionsLoad, PingsThePbxAndUsersInTurnAtTheRate) {
    OptionsLoadRig rig({"sip:10.0.0.9:5060", "sip:1000@test.example"}, 20);
    rig.pbx.bindings["1000"] = "sip:1000@10.0.0.5:5060";
    rig.load->start(rig.net.now);
    rig.run_for(995ms);
    auto r = rig.load->report();
    EXPECT_EQ(r.method, "options");
    EXPECT_EQ(r.sent, 20u);
    EXPECT_EQ(r.ok, 20u);
    EXPECT_EQ(r.counters["to_pbx"], 10u);
    EXPECT_EQ(r.counters["to_users"], 10u);
    ASSERT_EQ(r.latency_ms.size(), 20u);
    EXPECT_DOUBLE_EQ(r.latency_ms.front(), 2.0);
    EXPECT_FALSE(rig.load->finished()) << "runs until stop() without a count";
    rig.load->stop(rig.net.now);
    EXPECT_TRUE(rig.load->finished());
    rig.run_for(1s);
    EXPECT_EQ(rig.load->report().sent, 20u) << "no pings after stop()";
}

TEST(OptionsLoad, AnUnknownUserIsAFailureByStatus) {
    OptionsLoadRig rig({"sip:2000@test.example"}, 100, 3);
    rig.load->start(rig.net.now);
    rig.run_for(1s);
    auto r = rig.load->report();
    EXPECT_EQ(r.failed, 3u);
    EXPECT_EQ(r.failures["404"], 3u);
    EXPECT_TRUE(rig.load->finished()) << "a count ends the schedule";
}

TEST(OptionsLoad, AChallengeIsAnsweredOncePerPing) {
    OptionsLoadRig rig({"sip:10.0.0.9:5060"}, 100, 2, "secret");
    rig.pbx.challenge_options = true;
    rig.load->start(rig.net.now);
    rig.run_for(1s);
    auto r = rig.load->report();
    EXPECT_EQ(r.ok, 2u);
    EXPECT_EQ(r.sent, 2u);
    EXPECT_EQ(r.counters["challenges"], 2u);
    ASSERT_EQ(r.latency_ms.size(), 2u);
    EXPECT_DOUBLE_EQ(r.latency_ms.front(), 4.0) << "the challenge round trip counts";
}

TEST(OptionsLoad, WithoutCredentialsAChallengeIsAFailure) {
    OptionsLoadRig rig({"sip:10.0.0.9:5060"}, 100, 1);
    rig.pbx.challenge_options = true;
    rig.load->start(rig.net.now);
    rig.run_for(1s);
    EXPECT_EQ(rig.load->report().failures["407"], 1u);
}

TEST(OptionsLoad, SilenceTimesOutAndStopWaitsForIt) {
    OptionsLoadRig rig({"sip:10.0.0.9:5060"}, 100, 0);
    rig.pbx.answer_options = false;
    rig.load->start(rig.net.now);
    rig.run_for(15ms);
    rig.load->stop(rig.net.now);
    EXPECT_FALSE(rig.load->finished()) << "pings in flight end first";
    rig.run_for(33s);
    auto r = rig.load->report();
    EXPECT_TRUE(rig.load->finished());
    EXPECT_EQ(r.sent, 2u);
    EXPECT_EQ(r.failures["timeout"], 2u);
}

TEST(OptionsLoad, ALostDatagramIsRetransmitted) {
    for (std::size_t lost = 0; lost < 4; ++lost) {
        OptionsLoadRig rig({"sip:10.0.0.9:5060"}, 100, 2);
        rig.net.policy = [lost](std::size_t n, const Datagram&) {
            return n == lost ? Fault::drop : Fault::none;
        };
        rig.load->start(rig.net.now);
        rig.run_for(2s);
        EXPECT_EQ(rig.load->report().ok, 2u) << "lost datagram " << lost;
        EXPECT_TRUE(rig.load->finished()) << "lost datagram " << lost;
    }
}

}  // namespace
}  // namespace pbxbench::test
