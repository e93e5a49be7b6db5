// Transaction tests on a fake clock and network: RFC 3261 §17 timer schedules, absorption
// of duplicates, and whole calls surviving the loss, duplication or reordering of any datagram.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sip/transaction_layer.hpp"
#include "tests/unit/support/test_agents.hpp"

namespace pbxbench::test {
namespace {

using sip::TransactionTimer;
using ::testing::ElementsAre;

// Offsets in ms of the datagrams `from` sent whose start line begins with `start`.
std::vector<long> send_offsets(const CallPair& p, const Address& from, std::string_view start,
                               TimePoint t0) {
    std::vector<long> out;
    for (const auto& d : p.net.sent_from(from)) {
        if (d.bytes.rfind(start, 0) == 0) {
            out.push_back(
                std::chrono::duration_cast<std::chrono::milliseconds>(d.sent_at - t0).count());
        }
    }
    return out;
}

TEST(TransactionClient, InviteTimerADoublesUntilTimerB) {
    CallPair p;
    p.callee.answer = false;
    p.net.policy = [](std::size_t, const Datagram&) { return Fault::drop; };
    TimePoint t0 = p.net.now;
    p.send("INVITE", 1);
    p.run_for(40s);
    EXPECT_THAT(send_offsets(p, p.caller_sink.self(), "INVITE", t0),
                ElementsAre(0, 500, 1500, 3500, 7500, 15500, 31500));
    EXPECT_THAT(p.caller.timeouts, ElementsAre(TransactionTimer::b));
    EXPECT_EQ(p.caller_layer.counters().retransmissions_sent, 6u);
    EXPECT_EQ(p.caller_layer.counters().timeouts, 1u);
    EXPECT_EQ(p.caller_layer.active(), 0u);
}

TEST(TransactionClient, NonInviteTimerECapsAtT2UntilTimerF) {
    CallPair p;
    p.net.policy = [](std::size_t, const Datagram&) { return Fault::drop; };
    TimePoint t0 = p.net.now;
    p.send("OPTIONS", 1);
    p.run_for(40s);
    EXPECT_THAT(send_offsets(p, p.caller_sink.self(), "OPTIONS", t0),
                ElementsAre(0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500));
    EXPECT_THAT(p.caller.timeouts, ElementsAre(TransactionTimer::f));
}

TEST(TransactionClient, TimersFollowConfiguredT1AndT2) {
    sip::TimerSettings timers;
    timers.t1 = 100ms;
    timers.t2 = 200ms;
    CallPair p(timers);
    p.net.policy = [](std::size_t, const Datagram&) { return Fault::drop; };
    TimePoint t0 = p.net.now;
    p.send("BYE", 2, "b1");
    p.run_for(8s);
    auto offsets = send_offsets(p, p.caller_sink.self(), "BYE", t0);
    ASSERT_GE(offsets.size(), 4u);
    EXPECT_THAT(std::vector<long>(offsets.begin(), offsets.begin() + 4),
                ElementsAre(0, 100, 300, 500));
    EXPECT_EQ(offsets.back(), 6300);  // every 200 ms until Timer F = 64*T1 = 6.4 s
    EXPECT_THAT(p.caller.timeouts, ElementsAre(TransactionTimer::f));
}

TEST(TransactionClient, ProvisionalStopsInviteRetransmissions) {
    CallPair p;
    p.callee.answer = false;  // the test rings by hand and never answers
    TimePoint t0 = p.net.now;
    p.send("INVITE", 1);
    p.run_for(2ms);
    ASSERT_EQ(p.callee.requests.size(), 1u);
    auto invite = sip::Message::parse(p.net.log.front().bytes);
    ASSERT_TRUE(invite);
    p.callee_layer.respond(1, sip::response_to(*invite, 180, "b1").finish(), 180, p.net.now);
    p.run_for(40s);
    EXPECT_THAT(send_offsets(p, p.caller_sink.self(), "INVITE", t0), ElementsAre(0));
    EXPECT_TRUE(p.caller.timeouts.empty()) << "Timer B must not fire in Proceeding";
    EXPECT_EQ(p.caller.count(180, "INVITE"), 1);
}

TEST(TransactionClient, ProceedingInviteEndsAtTheConfiguredBound) {
    sip::TimerSettings timers;
    timers.proceeding_timeout = 10s;
    CallPair p(timers);
    p.callee.answer = false;
    p.send("INVITE", 1);
    p.run_for(2ms);
    auto invite = sip::Message::parse(p.net.log.front().bytes);
    p.callee_layer.respond(1, sip::response_to(*invite, 180, "b1").finish(), 180, p.net.now);
    p.run_for(9s);
    EXPECT_TRUE(p.caller.timeouts.empty());
    p.run_for(2s);
    EXPECT_THAT(p.caller.timeouts, ElementsAre(TransactionTimer::c));
}

TEST(TransactionClient, NonSuccessFinalIsAckedInsideTheTransaction) {
    CallPair p;
    p.callee.invite_status = 486;
    p.send("INVITE", 1);
    p.run_for(1s);
    EXPECT_EQ(p.caller.count(486, "INVITE"), 1);
    EXPECT_EQ(p.caller.acks_sent, 0) << "the TU must not ACK a non-2xx";
    std::vector<std::string> acks;
    for (const auto& d : p.net.sent_from(p.caller_sink.self())) {
        if (d.bytes.rfind("ACK", 0) == 0) acks.push_back(d.bytes);
    }
    ASSERT_EQ(acks.size(), 1u);
    auto ack = sip::Message::parse(acks.front());
    auto invite = sip::Message::parse(p.net.log.front().bytes);
    ASSERT_TRUE(ack && invite);
    EXPECT_EQ(ack->top_via().branch(), invite->top_via().branch()) << "same branch as the INVITE";
    EXPECT_EQ(ack->to().tag(), "b1") << "To from the response";
    EXPECT_EQ(ack->cseq().number, 1u);
    EXPECT_EQ(ack->cseq().method_token, "ACK");
    EXPECT_EQ(ack->request_uri(), invite->request_uri());
    EXPECT_TRUE(p.callee.timeouts.empty()) << "the ACK stopped Timer G/H";
    EXPECT_EQ(p.callee.acks, 0) << "a non-2xx ACK is absorbed by the server transaction";
}

TEST(TransactionServer, NonSuccessFinalRetransmitsUntilTimerH) {
    CallPair p;
    p.callee.invite_status = 503;
    p.callee.ring = false;
    // The caller hears nothing back, so it never ACKs.
    p.net.policy = [&](std::size_t, const Datagram& d) {
        return d.from == p.callee_sink.self() ? Fault::drop : Fault::none;
    };
    TimePoint t0 = p.net.now;
    p.send("INVITE", 1);
    p.run_for(40s);
    auto offsets = send_offsets(p, p.callee_sink.self(), "SIP/2.0 503", t0);
    ASSERT_FALSE(offsets.empty());
    // Timer G: T1, 2T1, 4T1 capped at T2, interleaved with re-sends caused by the caller's
    // INVITE retransmissions; the server's own schedule starts at 1 ms (the INVITE's latency).
    EXPECT_TRUE(std::find(offsets.begin(), offsets.end(), 501) != offsets.end());
    EXPECT_TRUE(std::find(offsets.begin(), offsets.end(), 1501) != offsets.end());
    EXPECT_TRUE(std::find(offsets.begin(), offsets.end(), 3501) != offsets.end());
    EXPECT_TRUE(std::find(offsets.begin(), offsets.end(), 7501) != offsets.end());
    EXPECT_TRUE(std::find(offsets.begin(), offsets.end(), 11501) != offsets.end());
    EXPECT_THAT(p.callee.timeouts, ElementsAre(TransactionTimer::h));
    EXPECT_EQ(p.callee.requests.size(), 1u) << "INVITE retransmissions are absorbed";
}

TEST(TransactionServer, SuccessIsRetransmittedUntilTheAckArrives) {
    CallPair p;
    p.callee.ring = false;
    int acks_dropped = 0;
    // Lose the first two ACKs: the 2xx is re-sent and the caller re-ACKs each copy.
    p.net.policy = [&](std::size_t, const Datagram& d) {
        if (d.bytes.rfind("ACK", 0) == 0 && acks_dropped < 2) {
            ++acks_dropped;
            return Fault::drop;
        }
        return Fault::none;
    };
    TimePoint t0 = p.net.now;
    p.send("INVITE", 1);
    p.run_for(40s);
    EXPECT_THAT(send_offsets(p, p.callee_sink.self(), "SIP/2.0 200", t0),
                ElementsAre(1, 501, 1501));
    EXPECT_EQ(p.caller.acks_sent, 3);
    EXPECT_EQ(p.callee.acks, 1);
    EXPECT_TRUE(p.callee.timeouts.empty());
    EXPECT_EQ(p.caller.stray, 2) << "2xx retransmissions reach the TU outside any transaction";
}

TEST(TransactionServer, SuccessWithoutAckEndsWithTimerL) {
    CallPair p;
    p.callee.ring = false;
    p.net.policy = [](std::size_t, const Datagram& d) {
        return d.bytes.rfind("ACK", 0) == 0 ? Fault::drop : Fault::none;
    };
    p.send("INVITE", 1);
    p.run_for(40s);
    EXPECT_THAT(p.callee.timeouts, ElementsAre(TransactionTimer::l));
    EXPECT_EQ(p.callee.acks, 0);
}

TEST(TransactionServer, DuplicateRequestsReachTheUserOnce) {
    CallPair p;
    p.net.policy = [](std::size_t, const Datagram&) { return Fault::duplicate; };
    p.send("INVITE", 1);
    p.run_for(1s);
    p.send("BYE", 2, "b1");
    p.run_for(1s);
    EXPECT_THAT(p.callee.requests, ElementsAre("INVITE", "BYE"));
    EXPECT_EQ(p.caller.count(200, "BYE"), 1);
    EXPECT_GT(p.callee_layer.counters().retransmissions_received, 0u);
    EXPECT_GT(p.caller_layer.counters().retransmissions_received +
                  p.caller_layer.counters().stray_responses,
              0u);
}

TEST(TransactionServer, RetransmittedNonInviteGetsTheSameFinal) {
    CallPair p;
    p.net.policy = [&](std::size_t, const Datagram& d) {
        // Lose the first 200 to the BYE: the BYE is retransmitted and answered again.
        static bool dropped = false;
        if (!dropped && d.bytes.rfind("SIP/2.0 200", 0) == 0 &&
            d.bytes.find("BYE") != std::string::npos) {
            dropped = true;
            return Fault::drop;
        }
        return Fault::none;
    };
    p.send("BYE", 2, "b1");
    p.run_for(2s);
    EXPECT_THAT(p.callee.requests, ElementsAre("BYE"));
    EXPECT_EQ(p.caller.count(200, "BYE"), 1);
    EXPECT_EQ(p.caller_layer.counters().retransmissions_sent, 1u);
}

TEST(TransactionServer, CancelFindsItsInvite) {
    CallPair p;
    p.callee.answer = false;
    std::string branch = p.caller_layer.new_branch();
    p.caller_layer.send_request(make_request("INVITE", branch, 1), p.callee_sink.self(),
                                sip::Method::invite, branch, 1, p.net.now);
    p.run_for(5ms);
    auto cancel = sip::Message::parse(make_request("CANCEL", branch, 1));
    ASSERT_TRUE(cancel);
    EXPECT_NE(p.callee_layer.find_invite_for_cancel(*cancel), 0u);
    auto other = sip::Message::parse(make_request("CANCEL", "z9hG4bKother", 1));
    EXPECT_EQ(p.callee_layer.find_invite_for_cancel(*other), 0u);
}

TEST(TransactionLayer, UnparsableDatagramsAreCountedAndReported) {
    CallPair p;
    p.callee_layer.receive("INVITE garbage\r\n\r\n", p.caller_sink.self(), p.net.now);
    EXPECT_EQ(p.callee_layer.counters().parse_errors, 1u);
    EXPECT_EQ(p.callee.parse_errors, 1);
    EXPECT_TRUE(p.callee.requests.empty());
}

TEST(TransactionLayer, RefusedFirstSendReturnsNoTransaction) {
    CallPair p;
    p.caller_sink.fail_send = 1;
    EXPECT_EQ(p.send("INVITE", 1), 0u);
    EXPECT_EQ(p.caller_layer.active(), 0u);
    EXPECT_EQ(p.caller_layer.counters().transport_errors, 1u);
}

TEST(TransactionLayer, RefusedRetransmissionEndsTheTransaction) {
    CallPair p;
    p.net.policy = [](std::size_t, const Datagram&) { return Fault::drop; };
    p.caller_sink.fail_send = 3;  // the second retransmission
    p.send("OPTIONS", 1);
    p.run_for(5s);
    EXPECT_EQ(p.caller.transport_errors, 1);
    EXPECT_TRUE(p.caller.timeouts.empty());
    EXPECT_EQ(p.caller_layer.active(), 0u);
}

TEST(TransactionLayer, ReliableTransportNeverRetransmits) {
    sip::TimerSettings timers;
    timers.reliable_transport = true;
    CallPair p(timers);
    p.net.policy = [](std::size_t, const Datagram&) { return Fault::drop; };
    p.send("INVITE", 1);
    p.run_for(40s);
    EXPECT_EQ(p.caller_layer.counters().retransmissions_sent, 0u);
    EXPECT_THAT(p.caller.timeouts, ElementsAre(TransactionTimer::b));
}

TEST(TransactionLayer, BranchesAreUniqueAndCarryTheCookie) {
    CallPair p;
    std::string a = p.caller_layer.new_branch();
    std::string b = p.caller_layer.new_branch();
    EXPECT_NE(a, b);
    EXPECT_EQ(a.rfind("z9hG4bK", 0), 0u);
}

// A whole call (INVITE/180/200/ACK, BYE/200) with one fault applied to the n-th datagram,
// for every n: the call must still complete exactly once on both sides.
void run_call_with_fault(Fault fault, std::size_t n) {
    CallPair p;
    p.net.policy = [&](std::size_t i, const Datagram&) { return i == n ? fault : Fault::none; };
    p.send("INVITE", 1);
    p.run_for(3s);
    p.send("BYE", 2, "b1");
    p.run_for(40s);
    SCOPED_TRACE("fault on datagram " + std::to_string(n));
    EXPECT_GE(p.caller.count(200, "INVITE"), 1);
    EXPECT_EQ(p.caller.count(200, "BYE"), 1);
    EXPECT_THAT(p.callee.requests, ElementsAre("INVITE", "BYE"));
    EXPECT_EQ(p.callee.acks, 1);
    EXPECT_TRUE(p.caller.timeouts.empty());
    EXPECT_TRUE(p.callee.timeouts.empty());
    EXPECT_EQ(p.caller_layer.active(), 0u);
    EXPECT_EQ(p.callee_layer.active(), 0u);
}

TEST(TransactionCall, SurvivesLossOfAnyOneDatagram) {
    for (std::size_t n = 0; n < 8; ++n) run_call_with_fault(Fault::drop, n);
}

TEST(TransactionCall, SurvivesDuplicationOfAnyOneDatagram) {
    for (std::size_t n = 0; n < 8; ++n) run_call_with_fault(Fault::duplicate, n);
}

TEST(TransactionCall, SurvivesDelayOfAnyOneDatagram) {
    for (std::size_t n = 0; n < 8; ++n) run_call_with_fault(Fault::delay, n);
}

TEST(TransactionCall, A180ArrivingAfterThe200IsHarmless) {
    // Kamailio with several workers may forward the 180 after the 200 of the same INVITE.
    CallPair p;
    p.net.policy = [](std::size_t, const Datagram& d) {
        return d.bytes.rfind("SIP/2.0 180", 0) == 0 ? Fault::delay : Fault::none;
    };
    p.send("INVITE", 1);
    p.run_for(1s);
    ASSERT_EQ(p.caller.statuses.size(), 2u);
    EXPECT_EQ(p.caller.statuses[0], 200);
    EXPECT_EQ(p.caller.statuses[1], 180);
    EXPECT_EQ(p.caller.stray, 1) << "the late 180 matches no transaction";
    EXPECT_EQ(p.callee.acks, 1);
}

}  // namespace
}  // namespace pbxbench::test
