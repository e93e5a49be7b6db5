// The REGISTER client against a fake digest registrar on the fake network and clock:
// challenges, wrong passwords, stale nonces, 423, refresh timing, un-REGISTER, loss.
#include <gtest/gtest.h>

#include "sip/digest.hpp"
#include "sip/registration.hpp"
#include "tests/unit/support/test_agents.hpp"

namespace pbxbench::test {
namespace {

using sip::Registration;
using State = Registration::State;

// Challenges every REGISTER without valid credentials for its current nonce, then binds.
struct FakeRegistrar final : sip::TransactionUser {
    sip::TransactionLayer* layer = nullptr;
    FakeNetwork* net = nullptr;
    std::string password = "secret";
    bool use_407 = false;
    bool stale_next = false;        // answer the next valid credentials with stale=true
    std::uint32_t min_expires = 0;  // 423 below this
    std::uint32_t max_expires = 3600;
    bool expires_in_header = false;  // grant via Expires header, not the Contact param
    std::string nonce = "n0";
    int nonces = 0;
    std::vector<std::string> requests;  // every REGISTER received, raw

    void on_request(sip::TransactionId id, const sip::Message& req, const Address&) override {
        requests.emplace_back(req.raw());
        auto credentials =
            req.header(use_407 ? sip::HeaderId::proxy_authorization : sip::HeaderId::authorization);
        auto fields = sip::parse_authorization(credentials);
        bool valid = fields && fields->nonce == nonce &&
                     sip::verify_authorization(*fields, password, "REGISTER");
        const bool stale = valid && stale_next;
        if (!valid || stale) {
            if (stale) stale_next = false;
            nonce = "n" + std::to_string(++nonces);
            auto b = sip::response_to(req, use_407 ? 407 : 401, "r1");
            b.header(use_407 ? "Proxy-Authenticate" : "WWW-Authenticate",
                     "Digest realm=\"test\", nonce=\"", nonce, "\", qop=\"auth\", algorithm=MD5",
                     stale ? std::string_view(", stale=true") : std::string_view{});
            layer->respond(id, b.finish(), use_407 ? 407 : 401, net->now);
            return;
        }
        auto expires = sip::parse_uint(req.header(sip::HeaderId::expires)).value_or(3600);
        if (expires != 0 && expires < min_expires) {
            auto b = sip::response_to(req, 423, "r1");
            b.header("Min-Expires", min_expires);
            layer->respond(id, b.finish(), 423, net->now);
            return;
        }
        auto b = sip::response_to(req, 200, "r1");
        auto contact = sip::parse_name_addr(req.header(sip::HeaderId::contact));
        std::uint64_t granted = std::min<std::uint64_t>(expires, max_expires);
        if (granted > 0 && expires_in_header) {
            b.header("Contact", "<", contact->uri, ">");
            b.header("Expires", granted);
        } else if (granted > 0) {
            b.header("Contact", "<", contact->uri, ">;expires=", granted);
        }
        layer->respond(id, b.finish(), 200, net->now);
    }
    void on_ack(const sip::Message&, const Address&) override {}
    void on_response(sip::TransactionId, std::uint64_t, const sip::Message&) override {}
    void on_client_timeout(sip::TransactionId, std::uint64_t, sip::TransactionTimer) override {}
    void on_transport_error(sip::TransactionId, std::uint64_t) override {}
};

// The owner a Registration needs: forwards its transactions' events.
struct Owner final : sip::TransactionUser {
    Registration* reg = nullptr;
    FakeNetwork* net = nullptr;
    void on_response(sip::TransactionId id, std::uint64_t, const sip::Message& r) override {
        if (id != 0) reg->on_response(r, net->now);
    }
    void on_client_timeout(sip::TransactionId id, std::uint64_t, sip::TransactionTimer t) override {
        reg->on_timeout(id, t);
    }
    void on_transport_error(sip::TransactionId id, std::uint64_t) override {
        reg->on_transport_error(id);
    }
    void on_request(sip::TransactionId, const sip::Message&, const Address&) override {}
    void on_ack(const sip::Message&, const Address&) override {}
};

struct RegistrationRig {
    FakeNetwork net;
    FakeSink client_sink{net, fake_address("10.0.0.1", 5060)};
    FakeSink registrar_sink{net, fake_address("10.0.0.9", 5060)};
    Owner owner;
    FakeRegistrar registrar;
    sip::TransactionLayer client_layer{client_sink, owner};
    sip::TransactionLayer registrar_layer{registrar_sink, registrar};
    std::unique_ptr<Registration> reg;

    explicit RegistrationRig(std::chrono::seconds expires = 60s, std::string password = "secret") {
        sip::RegistrationConfig c;
        c.registrar = registrar_sink.self();
        c.registrar_uri = "sip:test.example";
        c.user = "bob";
        c.password = std::move(password);
        c.domain = "test.example";
        c.contact_uri = "sip:bob@10.0.0.1:5060";
        c.expires = expires;
        reg = std::make_unique<Registration>(client_layer, "10.0.0.1:5060", c, 7);
        owner.reg = reg.get();
        owner.net = &net;
        registrar.layer = &registrar_layer;
        registrar.net = &net;
    }

    void run_for(sip::Duration d) {
        TimePoint until = net.now + d;
        while (net.now < until) {
            for (auto& dg : net.take_due()) {
                auto& layer = dg.to == client_sink.self() ? client_layer : registrar_layer;
                layer.receive(dg.bytes, dg.from, net.now);
            }
            client_layer.advance(net.now);
            registrar_layer.advance(net.now);
            reg->advance(net.now);
            net.now += std::chrono::milliseconds(1);
        }
    }

    sip::Message request(std::size_t i) const {
        return std::move(*sip::Message::parse(registrar.requests.at(i)));
    }
};

TEST(Registration, AnswersTheDigestChallengeAndRecordsTheGrant) {
    RegistrationRig rig;
    rig.reg->start(rig.net.now);
    EXPECT_EQ(rig.reg->state(), State::registering);
    rig.run_for(1s);
    ASSERT_EQ(rig.reg->state(), State::registered);
    EXPECT_EQ(rig.reg->last_status(), 200);
    EXPECT_EQ(rig.reg->granted_expires(), 60s);
    EXPECT_EQ(rig.reg->accepted_contact(), "<sip:bob@10.0.0.1:5060>;expires=60");
    ASSERT_EQ(rig.registrar.requests.size(), 2u);
    auto first = rig.request(0);
    auto second = rig.request(1);
    EXPECT_FALSE(first.has(sip::HeaderId::authorization));
    EXPECT_TRUE(second.has(sip::HeaderId::authorization));
    EXPECT_EQ(first.call_id(), second.call_id()) << "one Call-ID per binding (§10.2)";
    EXPECT_EQ(first.cseq().number + 1, second.cseq().number);
    EXPECT_EQ(first.from().tag(), second.from().tag());
    EXPECT_EQ(second.request_uri(), "sip:test.example");
    EXPECT_EQ(second.header(sip::HeaderId::expires), "60");
}

TEST(Registration, WrongPasswordFailsWithTheStatusKept) {
    RegistrationRig rig(60s, "not-the-password");
    rig.reg->start(rig.net.now);
    rig.run_for(2s);
    EXPECT_EQ(rig.reg->state(), State::failed);
    EXPECT_EQ(rig.reg->last_status(), 401);
    EXPECT_EQ(rig.reg->last_reason(), "Unauthorized");
    EXPECT_EQ(rig.reg->failure_hint(), "wrong password?");
    EXPECT_EQ(rig.registrar.requests.size(), 2u) << "no retry loop on refused credentials";
}

TEST(Registration, ProxyChallengeIsAnsweredWithProxyAuthorization) {
    RegistrationRig rig;
    rig.registrar.use_407 = true;
    rig.reg->start(rig.net.now);
    rig.run_for(1s);
    ASSERT_EQ(rig.reg->state(), State::registered);
    EXPECT_TRUE(rig.request(1).has(sip::HeaderId::proxy_authorization));
}

TEST(Registration, StaleNonceIsRetriedWithTheNewNonce) {
    RegistrationRig rig;
    rig.registrar.stale_next = true;
    rig.reg->start(rig.net.now);
    rig.run_for(1s);
    // 401, then valid credentials answered stale, then credentials for the new nonce.
    EXPECT_EQ(rig.registrar.requests.size(), 3u);
    EXPECT_EQ(rig.reg->state(), State::registered);
}

TEST(Registration, IntervalTooBriefRetriesWithMinExpires) {
    RegistrationRig rig(60s);
    rig.registrar.min_expires = 120;
    rig.reg->start(rig.net.now);
    rig.run_for(1s);
    ASSERT_EQ(rig.reg->state(), State::registered);
    EXPECT_EQ(rig.reg->granted_expires(), 120s);
    EXPECT_EQ(rig.request(rig.registrar.requests.size() - 1).header(sip::HeaderId::expires), "120");
}

TEST(Registration, GrantFromTheExpiresHeaderWhenTheContactHasNone) {
    RegistrationRig rig(600s);
    rig.registrar.expires_in_header = true;
    rig.registrar.max_expires = 300;
    rig.reg->start(rig.net.now);
    rig.run_for(1s);
    ASSERT_EQ(rig.reg->state(), State::registered);
    EXPECT_EQ(rig.reg->granted_expires(), 300s);
}

TEST(Registration, RefreshesAtEightyPercentOfTheGrant) {
    RegistrationRig rig(60s);
    TimePoint t0 = rig.net.now;
    rig.reg->start(rig.net.now);
    rig.run_for(1s);
    ASSERT_EQ(rig.reg->state(), State::registered);
    ASSERT_TRUE(rig.reg->next_deadline());
    // Granted at t0 + ~2 ms (one round trip of 1 ms each way, twice).
    auto due = *rig.reg->next_deadline() - t0;
    EXPECT_GE(due, 48s);
    EXPECT_LE(due, 48s + 10ms);
    rig.run_for(46s);
    EXPECT_EQ(rig.registrar.requests.size(), 2u);
    rig.run_for(2s);
    ASSERT_EQ(rig.registrar.requests.size(), 3u)
        << "the refresh reuses the nonce: no new challenge";
    EXPECT_EQ(rig.reg->state(), State::registered);
    EXPECT_EQ(rig.reg->successes(), 2u);
    auto refresh = rig.request(2);
    EXPECT_EQ(refresh.call_id(), rig.request(0).call_id());
    EXPECT_EQ(refresh.cseq().number, 3u);
    auto auth = sip::parse_authorization(refresh.header(sip::HeaderId::authorization));
    ASSERT_TRUE(auth);
    EXPECT_EQ(auth->nc, "00000002");
}

TEST(Registration, RefreshAfterANewChallengeSucceeds) {
    RegistrationRig rig(20s);
    rig.reg->start(rig.net.now);
    rig.run_for(1s);
    rig.registrar.nonce = "rotated";  // the registrar forgot our nonce
    rig.run_for(16s);                 // refresh at 15 s (expires - 5 s < 80%)
    EXPECT_EQ(rig.registrar.requests.size(), 4u);
    EXPECT_EQ(rig.reg->state(), State::registered);
    EXPECT_EQ(rig.reg->successes(), 2u);
}

TEST(Registration, UnregisterSendsExpiresZero) {
    RegistrationRig rig;
    rig.reg->start(rig.net.now);
    rig.run_for(1s);
    rig.reg->unregister(rig.net.now);
    EXPECT_EQ(rig.reg->state(), State::unregistering);
    rig.run_for(1s);
    EXPECT_EQ(rig.reg->state(), State::unregistered);
    auto last = rig.request(rig.registrar.requests.size() - 1);
    EXPECT_EQ(last.header(sip::HeaderId::expires), "0");
    EXPECT_EQ(last.header(sip::HeaderId::contact), "<sip:bob@10.0.0.1:5060>");
    EXPECT_FALSE(rig.reg->next_deadline()) << "no refresh after un-registering";
}

TEST(Registration, UnregisterWhileRegisteringWaitsForTheFirstAnswer) {
    RegistrationRig rig;
    rig.reg->start(rig.net.now);
    rig.reg->unregister(rig.net.now);
    rig.run_for(2s);
    EXPECT_EQ(rig.reg->state(), State::unregistered);
    EXPECT_EQ(rig.request(rig.registrar.requests.size() - 1).header(sip::HeaderId::expires), "0");
}

TEST(Registration, UnregisterFromIdleSendsNothing) {
    RegistrationRig rig;
    rig.reg->unregister(rig.net.now);
    EXPECT_EQ(rig.reg->state(), State::unregistered);
    rig.run_for(1s);
    EXPECT_TRUE(rig.registrar.requests.empty());
}

TEST(Registration, SilentRegistrarFailsAsTimeout) {
    RegistrationRig rig;
    rig.net.policy = [](std::size_t, const Datagram&) { return Fault::drop; };
    rig.reg->start(rig.net.now);
    rig.run_for(33s);
    EXPECT_EQ(rig.reg->state(), State::failed);
    EXPECT_EQ(rig.reg->last_status(), 408);
    EXPECT_NE(rig.reg->failure_hint().find("timer F"), std::string::npos);
}

TEST(Registration, SurvivesTheLossOfAnyOneDatagram) {
    for (std::size_t n = 0; n < 4; ++n) {
        RegistrationRig rig;
        rig.net.policy = [n](std::size_t i, const Datagram&) {
            return i == n ? Fault::drop : Fault::none;
        };
        rig.reg->start(rig.net.now);
        rig.run_for(10s);
        EXPECT_EQ(rig.reg->state(), State::registered) << "datagram " << n << " lost";
    }
}

TEST(Registration, RefreshDelay) {
    EXPECT_EQ(sip::refresh_delay(3600s), 2880s);
    EXPECT_EQ(sip::refresh_delay(60s), 48s);
    EXPECT_EQ(sip::refresh_delay(20s), 15s);
    EXPECT_EQ(sip::refresh_delay(6s), 3s) << "never before half the grant";
}

}  // namespace
}  // namespace pbxbench::test
