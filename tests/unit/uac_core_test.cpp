// The sans-IO UAC call core over the fake network: who calls whom, CANCEL, ring timeout,
// Timer B, BYE refused, challenged, unanswered or received, route sets, stop, media path,
// shards. Faults at every step are in uac_core_faults_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/support/uac_core_rig.hpp"

namespace pbxbench::test {
namespace {

using ::testing::ElementsAre;
using uac::Outcome;

// The call index encoded in a Call-ID "t1-<index>@pbxbench".
std::uint64_t index_of(const sip::Message& m) {
    std::string_view id = m.call_id();
    id = id.substr(id.find('-') + 1);
    return *sip::parse_uint(id.substr(0, id.find('@')));
}

std::string first_line(const std::string& bytes) {
    return bytes.substr(0, bytes.find("\r\n"));
}

// (From user, Request-URI user) of each INVITE the far end saw, by call index.
std::map<std::uint64_t, std::pair<std::string, std::string>> pairs_seen(const UacRig& rig) {
    std::map<std::uint64_t, std::pair<std::string, std::string>> out;
    for (const auto& inv : rig.tap.invites())
        out[index_of(inv)] = {uri_user(inv.from().uri), uri_user(inv.request_uri())};
    return out;
}

TEST(UacCorePopulation, CallIGoesFromCallerIModCToCalleeIModE) {
    auto o = rig_options();
    o.population = population({"alice", "carol", "erin"}, {"bob", "dave", "frank", "gina"});
    o.total = 12;
    UacRig rig(o, uas::AgentConfig{});
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::completed), 12u);
    EXPECT_EQ(rig.uas->counters().answered, 12u);
    EXPECT_EQ(rig.uas->counters().acks, 12u);

    const std::vector<std::string> callers = {"alice", "carol", "erin"};
    const std::vector<std::string> callees = {"bob", "dave", "frank", "gina"};
    auto invites = rig.tap.invites();
    ASSERT_EQ(invites.size(), 12u);
    std::vector<std::uint64_t> per_callee(callees.size());
    for (const auto& inv : invites) {
        const std::uint64_t i = index_of(inv);
        SCOPED_TRACE(i);
        EXPECT_EQ(uri_user(inv.from().uri), callers[i % 3]);
        EXPECT_EQ(inv.request_uri(), "sip:" + callees[i % 4] + "@pbx.test");
        EXPECT_EQ(inv.to().uri, inv.request_uri());
        auto contact = sip::parse_name_addr(inv.header(sip::HeaderId::contact));
        ASSERT_TRUE(contact);
        EXPECT_EQ(contact->uri, "sip:" + callers[i % 3] + "@10.0.0.1:5060");
        ++per_callee[i % 4];
    }
    const auto& s = rig.stats().subscribers;
    EXPECT_EQ(s.calls_per_callee, per_callee);
    EXPECT_THAT(s.calls_per_callee, ElementsAre(3u, 3u, 3u, 3u));
    EXPECT_EQ(s.callers, 3u);
    EXPECT_EQ(s.callees, 4u);
    EXPECT_EQ(s.mapping, "round_robin");
}

TEST(UacCorePopulation, ACallerNeverCallsItselfWhenTheListsOverlap) {
    auto o = rig_options();
    o.population = population({"alice", "bob"}, {"bob", "alice", "carol"});
    o.total = 12;
    UacRig rig(o, uas::AgentConfig{});
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::completed), 12u);
    auto seen = pairs_seen(rig);
    ASSERT_EQ(seen.size(), 12u);
    for (const auto& [i, pair] : seen) {
        SCOPED_TRACE(i);
        EXPECT_NE(pair.first, pair.second);
        EXPECT_EQ(pair.first, i % 2 == 0 ? "alice" : "bob");
    }
    std::uint64_t sum = 0;
    for (auto n : rig.stats().subscribers.calls_per_callee) sum += n;
    EXPECT_EQ(sum, 12u);
}

TEST(UacCorePopulation, RandomMappingWithASeedRepeatsItsPairs) {
    auto run = [](std::uint64_t seed) {
        auto o = rig_options();
        o.population = population({"alice", "carol", "erin"}, {"bob", "dave", "frank", "gina"});
        o.population.mapping = uac::CallMapping::random;
        o.population.seed = seed;
        o.total = 16;
        o.cps = 50;
        UacRig rig(o, uas::AgentConfig{});
        EXPECT_TRUE(rig.run());
        EXPECT_EQ(rig.count(Outcome::completed), 16u);
        EXPECT_EQ(rig.stats().subscribers.seed, seed);
        EXPECT_EQ(rig.stats().subscribers.mapping, "random");
        return pairs_seen(rig);
    };
    auto first = run(42);
    ASSERT_EQ(first.size(), 16u);
    EXPECT_EQ(run(42), first);
    EXPECT_NE(run(43), first) << "the seed must matter";
}

uac::BatchOptions one_call() {
    auto o = rig_options();
    o.hold = 1000ms;
    return o;
}

// --- CANCEL, ring timeout, Timer B, BYE ---

TEST(UacCoreCancel, CancelRatioOneCancelsARingingCall) {
    auto o = one_call();
    o.cancel_ratio = 1;
    uas::AgentConfig ringing;
    ringing.ring = 2000ms;
    UacRig rig(o, ringing);
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::cancelled), 1u);
    EXPECT_EQ(rig.ended(), 1u);
    EXPECT_EQ(rig.uas->counters().cancelled, 1u);
    EXPECT_EQ(rig.uas->counters().answered, 0u);
    EXPECT_EQ(rig.stats().final_status.at(487), 1u);
    // §9.1: the CANCEL copies the INVITE's Request-URI, Call-ID, From, To, CSeq number and Via.
    auto invites = rig.sent("INVITE");
    auto cancels = rig.sent("CANCEL");
    ASSERT_EQ(invites.size(), 1u);
    ASSERT_EQ(cancels.size(), 1u);
    EXPECT_EQ(cancels[0].request_uri(), invites[0].request_uri());
    EXPECT_EQ(cancels[0].call_id(), invites[0].call_id());
    EXPECT_EQ(cancels[0].header(sip::HeaderId::from), invites[0].header(sip::HeaderId::from));
    EXPECT_EQ(cancels[0].header(sip::HeaderId::to), invites[0].header(sip::HeaderId::to));
    EXPECT_EQ(cancels[0].cseq().number, invites[0].cseq().number);
    EXPECT_EQ(cancels[0].top_via().branch(), invites[0].top_via().branch());
    EXPECT_TRUE(rig.sent("BYE").empty());
    EXPECT_EQ(rig.media.ended.size(), 1u);
    EXPECT_TRUE(rig.media.started.empty());
}

TEST(UacCoreCancel, RingTimeoutCancelsAfterTheTimeout) {
    auto o = one_call();
    o.ring_timeout = 1000ms;
    uas::AgentConfig ringing;
    ringing.ring = 5000ms;
    UacRig rig(o, ringing);
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::ring_timeout), 1u);
    EXPECT_EQ(rig.ended(), 1u);
    EXPECT_EQ(rig.uas->counters().cancelled, 1u);
    auto invite_at = rig.net.log.front().sent_at;
    TimePoint cancel_at{};
    for (const auto& d : rig.net.log)
        if (d.bytes.starts_with("CANCEL")) cancel_at = d.sent_at;
    EXPECT_EQ(cancel_at - invite_at, 1000ms);
}

TEST(UacCoreCancel, NoCancelBeforeAProvisionalAndTimerBEndsTheCall) {
    // §9.1: a silent callee gets no CANCEL; Timer B (64*T1) ends the call as a timeout.
    auto o = one_call();
    o.ring_timeout = 1000ms;
    UacRig rig(o);
    rig.phone.answer_invites = false;
    ASSERT_TRUE(rig.run());
    EXPECT_TRUE(rig.sent("CANCEL").empty());
    EXPECT_EQ(rig.count(Outcome::timeout), 1u);
    EXPECT_EQ(rig.ended(), 1u);
    EXPECT_EQ(rig.stats().timeouts.at("invite:B"), 1u);
}

TEST(UacCoreCancel, ASilentCalleeTimesOutWithTimerB) {
    UacRig rig(one_call());
    rig.phone.answer_invites = false;
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::timeout), 1u);
    EXPECT_EQ(rig.stats().timeouts.at("invite:B"), 1u);
    EXPECT_EQ(rig.sent("INVITE").size(), 7u) << "Timer A: 0, .5, 1.5, 3.5, 7.5, 15.5, 31.5 s";
    EXPECT_EQ(rig.media.ended.size(), 1u);
}

TEST(UacCoreCancel, ARejectedCallFailsWithItsStatus) {
    uas::AgentConfig rejecting;
    rejecting.reject_ratio_ppm = 1'000'000;
    rejecting.reject_code = 486;
    UacRig rig(one_call(), rejecting);
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::failed_status), 1u);
    EXPECT_EQ(rig.stats().final_status.at(486), 1u);
}

TEST(UacCoreBye, AByeAnswered481FailsTheCall) {
    UacRig rig(one_call());
    rig.phone.bye_status = 481;
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::failed_bye), 1u);
    EXPECT_EQ(rig.ended(), 1u);
    EXPECT_EQ(rig.media.stopped.size(), 1u);
    EXPECT_EQ(rig.media.ended.size(), 1u);
}

TEST(UacCoreBye, AByeFromTheCalleeCompletesTheCallAndIsAnswered200) {
    auto o = one_call();
    o.hold = 10s;
    UacRig rig(o);
    rig.start();
    ASSERT_TRUE(rig.run_until([&] { return !rig.phone.acks.empty(); }));
    rig.phone.send(rig.answered_call(), "BYE");
    ASSERT_TRUE(rig.run_until([&] { return rig.core.finished(); }, 5s));
    rig.run_for(100ms);  // our 200 on its way
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
    EXPECT_EQ(rig.ended(), 1u);
    ASSERT_NE(rig.phone.last("BYE"), nullptr);
    EXPECT_EQ(rig.phone.last("BYE")->status, 200);
    EXPECT_TRUE(rig.sent("BYE").empty()) << "the call is over: no BYE of ours";
    EXPECT_EQ(rig.media.ended.size(), 1u);
}

TEST(UacCoreBye, AnUnansweredByeTimesOutWithTimerF) {
    UacRig rig(one_call());
    rig.phone.bye_status = 0;
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::failed_bye), 1u);
    EXPECT_EQ(rig.stats().timeouts.at("bye:F"), 1u);
    EXPECT_EQ(rig.ended(), 1u);
}

TEST(UacCoreBye, AChallengedByeIsAnsweredOnceWithTheCallersCredentials) {
    auto o = one_call();
    o.population = population({"alice"}, {"bob"});
    UacRig rig(o);
    rig.phone.passwords["alice"] = "pw-alice";
    rig.phone.challenge_byes = true;
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
    auto byes = rig.sent("BYE");
    ASSERT_EQ(byes.size(), 2u);
    EXPECT_FALSE(byes[0].has(sip::HeaderId::proxy_authorization));
    auto f = sip::parse_authorization(byes[1].header(sip::HeaderId::proxy_authorization));
    ASSERT_TRUE(f);
    EXPECT_EQ(f->username, "alice");
    EXPECT_EQ(f->uri, "sip:peer@10.0.0.2:5060") << "the BYE's Request-URI";
    EXPECT_GT(byes[1].cseq().number, byes[0].cseq().number);
}

TEST(UacCoreBye, AByeRefusedAfterOurCredentialsFailsTheCall) {
    auto o = one_call();
    o.population = population({"alice"}, {"bob"});
    UacRig rig(o);
    rig.phone.passwords["alice"] = "another";
    rig.phone.challenge_byes = true;
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::failed_bye), 1u);
    EXPECT_EQ(rig.sent("BYE").size(), 2u) << "one answer to the challenge, no loop";
}

TEST(UacCoreBye, ByesCrossingEachOtherEndTheCallOnce) {
    UacRig rig(one_call());
    rig.start();
    ASSERT_TRUE(rig.run_until([&] { return !rig.sent("BYE").empty(); }));
    rig.phone.send(rig.answered_call(), "BYE");  // ours is in flight
    ASSERT_TRUE(rig.run_until([&] { return rig.core.finished(); }, 5s));
    rig.run_for(1s);
    EXPECT_EQ(rig.ended(), 1u);
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
    EXPECT_EQ(rig.media.ended.size(), 1u);
}

// --- route set, stop, concurrency ---

TEST(UacCoreRouting, AckAndByeFollowTheRouteSet) {
    // The 2xx comes through a proxy at 10.0.0.2 that record-routes; the callee's Contact is
    // not reachable directly, so an ACK or BYE sent to it would be lost.
    UacRig rig(one_call());
    rig.phone.record_route = "<sip:10.0.0.2:5060;lr>";
    rig.phone.contact_2xx = "sip:peer@10.0.0.9:5070";
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
    for (const char* method : {"ACK", "BYE"}) {
        SCOPED_TRACE(method);
        auto sent = rig.sent(method);
        ASSERT_EQ(sent.size(), 1u);
        EXPECT_EQ(sent[0].request_uri(), "sip:peer@10.0.0.9:5070");
        EXPECT_EQ(sent[0].header(sip::HeaderId::route), "<sip:10.0.0.2:5060;lr>");
    }
    for (const auto& d : rig.net.sent_from(rig.uac_sink.self()))
        EXPECT_EQ(d.to, rig.peer_sink.self()) << first_line(d.bytes);
}

TEST(UacCoreStop, StopByesAnsweredCallsAndCancelsRingingOnes) {
    auto o = one_call();
    o.total = 10;
    o.cps = 10;
    o.hold = 60s;
    uas::AgentConfig slow;
    slow.ring = 350ms;  // calls 0-6 answered by 1 s, 7-9 still ringing
    UacRig rig(o, slow);
    rig.start();
    rig.run_for(1000ms);
    ASSERT_EQ(rig.core.active(), 10u);
    rig.core.stop(rig.net.now);
    ASSERT_TRUE(rig.run_until([&] { return rig.core.finished(); }, 10s));
    EXPECT_EQ(rig.count(Outcome::completed), 7u);
    EXPECT_EQ(rig.count(Outcome::interrupted), 3u);
    EXPECT_EQ(rig.sent("CANCEL").size(), 3u);
    EXPECT_EQ(rig.ended(), 10u);
}

TEST(UacCoreStop, StopPlacesNoMoreCalls) {
    auto o = one_call();
    o.total = 100;
    o.cps = 10;
    UacRig rig(o, uas::AgentConfig{});
    rig.start();
    rig.run_for(500ms);  // calls 0-5, at 0, 100, ..., 500 ms
    rig.core.stop(rig.net.now);
    ASSERT_TRUE(rig.run_until([&] { return rig.core.finished(); }, 10s));
    EXPECT_EQ(rig.stats().attempted, 6u);
    EXPECT_EQ(rig.ended(), 6u);
}

TEST(UacCoreStop, StopWhileCallersRegisterPlacesNoCallAndFinishes) {
    auto o = one_call();
    o.population = population({"alice", "carol"}, {"bob"});
    o.register_callers = true;
    UacRig rig(o);
    rig.phone.passwords = {{"alice", "pw-alice"}, {"carol", "pw-carol"}};
    rig.start();
    rig.run_for(1ms);  // alice's REGISTER out, carol's due at 5 ms (register_rate 200/s)
    rig.core.stop(rig.net.now);
    ASSERT_TRUE(rig.run_until([&] { return rig.core.finished(); }, 10s));
    EXPECT_EQ(rig.stats().attempted, 0u);
    EXPECT_TRUE(rig.phone.invites.empty());
    // alice's challenged REGISTER was turned into her un-REGISTER; carol's, not yet due when
    // we stopped, must not go out at all: a binding nobody removes.
    EXPECT_TRUE(rig.phone.register_ok.empty());
    EXPECT_EQ(rig.stats().subscribers.registrations.registered, 0u);
}

TEST(UacCoreStop, WhatTheGraceDoesNotEndIsInterrupted) {
    auto o = one_call();
    o.shutdown_grace = 2s;
    UacRig rig(o);
    rig.phone.answer_invites = false;  // no provisional: no CANCEL may be sent (§9.1)
    rig.start();
    rig.run_for(100ms);
    rig.core.stop(rig.net.now);
    const TimePoint stopped = rig.net.now;
    ASSERT_TRUE(rig.run_until([&] { return rig.core.finished(); }, 10s));
    EXPECT_EQ(rig.count(Outcome::interrupted), 1u);
    EXPECT_EQ(rig.net.now - stopped, 2s);
}

TEST(UacCoreConcurrency, NoCallsFinishesAtOnce) {
    auto o = one_call();
    o.total = 0;
    UacRig rig(o);
    rig.start();
    EXPECT_TRUE(rig.core.finished());
    EXPECT_EQ(rig.finished, 1);
    EXPECT_TRUE(rig.net.log.empty());
}

TEST(UacCoreConcurrency, MaxConcurrentIsNeverExceededAndEveryCallIsPlaced) {
    auto o = one_call();
    o.total = 8;
    o.cps = 100;
    o.max_concurrent = 3;
    UacRig rig(o, uas::AgentConfig{});
    rig.start();
    std::uint64_t peak = 0;
    ASSERT_TRUE(rig.run_until([&] {
        peak = std::max(peak, rig.core.active());
        return rig.core.finished();
    }));
    EXPECT_EQ(peak, 3u);
    EXPECT_EQ(rig.count(Outcome::completed), 8u);
}

TEST(UacCoreCancel, ACancelRatioCancelsThatExactShare) {
    auto o = one_call();
    o.total = 8;
    o.cancel_ratio = 0.25;
    uas::AgentConfig ringing;
    ringing.ring = 2000ms;
    UacRig rig(o, ringing);
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::cancelled), 2u);
    EXPECT_EQ(rig.count(Outcome::completed), 6u);
}

TEST(UacCoreCancel, A2xxCrossingOurCancelIsAckedAndByed) {
    // The Phone sends 180 and 200 at once: our CANCEL (after the 180) crosses the 200.
    auto o = one_call();
    o.cancel_ratio = 1;
    UacRig rig(o);
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.stats().cancel_races, 1u);
    EXPECT_EQ(rig.sent("CANCEL").size(), 1u);
    EXPECT_EQ(rig.sent("ACK").size(), 1u);
    EXPECT_EQ(rig.sent("BYE").size(), 1u);
    EXPECT_EQ(rig.ended(), 1u);
    EXPECT_EQ(rig.phone.bye_ok.size(), 1u);
}

TEST(UacCoreCancel, ACancelThatGetsNo487StillEndsTheCall) {
    // The far end answers the CANCEL with 200 but never ends the INVITE: §9.1 lets the UAC
    // consider it cancelled 64*T1 after the CANCEL instead of waiting for Timer C (3 min).
    auto o = one_call();
    o.cancel_ratio = 1;
    UacRig rig(o);
    rig.phone.send_final = false;
    rig.phone.cancel_487 = false;
    ASSERT_TRUE(rig.run(600s));
    EXPECT_EQ(rig.ended(), 1u);
    EXPECT_EQ(rig.count(Outcome::cancelled), 1u);
    EXPECT_LE(rig.net.now - (TimePoint{} + 1h), 33s);
}

// --- media path (issue 11 item 8) ---

uac::MediaPathStats media_path_of(std::optional<uac::UacRtpSource> source,
                                  bool know_peer_range = true) {
    auto o = one_call();
    if (know_peer_range) o.peer_media = uac::BatchOptions::PortRange{"10.0.0.2", 40000, 40100};
    UacRig rig(o);
    rig.media.source = source;
    EXPECT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
    return rig.stats().subscribers.media_path;
}

uac::UacRtpSource from(const char* host, std::uint16_t port, std::uint32_t changes = 0) {
    return {fake_address(host, port), changes};
}

TEST(UacCoreMediaPath, RtpFromThePeerRangeIsDirect) {
    auto s = media_path_of(from("10.0.0.2", 40000));
    EXPECT_EQ(s.direct, 1u);
    EXPECT_EQ(s.relayed, 0u);
    EXPECT_EQ(s.unknown, 0u);
    // RTCP comes from the port after the last RTP port of the range.
    EXPECT_EQ(media_path_of(from("10.0.0.2", 40101)).direct, 1u);
}

TEST(UacCoreMediaPath, RtpFromElsewhereIsRelayedAndNamesTheRelay) {
    auto s = media_path_of(from("10.0.0.7", 20000));
    EXPECT_EQ(s.direct, 0u);
    EXPECT_EQ(s.relayed, 1u);
    EXPECT_EQ(s.relays.at("10.0.0.7"), 1u);
    EXPECT_EQ(media_path_of(from("10.0.0.2", 39998)).relayed, 1u) << "outside the range";
    EXPECT_EQ(media_path_of(from("10.0.0.2", 40200)).relayed, 1u) << "outside the range";
}

TEST(UacCoreMediaPath, NoSourceOrNoRangeIsUnknown) {
    EXPECT_EQ(media_path_of(std::nullopt).unknown, 1u);
    EXPECT_EQ(media_path_of(from("10.0.0.2", 40000), false).unknown, 1u);
}

TEST(UacCoreMediaPath, ASourceThatChangedIsCounted) {
    auto s = media_path_of(from("10.0.0.2", 40000, 2));
    EXPECT_EQ(s.source_changed, 1u);
    EXPECT_EQ(s.direct, 1u);
}

TEST(UacCoreMediaPath, MediaIsStartedAtTheAnswerAndStoppedBeforeTheBye) {
    UacRig rig(one_call());
    ASSERT_TRUE(rig.run());
    ASSERT_EQ(rig.media.started.size(), 1u);
    EXPECT_EQ(rig.media.started[0].remote.address, "10.0.0.2");
    EXPECT_EQ(rig.media.started[0].remote.rtp_port, 40000);
    EXPECT_THAT(rig.media.stopped, ElementsAre(1u));
    EXPECT_THAT(rig.media.ended, ElementsAre(1u));
    // Our offer announced the slot's port.
    auto invites = rig.sent("INVITE");
    ASSERT_EQ(invites.size(), 1u);
    auto sdp = sip::parse_sdp(invites[0].body());
    ASSERT_TRUE(sdp);
    EXPECT_EQ(sip::remote_audio_endpoint(*sdp)->rtp_port, 30002);
}

TEST(UacCoreMediaPath, TheCoreFinishesOnlyAfterEndedStreamsLingered) {
    UacRig rig(one_call());
    rig.media.clock = &rig.net.now;
    ASSERT_TRUE(rig.run());
    ASSERT_EQ(rig.media.ended_at.size(), 1u);
    // The engine's linger (200 ms) and a margin of 50 ms, so late echoes are measured.
    EXPECT_EQ(rig.net.now - rig.media.ended_at[0], 250ms);
}

TEST(UacCoreMediaPath, NoFreePortFailsTheCallWithoutSendingIt) {
    UacRig rig(one_call());
    rig.media.exhausted = true;
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::transport_error), 1u);
    EXPECT_TRUE(rig.sent("INVITE").empty());
}

// --- shards (--threads) ---

TEST(UacCoreShards, EachCallerLivesOnOneShardAndTheShardsPlaceEveryCall) {
    auto o = rig_options();
    o.population = population({"alice", "carol", "erin"}, {"bob", "dave", "frank", "gina"});
    o.total = 12;
    o.shards = 2;
    std::map<std::string, std::set<std::uint64_t>> shards_of_caller;
    std::set<std::uint64_t> calls;
    std::uint64_t attempted = 0;
    for (std::uint64_t shard = 0; shard < 2; ++shard) {
        SCOPED_TRACE(shard);
        o.shard = shard;
        UacRig rig(o, uas::AgentConfig{});
        ASSERT_TRUE(rig.run());
        attempted += rig.stats().attempted;
        EXPECT_EQ(rig.count(Outcome::completed), rig.stats().attempted);
        for (const auto& [i, pair] : pairs_seen(rig)) {
            EXPECT_TRUE(calls.insert(i).second) << "call " << i << " placed twice";
            shards_of_caller[pair.first].insert(shard);
            EXPECT_TRUE(rig.core.owns(i));
        }
    }
    EXPECT_EQ(attempted, 12u);
    EXPECT_EQ(calls.size(), 12u);
    EXPECT_EQ(*calls.rbegin(), 11u);
    ASSERT_EQ(shards_of_caller.size(), 3u);
    for (const auto& [caller, shards] : shards_of_caller)
        EXPECT_EQ(shards.size(), 1u) << caller << " called from both shards";
}

}  // namespace
}  // namespace pbxbench::test
