// The MESSAGE load (RFC 3428 page mode) over the fake network: the exact count and schedule,
// each caller answering challenges with its own credentials, 202 as success, failures by
// status, timeout and transport, retransmissions never counted twice, latency, and every
// datagram of a run dropped in turn.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "sip/pbxbench_headers.hpp"
#include "tests/unit/support/message_rig.hpp"

namespace pbxbench::test {
namespace {

using ::testing::DoubleNear;
using ::testing::Each;
using ::testing::ElementsAre;

std::string user_of(std::string_view uri) {
    auto at = uri.find('@');
    auto colon = uri.find(':');
    return std::string(uri.substr(colon + 1, at - colon - 1));
}

// The first send of each MESSAGE (CSeq 1, no retransmission), in order.
std::vector<sip::Message> first_sends(const MessageRig& rig) {
    std::vector<sip::Message> out;
    std::set<std::string> seen;
    for (auto& m : rig.sent())
        if (seen.insert(std::string(m.top_via().branch())).second && m.cseq().number == 1)
            out.push_back(std::move(m));
    return out;
}

TEST(MessageLoad, SendsExactlyTotalOnTheScheduleFromCallerToCallee) {
    MessageRig rig(message_options({"alice", "carol"}, {"bob", "dave"}, 10, 5));
    const TimePoint t0 = rig.net.now;
    ASSERT_TRUE(rig.run());
    auto sends = first_sends(rig);
    ASSERT_EQ(sends.size(), 10u);
    std::set<std::string> ids;
    for (std::size_t i = 0; i < sends.size(); ++i) {
        const sip::Message& m = sends[i];
        EXPECT_EQ(m.method(), sip::Method::message);
        // Message i is due at t0 + i/rate exactly: the stamp is its send time.
        auto stamp = sip::parse_stamp(m.header(sip::sent_header));
        ASSERT_TRUE(stamp);
        EXPECT_EQ(*stamp, t0 + std::chrono::milliseconds(200) * static_cast<int>(i));
        ids.insert(std::string(m.header(sip::id_header)));
        EXPECT_EQ(user_of(m.from().uri), i % 2 == 0 ? "alice" : "carol");
        EXPECT_EQ(m.request_uri(), i % 2 == 0 ? "sip:bob@pbx.test" : "sip:dave@pbx.test");
        EXPECT_EQ(m.to().uri, m.request_uri());
        EXPECT_EQ(m.header(sip::HeaderId::content_type), "text/plain");
        EXPECT_EQ(m.body().size(), 100u);
        EXPECT_FALSE(m.has(sip::HeaderId::contact)) << "page mode: no dialog, no Contact";
    }
    EXPECT_EQ(ids.size(), 10u) << "every MESSAGE has its own id";
    auto r = rig.load.report();
    EXPECT_EQ(r.method, "message");
    EXPECT_EQ(r.sent, 10u);
    EXPECT_EQ(r.ok, 10u);
    EXPECT_EQ(r.failed, 0u);
    EXPECT_EQ(rig.peer.accepted.size(), 10u);
    // One-way latency 1 ms each way on the fake network.
    EXPECT_THAT(r.latency_ms, Each(DoubleNear(2.0, 1e-9)));
    EXPECT_EQ(r.latency_ms.size(), 10u);
}

TEST(MessageLoad, NothingIsSentBeforeItsTime) {
    MessageRig rig(message_options({"alice"}, {"bob"}, 3, 1));
    rig.load.start(rig.net.now);
    EXPECT_EQ(rig.load.report().sent, 1u);
    EXPECT_EQ(rig.load.next_deadline(), rig.net.now + std::chrono::seconds(1));
    rig.net.now += std::chrono::milliseconds(999);
    rig.step();
    EXPECT_EQ(rig.load.report().sent, 1u);
    rig.net.now += std::chrono::milliseconds(1);
    rig.step();
    EXPECT_EQ(rig.load.report().sent, 2u);
}

TEST(MessageLoad, EachCallerAnswersTheProxyChallengeWithItsOwnCredentialsThenReusesTheNonce) {
    MessageRig rig(message_options({"alice", "carol"}, {"bob"}, 6, 10));
    rig.peer.auth = MessagePeer::Auth::proxy;
    ASSERT_TRUE(rig.run());
    auto r = rig.load.report();
    EXPECT_EQ(r.sent, 6u) << "a challenge answered is the same MESSAGE";
    EXPECT_EQ(r.ok, 6u);
    EXPECT_EQ(r.counters["challenges"], 2u) << "one per caller";
    EXPECT_EQ(r.counters["nonce_reused"], 4u);
    EXPECT_EQ(rig.peer.nonces.size(), 2u);
    std::map<std::string, std::vector<std::string>> ncs;
    for (const auto& raw : rig.peer.accepted) {
        auto m = sip::Message::parse(raw);
        ASSERT_TRUE(m);
        auto f = sip::parse_authorization(m->header(sip::HeaderId::proxy_authorization));
        ASSERT_TRUE(f);
        EXPECT_EQ(f->username, user_of(m->from().uri));
        EXPECT_EQ(f->uri, "sip:bob@pbx.test");
        ncs[f->username].push_back(f->nc);
    }
    EXPECT_THAT(ncs["alice"], ElementsAre("00000001", "00000002", "00000003"));
    EXPECT_THAT(ncs["carol"], ElementsAre("00000001", "00000002", "00000003"));
    // The challenged first MESSAGE of each caller took two round trips (2 ms each).
    EXPECT_EQ(std::count(r.latency_ms.begin(), r.latency_ms.end(), 4.0), 2);
    EXPECT_EQ(std::count(r.latency_ms.begin(), r.latency_ms.end(), 2.0), 4);
}

TEST(MessageLoad, A401IsAnsweredInAnAuthorizationHeader) {
    MessageRig rig(message_options({"alice"}, {"bob"}, 2, 10));
    rig.peer.auth = MessagePeer::Auth::www;
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.load.report().ok, 2u);
    for (const auto& raw : rig.peer.accepted) {
        auto m = sip::Message::parse(raw);
        EXPECT_TRUE(m->has(sip::HeaderId::authorization));
        EXPECT_FALSE(m->has(sip::HeaderId::proxy_authorization));
    }
}

TEST(MessageLoad, AStaleNonceIsAnsweredAgain) {
    MessageRig rig(message_options({"alice"}, {"bob"}, 4, 10));
    rig.peer.auth = MessagePeer::Auth::proxy;
    rig.peer.stale_on_reuse = true;  // every reuse is refused: each MESSAGE takes a fresh nonce
    ASSERT_TRUE(rig.run());
    auto r = rig.load.report();
    EXPECT_EQ(r.ok, 4u);
    EXPECT_EQ(r.failed, 0u);
    EXPECT_EQ(r.counters["challenges"], 4u);
}

TEST(MessageLoad, AWrongPasswordFailsWithTheChallengeStatusAndDoesNotLoop) {
    MessageRig rig(message_options({"alice", "carol"}, {"bob"}, 4, 10));
    rig.peer.auth = MessagePeer::Auth::proxy;
    rig.peer.passwords["carol"] = "not-carols";
    ASSERT_TRUE(rig.run());
    auto r = rig.load.report();
    EXPECT_EQ(r.ok, 2u) << "alice's";
    EXPECT_EQ(r.failed, 2u);
    EXPECT_EQ(r.failures["407"], 2u);
    EXPECT_EQ(r.counters["auth_failures"], 2u);
    EXPECT_EQ(r.sent, r.ok + r.failed);
}

TEST(MessageLoad, A202CountsAsSuccessAndIsCountedApart) {
    MessageRig rig(message_options({"alice"}, {"bob"}, 10, 50));
    rig.peer.status_for = [](std::size_t n) { return n % 2 ? 202 : 200; };
    ASSERT_TRUE(rig.run());
    auto r = rig.load.report();
    EXPECT_EQ(r.ok, 10u);
    EXPECT_EQ(r.failed, 0u);
    EXPECT_EQ(r.counters["accepted_202"], 5u);
    EXPECT_EQ(r.latency_ms.size(), 10u);
}

TEST(MessageLoad, FinalErrorsAreCountedByStatus) {
    MessageRig rig(message_options({"alice"}, {"bob"}, 12, 50));
    rig.peer.status_for = [](std::size_t n) { return std::array{200, 404, 503, 480}[n % 4]; };
    ASSERT_TRUE(rig.run());
    auto r = rig.load.report();
    EXPECT_EQ(r.ok, 3u);
    EXPECT_EQ(r.failed, 9u);
    EXPECT_EQ(r.failures,
              (std::map<std::string, std::uint64_t>{{"404", 3}, {"480", 3}, {"503", 3}}));
    EXPECT_EQ(r.latency_ms.size(), 3u) << "latency of successful MESSAGEs only";
}

TEST(MessageLoad, NoAnswerIsATimeoutAfterTimerF) {
    MessageRig rig(message_options({"alice"}, {"bob"}, 3, 10));
    rig.peer.answer = false;
    const TimePoint t0 = rig.net.now;
    ASSERT_TRUE(rig.run());
    auto r = rig.load.report();
    EXPECT_EQ(r.failed, 3u);
    EXPECT_EQ(r.failures["timeout"], 3u);
    EXPECT_TRUE(r.latency_ms.empty());
    EXPECT_GE(rig.net.now - t0, std::chrono::seconds(32)) << "64*T1";
}

TEST(MessageLoad, ARefusedSendIsATransportFailure) {
    MessageRig rig(message_options({"alice"}, {"bob"}, 5, 10));
    rig.load_sink.fail_send = 3;
    ASSERT_TRUE(rig.run());
    auto r = rig.load.report();
    EXPECT_EQ(r.sent, 5u);
    EXPECT_EQ(r.ok, 4u);
    EXPECT_EQ(r.failures["transport"], 1u);
}

TEST(MessageLoad, RetransmissionsAndDuplicatedAnswersAreCountedOnce) {
    MessageRig rig(message_options({"alice"}, {"bob"}, 5, 10));
    // Every 200 is duplicated on the wire and the first one is lost: the MESSAGE is
    // retransmitted, the peer's transaction answers again, and each copy reaches the load.
    bool dropped = false;
    rig.net.policy = [&](std::size_t, const Datagram& d) {
        if (!(d.from == rig.peer_sink.self())) return Fault::none;
        if (!dropped) {
            dropped = true;
            return Fault::drop;
        }
        return Fault::duplicate;
    };
    ASSERT_TRUE(rig.run());
    auto r = rig.load.report();
    EXPECT_EQ(r.sent, 5u);
    EXPECT_EQ(r.ok, 5u);
    EXPECT_EQ(r.latency_ms.size(), 5u);
    EXPECT_EQ(rig.peer.received.size(), 5u) << "the retransmission was absorbed";
    EXPECT_GT(rig.sent().size(), 5u) << "the first MESSAGE was retransmitted";
    // The first MESSAGE's answer came T1 later (its retransmission), the others' at once.
    EXPECT_EQ(*std::max_element(r.latency_ms.begin(), r.latency_ms.end()), 502.0);
    EXPECT_EQ(std::count(r.latency_ms.begin(), r.latency_ms.end(), 2.0), 4);
}

// Drops each datagram of a run in turn (through a challenging peer, and to a real UAS):
// every MESSAGE still succeeds exactly once, and the UAS delivers each exactly once.
void drop_each_datagram(FarEnd far) {
    auto options = message_options({"alice", "carol"}, {"bob"}, 4, 20);
    auto make = [&] {
        auto rig = std::make_unique<MessageRig>(options, far);
        rig->peer.auth = MessagePeer::Auth::proxy;
        return rig;
    };
    std::size_t datagrams = 0;
    {
        auto clean = make();
        ASSERT_TRUE(clean->run());
        datagrams = clean->net.log.size();
    }
    ASSERT_GE(datagrams, far == FarEnd::uas ? 8u : 12u);
    for (std::size_t n = 0; n < datagrams; ++n) {
        auto rig = make();
        rig->net.policy = [n](std::size_t i, const Datagram&) {
            return i == n ? Fault::drop : Fault::none;
        };
        ASSERT_TRUE(rig->run()) << "drop " << n;
        auto r = rig->load.report();
        EXPECT_EQ(r.sent, 4u) << "drop " << n;
        EXPECT_EQ(r.ok, 4u) << "drop " << n;
        EXPECT_EQ(r.failed, 0u) << "drop " << n;
        if (far == FarEnd::uas) {
            const auto& inbox = rig->uas->messages();
            EXPECT_EQ(inbox.delivered, 4u) << "drop " << n;
            EXPECT_EQ(inbox.duplicates, 0u) << "drop " << n;
        } else {
            EXPECT_EQ(rig->peer.accepted.size(), 4u) << "drop " << n;
        }
    }
}

TEST(MessageLoad, EveryDatagramDroppedInTurnThroughAChallenge) {
    drop_each_datagram(FarEnd::peer);
}

TEST(MessageLoad, EveryDatagramDroppedInTurnToARealUas) {
    drop_each_datagram(FarEnd::uas);
}

TEST(MessageLoad, TheReceivingUasCountsEveryMessageAndItsDeliveryLatency) {
    uas::AgentConfig config;
    config.message_status = 202;
    MessageRig rig(message_options({"alice"}, {"bob"}, 20, 100), FarEnd::uas, config);
    rig.net.latency = std::chrono::milliseconds(3);
    ASSERT_TRUE(rig.run());
    auto r = rig.load.report();
    EXPECT_EQ(r.ok, 20u);
    EXPECT_EQ(r.counters["accepted_202"], 20u);
    EXPECT_THAT(r.latency_ms, Each(DoubleNear(6.0, 1e-9)));
    const auto& inbox = rig.uas->messages();
    EXPECT_EQ(inbox.received, 20u);
    EXPECT_EQ(inbox.delivered, 20u);
    EXPECT_EQ(inbox.duplicates, 0u);
    EXPECT_THAT(inbox.latency_ms, Each(DoubleNear(3.0, 1e-9))) << "one way";
}

TEST(MessageLoad, StopEndsTheScheduleAndFinishesWhenThePendingOnesEnd) {
    MessageRig rig(message_options({"alice"}, {"bob"}, 100, 10));
    rig.load.start(rig.net.now);
    for (int i = 0; i < 500; ++i) {
        rig.net.now += std::chrono::milliseconds(1);
        rig.step();
    }
    rig.load.stop(rig.net.now);
    EXPECT_FALSE(rig.load.next_deadline());
    // The one sent at 500 ms still awaits its answer: a report now says so.
    EXPECT_EQ(rig.load.pending(), 1u);
    EXPECT_EQ(rig.load.report().counters["unanswered"], 1u);
    const auto sent = rig.load.report().sent;
    EXPECT_EQ(sent, 6u) << "messages 0 to 5, the last due at 500 ms";
    for (int i = 0; i < 100 && !rig.load.finished(); ++i) {
        rig.net.now += std::chrono::milliseconds(1);
        rig.step();
    }
    EXPECT_TRUE(rig.load.finished());
    EXPECT_EQ(rig.load.report().ok, sent);
    EXPECT_FALSE(rig.load.report().counters.contains("unanswered"));
}

TEST(MessageLoad, ABodyOfTheChosenSizeAndContentType) {
    auto o = message_options({"alice"}, {"bob"}, 1, 1);
    o.body_bytes = 1300;
    o.content_type = "text/x-test";
    MessageRig rig(o);
    ASSERT_TRUE(rig.run());
    auto sends = first_sends(rig);
    ASSERT_EQ(sends.size(), 1u);
    EXPECT_EQ(sends[0].body().size(), 1300u);
    EXPECT_EQ(sends[0].header(sip::HeaderId::content_type), "text/x-test");
    EXPECT_EQ(sends[0].header(sip::HeaderId::content_length), "1300");
}

}  // namespace
}  // namespace pbxbench::test
