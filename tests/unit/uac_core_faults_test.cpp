// Faults at every step (Boost.Beast's fail_count style): each scenario runs once clean to count
// its datagrams, then once per datagram with that one dropped, duplicated or delayed, and once
// per send of ours with that send refused. RFC 3261 retransmissions must recover every loss;
// a refused send ends the call, counted once; nothing hangs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "tests/unit/support/uac_core_rig.hpp"

namespace pbxbench::test {
namespace {

using uac::Outcome;

uac::BatchOptions one_call() {
    auto o = rig_options();
    o.hold = 1000ms;
    return o;
}

// The datagrams of a clean call, in order: their first lines.
std::vector<std::string> clean_call_lines() {
    UacRig rig(one_call(), uas::AgentConfig{});
    EXPECT_TRUE(rig.run());
    std::vector<std::string> lines;
    for (const auto& d : rig.net.log) lines.push_back(d.bytes.substr(0, d.bytes.find("\r\n")));
    return lines;
}

TEST(UacCoreFaults, ACleanCallIsInviteTryingRingingOkAckByeOk) {
    auto lines = clean_call_lines();
    ASSERT_EQ(lines.size(), 7u);
    EXPECT_EQ(lines[0], "INVITE sip:bob@10.0.0.2:5060 SIP/2.0");
    EXPECT_EQ(lines[1], "SIP/2.0 100 Trying");
    EXPECT_EQ(lines[2], "SIP/2.0 180 Ringing");
    EXPECT_EQ(lines[3], "SIP/2.0 200 OK");
    EXPECT_EQ(lines[4], "ACK sip:bob@10.0.0.2:5060 SIP/2.0");
    EXPECT_EQ(lines[5], "BYE sip:bob@10.0.0.2:5060 SIP/2.0");
    EXPECT_EQ(lines[6], "SIP/2.0 200 OK");
}

// A scenario: how to build its rig, how to drive it to the end (false: it never finished), and
// what must hold after every run, clean or with one fault.
struct Scenario {
    std::function<std::unique_ptr<UacRig>()> make;
    std::function<bool(UacRig&)> drive;
    std::function<void(UacRig&)> check;
};

bool run_to_end(UacRig& rig) {
    return rig.run(120s);
}

std::string first_line(const std::string& bytes) {
    return bytes.substr(0, bytes.find("\r\n"));
}

// Runs `s` clean, then once per datagram n of the clean run with `fault` applied to datagram n.
void expect_every_fault_recovered(const Scenario& s, Fault fault) {
    std::size_t n = 0;
    {
        SCOPED_TRACE("clean run");
        auto rig = s.make();
        ASSERT_TRUE(s.drive(*rig));
        s.check(*rig);
        n = rig->net.log.size();
    }
    for (std::size_t i = 0; i < n; ++i) {
        auto rig = s.make();
        rig->net.policy = [i, fault](std::size_t k, const Datagram&) {
            return k == i ? fault : Fault::none;
        };
        const bool finished = s.drive(*rig);
        SCOPED_TRACE("datagram " + std::to_string(i) + ": " + first_line(rig->net.log.at(i).bytes));
        ASSERT_TRUE(finished) << "the core never finished";
        s.check(*rig);
        EXPECT_EQ(rig->finished, 1);
    }
}

// Runs `s` once per send k of ours (1-based, one more than the clean run made) with send k
// refused: every call ends exactly once and the core finishes.
void expect_every_failed_send_ends_once(const Scenario& s) {
    std::size_t sends = 0;
    {
        auto rig = s.make();
        ASSERT_TRUE(s.drive(*rig));
        sends = rig->uac_sink.sends;
    }
    for (std::size_t k = 1; k <= sends + 1; ++k) {
        SCOPED_TRACE("send " + std::to_string(k));
        auto rig = s.make();
        rig->uac_sink.fail_send = k;
        ASSERT_TRUE(s.drive(*rig)) << "the core never finished";
        EXPECT_EQ(rig->ended(), rig->stats().attempted) << "every call ends, once";
        EXPECT_EQ(rig->media.ended.size(), rig->media.allocated.size());
        EXPECT_EQ(rig->finished, 1);
    }
}

// One call to a UasAgent: INVITE, 100, 180, 200, ACK, BYE, 200.
Scenario plain_call() {
    return {[] { return std::make_unique<UacRig>(one_call(), uas::AgentConfig{}); }, run_to_end,
            [](UacRig& rig) {
                EXPECT_EQ(rig.count(Outcome::completed), 1u);
                EXPECT_EQ(rig.ended(), 1u) << "one call, counted once";
                EXPECT_EQ(rig.stats().attempted, 1u);
                EXPECT_EQ(rig.uas->counters().answered, 1u);
                EXPECT_EQ(rig.uas->active_dialogs(), 0u) << "the BYE reached the callee";
                EXPECT_EQ(rig.uas->counters().acks, 1u) << "the 2xx was ACKed";
                EXPECT_EQ(rig.stats().final_status.at(200), 1u) << "a repeated 2xx is one answer";
                EXPECT_EQ(rig.stats().setup_us.size(), 1u);
                EXPECT_EQ(rig.stats().bye_us.size(), 1u);
                EXPECT_EQ(rig.uas->counters().ack_timeouts, 0u);
                EXPECT_EQ(rig.media.allocated.size(), 1u);
                EXPECT_EQ(rig.media.started.size(), 1u);
                EXPECT_EQ(rig.media.ended.size(), 1u);
            }};
}

TEST(UacCoreFaults, EveryDroppedDatagramIsRecovered) {
    expect_every_fault_recovered(plain_call(), Fault::drop);
}

TEST(UacCoreFaults, EveryDuplicatedDatagramIsAbsorbed) {
    expect_every_fault_recovered(plain_call(), Fault::duplicate);
}

TEST(UacCoreFaults, EveryDelayedDatagramIsReordered) {
    expect_every_fault_recovered(plain_call(), Fault::delay);
}

TEST(UacCoreFaults, AFailedSendAtAnyStepEndsTheCallOnce) {
    expect_every_failed_send_ends_once(plain_call());
    // Which sends are fatal: the INVITE and the BYE cannot recover from a refused first send;
    // a refused ACK is re-sent when the callee retransmits its 2xx.
    for (std::size_t k : {1u, 2u, 3u}) {
        SCOPED_TRACE(k);
        UacRig rig(one_call(), uas::AgentConfig{});
        rig.uac_sink.fail_send = k;
        ASSERT_TRUE(rig.run(120s));
        EXPECT_EQ(rig.count(Outcome::transport_error), k == 2 ? 0u : 1u);
        EXPECT_EQ(rig.count(Outcome::completed), k == 2 ? 1u : 0u);
    }
}

TEST(UacCoreFaults, ATransportErrorOnARetransmissionEndsTheCall) {
    // The callee never answers, so the INVITE is retransmitted; the 2nd send fails.
    UacRig rig(one_call());
    rig.phone.answer_invites = false;
    rig.uac_sink.fail_send = 2;
    ASSERT_TRUE(rig.run(120s));
    EXPECT_EQ(rig.count(Outcome::transport_error), 1u);
    EXPECT_EQ(rig.ended(), 1u);
    EXPECT_LT(rig.net.now - (TimePoint{} + 1h), 2s) << "ended at the failed retransmission";
}

// alice calls twice through a proxy that challenges with 407: the first INVITE is answered
// after the challenge, the second carries the cached nonce.
Scenario challenged_calls() {
    return {[] {
                auto o = one_call();
                o.population = population({"alice"}, {"bob"});
                o.total = 2;
                o.cps = 1;
                auto rig = std::make_unique<UacRig>(o);
                rig->phone.auth = Phone::Auth::proxy;
                rig->phone.passwords["alice"] = "pw-alice";
                return rig;
            },
            run_to_end,
            [](UacRig& rig) {
                EXPECT_EQ(rig.count(Outcome::completed), 2u);
                EXPECT_EQ(rig.ended(), 2u);
                EXPECT_EQ(rig.stats().subscribers.auth.challenges.at(407), 1u);
                EXPECT_EQ(rig.stats().subscribers.auth.nonce_reused, 1u);
                EXPECT_EQ(rig.phone.bye_ok.size(), 2u);
            }};
}

TEST(UacCoreFaults, AChallengedCallRecoversFromAnyLoss) {
    expect_every_fault_recovered(challenged_calls(), Fault::drop);
    expect_every_fault_recovered(challenged_calls(), Fault::duplicate);
    expect_every_fault_recovered(challenged_calls(), Fault::delay);
    expect_every_failed_send_ends_once(challenged_calls());
}

// A call cancelled while the callee rings: INVITE, 100, 180, CANCEL, 200, 487, ACK.
Scenario cancelled_call() {
    return {[] {
                auto o = one_call();
                o.cancel_ratio = 1;
                uas::AgentConfig ringing;
                ringing.ring = 2000ms;
                return std::make_unique<UacRig>(o, ringing);
            },
            run_to_end,
            [](UacRig& rig) {
                EXPECT_EQ(rig.count(Outcome::cancelled), 1u);
                EXPECT_EQ(rig.ended(), 1u);
                EXPECT_EQ(rig.uas->counters().answered, 0u);
                EXPECT_EQ(rig.uas->counters().cancelled, 1u);
            }};
}

TEST(UacCoreFaults, ACancelRecoversFromAnyLoss) {
    expect_every_fault_recovered(cancelled_call(), Fault::drop);
    expect_every_fault_recovered(cancelled_call(), Fault::duplicate);
    expect_every_fault_recovered(cancelled_call(), Fault::delay);
    expect_every_failed_send_ends_once(cancelled_call());
}

// The far end re-INVITEs an answered call to a new address (offer in the re-INVITE, or an
// SDP-less re-INVITE whose 2xx carries our offer and whose ACK the answer).
Scenario moved_call(bool offer_in_2xx) {
    return {[] {
                auto o = one_call();
                o.hold = 3s;
                return std::make_unique<UacRig>(o);
            },
            [offer_in_2xx](UacRig& rig) {
                rig.start();
                if (rig.run_until([&] { return !rig.phone.acks.empty(); }, 10s))
                    rig.phone.send(rig.answered_call(), "INVITE",
                                   offer_in_2xx ? std::string{} : peer_offer("10.0.0.5", 41000, 2));
                return rig.run_until([&] { return rig.core.finished(); }, 120s);
            },
            [](UacRig& rig) {
                EXPECT_EQ(rig.count(Outcome::completed), 1u);
                EXPECT_EQ(rig.ended(), 1u);
                const auto& u = rig.stats().subscribers.updates;
                EXPECT_EQ(u.received, 1u) << "a retransmitted re-INVITE is one re-INVITE";
                EXPECT_EQ(u.answered, 1u);
                EXPECT_EQ(u.moved, 1u);
                EXPECT_EQ(u.glare, 0u);
                EXPECT_EQ(rig.media.retargeted.size(), 1u);
            }};
}

TEST(UacCoreFaults, AReinviteRecoversFromAnyLoss) {
    for (bool offer_in_2xx : {false, true}) {
        SCOPED_TRACE(offer_in_2xx ? "offer in the 2xx" : "offer in the re-INVITE");
        expect_every_fault_recovered(moved_call(offer_in_2xx), Fault::drop);
        expect_every_fault_recovered(moved_call(offer_in_2xx), Fault::duplicate);
        expect_every_fault_recovered(moved_call(offer_in_2xx), Fault::delay);
    }
}

// alice registers (challenged with 401), calls bob, un-registers.
// One call put on hold and resumed by our own re-INVITEs, against a UasAgent: every loss of
// a re-INVITE, its 2xx or its ACK is recovered by retransmission, and each flow counts once.
Scenario held_call() {
    return {[] {
                auto o = one_call();
                o.hold = 8000ms;
                o.hold_at = 1000ms;
                o.hold_for = 2000ms;
                return std::make_unique<UacRig>(o, uas::AgentConfig{});
            },
            run_to_end,
            [](UacRig& rig) {
                EXPECT_EQ(rig.count(Outcome::completed), 1u);
                EXPECT_EQ(rig.ended(), 1u);
                const auto& m = rig.stats().midcall;
                EXPECT_EQ(m.hold.ok, 1u);
                EXPECT_EQ(m.resume.ok, 1u);
                EXPECT_EQ(m.hold.sent, 1u) << "a lost datagram is retransmitted, not re-sent";
                EXPECT_EQ(m.hold.latency_us.size(), 1u);
                EXPECT_EQ(m.resume.latency_us.size(), 1u);
                EXPECT_EQ(rig.uas->counters().reinvites_answered, 2u);
                EXPECT_EQ(rig.uas->counters().ack_timeouts, 0u) << "every 2xx was ACKed";
                EXPECT_EQ(rig.uas->active_dialogs(), 0u);
            }};
}

TEST(UacCoreFaults, AHoldAndResumeRecoverFromAnyLoss) {
    expect_every_fault_recovered(held_call(), Fault::drop);
    expect_every_fault_recovered(held_call(), Fault::duplicate);
    expect_every_fault_recovered(held_call(), Fault::delay);
    expect_every_failed_send_ends_once(held_call());
}

// One call whose session timer we refresh (RFC 4028), by UPDATE or by re-INVITE, against a
// UasAgent: a lost refresh, 2xx or ACK is recovered by retransmission; each refresh counts once.
Scenario refreshed_call(bool by_update) {
    return {[by_update] {
                auto o = one_call();
                o.hold = 100000ms;  // two refreshes of a 90 s session: at 45 and 90 s
                o.session_expires_s = 90;
                o.refresh_by_update = by_update;
                uas::AgentConfig c;
                c.session_min_se_s = 90;
                return std::make_unique<UacRig>(o, c);
            },
            run_to_end,
            [](UacRig& rig) {
                EXPECT_EQ(rig.count(Outcome::completed), 1u);
                EXPECT_EQ(rig.ended(), 1u);
                const auto& s = rig.stats().midcall.session_timer;
                EXPECT_EQ(s.negotiated, 1u);
                EXPECT_EQ(s.refreshes_sent, 2u) << "retransmitted, not re-sent";
                EXPECT_EQ(s.refreshes_ok, 2u);
                EXPECT_EQ(s.refreshes_failed, 0u);
                EXPECT_EQ(s.expired, 0u);
                EXPECT_EQ(rig.uas->counters().session_refreshes, 2u);
                EXPECT_EQ(rig.uas->counters().ack_timeouts, 0u) << "every 2xx was ACKed";
                EXPECT_EQ(rig.uas->active_dialogs(), 0u);
            }};
}

TEST(UacCoreFaults, SessionRefreshesRecoverFromAnyLoss) {
    for (bool by_update : {true, false}) {
        SCOPED_TRACE(by_update ? "UPDATE" : "re-INVITE");
        expect_every_fault_recovered(refreshed_call(by_update), Fault::drop);
        expect_every_fault_recovered(refreshed_call(by_update), Fault::duplicate);
        expect_every_fault_recovered(refreshed_call(by_update), Fault::delay);
        expect_every_failed_send_ends_once(refreshed_call(by_update));
    }
}

Scenario registered_call() {
    return {[] {
                auto o = one_call();
                o.population = population({"alice"}, {"bob"});
                o.register_callers = true;
                auto rig = std::make_unique<UacRig>(o);
                rig->phone.passwords["alice"] = "pw-alice";
                return rig;
            },
            run_to_end,
            [](UacRig& rig) {
                EXPECT_EQ(rig.ready, 1);
                EXPECT_EQ(rig.count(Outcome::completed), 1u);
                EXPECT_EQ(rig.ended(), 1u);
                const auto& r = rig.stats().subscribers.registrations;
                EXPECT_EQ(r.registered, 1u);
                EXPECT_EQ(r.failed, 0u);
                EXPECT_EQ(r.unregistered, 1u);
                EXPECT_EQ(rig.phone.unregister_ok["alice"], 1);
            }};
}

TEST(UacCoreFaults, ARegisteredCallerRecoversFromAnyLoss) {
    expect_every_fault_recovered(registered_call(), Fault::drop);
    expect_every_fault_recovered(registered_call(), Fault::duplicate);
    expect_every_fault_recovered(registered_call(), Fault::delay);
    expect_every_failed_send_ends_once(registered_call());
}

// Several calls from three callers in flight at once, so a fault lands between calls too.
Scenario overlapping_calls() {
    return {
        [] {
            auto o = one_call();
            o.population = population({"alice", "carol", "erin"}, {"bob", "dave"});
            o.total = 4;
            o.cps = 20;
            return std::make_unique<UacRig>(o, uas::AgentConfig{});
        },
        run_to_end,
        [](UacRig& rig) {
            EXPECT_EQ(rig.count(Outcome::completed), 4u);
            EXPECT_EQ(rig.ended(), 4u);
            EXPECT_EQ(rig.uas->counters().answered, 4u);
            EXPECT_EQ(rig.uas->active_dialogs(), 0u);
            EXPECT_EQ(rig.stats().subscribers.calls_per_callee, (std::vector<std::uint64_t>{2, 2}));
        }};
}

TEST(UacCoreFaults, OverlappingCallsRecoverFromAnyLoss) {
    expect_every_fault_recovered(overlapping_calls(), Fault::drop);
    expect_every_fault_recovered(overlapping_calls(), Fault::duplicate);
    expect_every_fault_recovered(overlapping_calls(), Fault::delay);
    expect_every_failed_send_ends_once(overlapping_calls());
}

// A lossy network: 10% of datagrams each dropped, duplicated and delayed, a seeded draw.
std::function<Fault(std::size_t, const Datagram&)> lossy(std::uint32_t seed) {
    return [random = std::minstd_rand(seed)](std::size_t, const Datagram&) mutable {
        const auto r = random() % 10;
        return r == 0   ? Fault::drop
               : r == 1 ? Fault::duplicate
               : r == 2 ? Fault::delay
                        : Fault::none;
    };
}

// Many faults at once over registering callers whose INVITEs are challenged. Every call still
// completes, though reordered INVITEs of one caller reach the proxy with their nc out of order
// (stale=true).
TEST(UacCoreFaults, ALossyNetworkStillCompletesEveryCall) {
    for (std::uint32_t seed = 1; seed <= 10; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        auto o = one_call();
        o.population = population({"alice", "carol", "erin"}, {"bob", "dave", "frank", "gina"});
        o.total = 20;
        o.hold = 2s;
        o.register_callers = true;
        UacRig rig(o);
        for (const auto& c : o.population.callers) rig.phone.passwords[c.user] = c.password;
        rig.phone.auth = Phone::Auth::proxy;
        rig.net.policy = lossy(seed);
        ASSERT_TRUE(rig.run(300s));
        EXPECT_EQ(rig.count(Outcome::completed), 20u);
        EXPECT_EQ(rig.ended(), 20u);
        EXPECT_EQ(rig.stats().subscribers.registrations.registered, 3u);
        EXPECT_EQ(rig.stats().subscribers.registrations.unregistered, 3u);
        EXPECT_EQ(rig.media.ended.size(), rig.media.allocated.size());
        EXPECT_EQ(rig.phone.bye_ok.size(), 20u);
    }
}

TEST(UacCoreFaults, ALossyNetworkCancelsAtMostTheShareAndEndsEveryCall) {
    for (std::uint32_t seed = 1; seed <= 10; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        auto o = one_call();
        o.population = population({"alice", "carol"}, {"bob", "dave", "frank"});
        o.total = 20;
        o.cancel_ratio = 0.25;
        uas::AgentConfig ringing;
        ringing.ring = 300ms;
        UacRig rig(o, ringing);
        rig.net.policy = lossy(seed);
        ASSERT_TRUE(rig.run(300s));
        EXPECT_EQ(rig.ended(), 20u);
        // Never more than the share; fewer when a CANCEL lost until the callee answered turned
        // into a race (ACK, then BYE), or every provisional was lost before the 2xx (no CANCEL
        // may be sent then, §9.1).
        EXPECT_LE(rig.count(Outcome::cancelled) + rig.stats().cancel_races, 5u);
        EXPECT_GE(rig.count(Outcome::cancelled), 3u);
        EXPECT_EQ(rig.count(Outcome::completed) + rig.count(Outcome::cancelled), 20u);
        EXPECT_EQ(rig.uas->counters().cancelled, rig.count(Outcome::cancelled));
        EXPECT_EQ(rig.uas->active_dialogs(), 0u);
        EXPECT_EQ(rig.media.ended.size(), rig.media.allocated.size());
    }
}

TEST(UacCoreFaults, ALossyNetworkMovesEveryCallsMediaOnce) {
    // The far end re-INVITEs each call to a new address as soon as our ACK arrives.
    for (std::uint32_t seed = 1; seed <= 10; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        auto o = one_call();
        o.total = 20;
        o.hold = 10s;
        UacRig rig(o);
        rig.net.policy = lossy(seed);
        std::set<std::string> moved;
        rig.start();
        ASSERT_TRUE(rig.run_until(
            [&] {
                for (const auto& raw : rig.phone.acks) {
                    const std::string id(sip::Message::parse(raw)->call_id());
                    if (moved.insert(id).second)
                        rig.phone.send(id, "INVITE", peer_offer("10.0.0.5", 41000, 2));
                }
                return rig.core.finished();
            },
            300s));
        EXPECT_EQ(rig.count(Outcome::completed), 20u);
        const auto& u = rig.stats().subscribers.updates;
        EXPECT_EQ(u.received, 20u);
        EXPECT_EQ(u.answered, 20u);
        EXPECT_EQ(u.moved, 20u);
        EXPECT_EQ(u.glare + u.refused, 0u);
        EXPECT_EQ(rig.media.retargeted.size(), 20u);
    }
}

}  // namespace
}  // namespace pbxbench::test
