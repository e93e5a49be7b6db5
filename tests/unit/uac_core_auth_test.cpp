// The UAC call core's callers as a PBX sees them: digest answers to 407 and 401 (MD5, SHA-256,
// qop=auth), nonce reuse with a growing nc, stale nonces, wrong passwords, unknown algorithms;
// and caller registration before the first call, refreshed during long holds, removed after.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/support/uac_core_rig.hpp"

namespace pbxbench::test {
namespace {

using ::testing::ElementsAre;
using uac::Outcome;

// Calls from `callers` to bob and dave, two a second, each held 500 ms.
uac::BatchOptions calls_from(std::vector<std::string> callers, std::uint64_t total) {
    auto o = rig_options();
    o.population = population(std::move(callers), {"bob", "dave"});
    o.total = total;
    o.cps = 2;
    o.hold = 500ms;
    return o;
}

// A rig whose Phone knows every caller's password and challenges INVITEs with `auth`.
std::unique_ptr<UacRig> challenging_rig(const uac::BatchOptions& o, Phone::Auth auth,
                                        std::string algorithm = "MD5") {
    auto rig = std::make_unique<UacRig>(o);
    for (const auto& c : o.population.callers) rig->phone.passwords[c.user] = c.password;
    rig->phone.auth = auth;
    rig->phone.algorithm = std::move(algorithm);
    return rig;
}

// The credentials of every INVITE `user` sent, in order: the parsed header, or nullopt.
std::vector<std::optional<sip::AuthorizationFields>> credentials_of(const Phone& phone,
                                                                    std::string_view user,
                                                                    sip::HeaderId header) {
    std::vector<std::optional<sip::AuthorizationFields>> out;
    for (const auto& raw : phone.invites) {
        auto m = sip::Message::parse(raw);
        if (!m || uri_user(m->from().uri) != user) continue;
        auto f = sip::parse_authorization(m->header(header));
        out.push_back(f ? std::optional(*f) : std::nullopt);
    }
    return out;
}

std::vector<std::string> ncs(const std::vector<std::optional<sip::AuthorizationFields>>& fs) {
    std::vector<std::string> out;
    for (const auto& f : fs) out.push_back(f ? f->nc : "-");
    return out;
}

TEST(UacCoreAuth, Proxy407IsAnsweredAndTheNonceReusedWithAGrowingNc) {
    auto o = calls_from({"alice", "carol"}, 6);
    auto rig = challenging_rig(o, Phone::Auth::proxy);
    ASSERT_TRUE(rig->run());
    EXPECT_EQ(rig->count(Outcome::completed), 6u);
    const auto& a = rig->stats().subscribers.auth;
    EXPECT_EQ(a.challenges.at(407), 2u) << "one challenge per caller";
    EXPECT_EQ(rig->stats().auth_challenges, 2u);
    EXPECT_EQ(a.fresh_challenges, 2u);
    EXPECT_EQ(a.nonce_reused, 4u);
    EXPECT_EQ(a.stale, 0u);
    EXPECT_TRUE(a.failures_by_user.empty());

    // alice places calls 0, 2 and 4: the first INVITE is challenged, every later one carries
    // the same nonce with nc counting up (RFC 7616 §3.4).
    auto alice = credentials_of(rig->phone, "alice", sip::HeaderId::proxy_authorization);
    EXPECT_THAT(ncs(alice), ElementsAre("-", "00000001", "00000002", "00000003"));
    ASSERT_EQ(alice.size(), 4u);
    for (std::size_t i = 1; i < alice.size(); ++i) {
        ASSERT_TRUE(alice[i]);
        EXPECT_EQ(alice[i]->nonce, alice[1]->nonce);
        EXPECT_EQ(alice[i]->username, "alice");
        EXPECT_EQ(alice[i]->realm, "pbx.test");
        EXPECT_EQ(alice[i]->qop, sip::Qop::auth);
        EXPECT_EQ(alice[i]->algorithm, sip::DigestAlgorithm::md5);
        EXPECT_EQ(alice[i]->uri, "sip:bob@pbx.test");
    }
    EXPECT_NE(alice[1]->cnonce, alice[2]->cnonce);
    // The retry after a challenge is a new transaction of the same call with the next CSeq.
    auto first = sip::Message::parse(rig->phone.invites[0]);
    auto retry = sip::Message::parse(rig->phone.invites[1]);
    EXPECT_EQ(first->call_id(), retry->call_id());
    EXPECT_EQ(retry->cseq().number, first->cseq().number + 1);
    EXPECT_NE(retry->top_via().branch(), first->top_via().branch());
    EXPECT_TRUE(credentials_of(rig->phone, "alice", sip::HeaderId::authorization)[1] ==
                std::nullopt)
        << "a 407 is answered in Proxy-Authorization only";
    // Each 2xx is ACKed with the CSeq of the INVITE it answered (2 after a challenge, else 1).
    std::map<std::string, std::uint32_t> invite_cseq;
    for (const auto& raw : rig->phone.invites) {
        auto m = sip::Message::parse(raw);
        invite_cseq[std::string(m->call_id())] = m->cseq().number;
    }
    ASSERT_EQ(rig->phone.acks.size(), 6u);
    for (const auto& raw : rig->phone.acks) {
        auto ack = sip::Message::parse(raw);
        EXPECT_EQ(ack->cseq().number, invite_cseq.at(std::string(ack->call_id())));
    }
}

TEST(UacCoreAuth, Sha256ChallengesAreAnsweredWithSha256) {
    auto o = calls_from({"alice", "carol"}, 4);
    auto rig = challenging_rig(o, Phone::Auth::proxy, "SHA-256");
    ASSERT_TRUE(rig->run());
    EXPECT_EQ(rig->count(Outcome::completed), 4u);
    EXPECT_EQ(rig->stats().subscribers.auth.challenges.at(407), 2u);
    auto carol = credentials_of(rig->phone, "carol", sip::HeaderId::proxy_authorization);
    EXPECT_THAT(ncs(carol), ElementsAre("-", "00000001", "00000002"));
    ASSERT_TRUE(carol[1]);
    EXPECT_EQ(carol[1]->algorithm, sip::DigestAlgorithm::sha256);
    EXPECT_EQ(carol[1]->response.size(), 64u) << "a SHA-256 digest";
}

TEST(UacCoreAuth, A401IsAnsweredInAuthorization) {
    auto o = calls_from({"alice"}, 2);
    auto rig = challenging_rig(o, Phone::Auth::www);
    ASSERT_TRUE(rig->run());
    EXPECT_EQ(rig->count(Outcome::completed), 2u);
    EXPECT_EQ(rig->stats().subscribers.auth.challenges.at(401), 1u);
    EXPECT_EQ(rig->stats().subscribers.auth.challenges.count(407), 0u);
    auto alice = credentials_of(rig->phone, "alice", sip::HeaderId::authorization);
    EXPECT_THAT(ncs(alice), ElementsAre("-", "00000001", "00000002"));
    EXPECT_TRUE(credentials_of(rig->phone, "alice", sip::HeaderId::proxy_authorization)[1] ==
                std::nullopt);
}

TEST(UacCoreAuth, AStaleReusedNonceIsRetriedWithTheFreshOne) {
    auto o = calls_from({"alice", "carol"}, 6);
    auto rig = challenging_rig(o, Phone::Auth::proxy);
    rig->phone.stale_on_reuse = true;
    ASSERT_TRUE(rig->run());
    EXPECT_EQ(rig->count(Outcome::completed), 6u);
    const auto& a = rig->stats().subscribers.auth;
    EXPECT_EQ(rig->phone.stale_sent, 4);
    EXPECT_EQ(a.stale, 4u);
    EXPECT_EQ(a.nonce_reused, 4u);
    EXPECT_EQ(a.fresh_challenges, 6u);
    EXPECT_EQ(a.challenges.at(407), 6u);
    EXPECT_TRUE(a.failures_by_user.empty());
    // Each later call: cached nonce (nc 2), refused as stale, then the fresh nonce at nc 1.
    EXPECT_THAT(ncs(credentials_of(rig->phone, "alice", sip::HeaderId::proxy_authorization)),
                ElementsAre("-", "00000001", "00000002", "00000001", "00000002", "00000001"));
}

TEST(UacCoreAuth, AStaleAnswerToAFreshChallengeIsRetriedOnce) {
    // RFC 7616 §3.3: stale=true says the credentials were right and only the nonce was not;
    // the client retries with the new nonce, whether or not its refused request reused one.
    auto o = calls_from({"alice"}, 2);
    auto rig = challenging_rig(o, Phone::Auth::proxy);
    rig->phone.stale_next = true;
    ASSERT_TRUE(rig->run());
    EXPECT_EQ(rig->count(Outcome::completed), 2u);
    const auto& a = rig->stats().subscribers.auth;
    EXPECT_EQ(a.stale, 1u);
    EXPECT_EQ(a.challenges.at(407), 2u);
    EXPECT_TRUE(a.failures_by_user.empty());
    EXPECT_THAT(ncs(credentials_of(rig->phone, "alice", sip::HeaderId::proxy_authorization)),
                ElementsAre("-", "00000001", "00000001", "00000002"));
}

TEST(UacCoreAuth, AServerThatIsAlwaysStaleCannotLoopUs) {
    auto o = calls_from({"alice"}, 1);
    auto rig = challenging_rig(o, Phone::Auth::proxy);
    rig->phone.always_stale = true;
    ASSERT_TRUE(rig->run());
    EXPECT_EQ(rig->count(Outcome::failed_status), 1u);
    EXPECT_LE(rig->phone.invites.size(), 3u) << "the first, our answer, one stale retry";
}

TEST(UacCoreAuth, AWrongPasswordFailsOnlyThatCallersCalls) {
    auto o = calls_from({"alice", "mallory", "carol"}, 6);
    auto rig = challenging_rig(o, Phone::Auth::proxy);
    rig->phone.passwords["mallory"] = "the-real-one";
    ASSERT_TRUE(rig->run());
    EXPECT_EQ(rig->count(Outcome::completed), 4u);
    EXPECT_EQ(rig->count(Outcome::failed_status), 2u) << "mallory's calls 1 and 4";
    EXPECT_EQ(rig->stats().final_status.at(407), 2u);
    const auto& a = rig->stats().subscribers.auth;
    EXPECT_EQ(a.failures_by_user.size(), 1u);
    EXPECT_EQ(a.failures_by_user.at("mallory"), 2u);
    // Each of mallory's calls tried once with credentials, then gave up: no retry loop.
    EXPECT_EQ(credentials_of(rig->phone, "mallory", sip::HeaderId::proxy_authorization).size(), 4u);
}

TEST(UacCoreAuth, AnUnknownAlgorithmFailsTheCallAndIsCounted) {
    auto o = calls_from({"alice"}, 2);
    auto rig = challenging_rig(o, Phone::Auth::proxy, "SHA-512-256");
    ASSERT_TRUE(rig->run());
    EXPECT_EQ(rig->count(Outcome::failed_status), 2u);
    EXPECT_EQ(rig->stats().final_status.at(407), 2u);
    EXPECT_EQ(rig->stats().subscribers.auth.unsupported, 2u);
    EXPECT_EQ(rig->phone.invites.size(), 2u) << "no answer to a challenge we cannot compute";
}

TEST(UacCoreAuth, ACallerWithoutPasswordFailsOnTheChallenge) {
    auto o = calls_from({"alice"}, 1);
    o.population.callers[0].password.clear();
    auto rig = challenging_rig(o, Phone::Auth::proxy);
    ASSERT_TRUE(rig->run());
    EXPECT_EQ(rig->count(Outcome::failed_status), 1u);
    EXPECT_EQ(rig->phone.invites.size(), 1u);
}

TEST(UacCoreAuth, TheSingleTargetFormAnswersWithAuthUser) {
    auto o = rig_options();
    o.total = 2;
    o.auth_user = "1001";
    o.auth_password = "secret";
    UacRig rig(o);
    rig.phone.passwords["1001"] = "secret";
    rig.phone.auth = Phone::Auth::proxy;
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::completed), 2u);
    auto creds = credentials_of(rig.phone, "pbxbench", sip::HeaderId::proxy_authorization);
    EXPECT_THAT(ncs(creds), ElementsAre("-", "00000001", "00000002"));
    EXPECT_EQ(creds[1]->username, "1001");
}

// --- caller registration ---

uac::BatchOptions registering(std::vector<std::string> callers, std::uint64_t total) {
    auto o = calls_from(std::move(callers), total);
    o.register_callers = true;
    return o;
}

std::unique_ptr<UacRig> registrar_rig(const uac::BatchOptions& o) {
    auto rig = std::make_unique<UacRig>(o);
    for (const auto& c : o.population.callers) rig->phone.passwords[c.user] = c.password;
    return rig;
}

TEST(UacCoreRegistration, EveryCallerRegistersBeforeTheFirstCallAndUnregistersAfterTheLast) {
    auto o = registering({"alice", "carol", "erin"}, 3);
    auto rig = registrar_rig(o);
    bool checked = false;
    rig->at_ready = [&] {
        checked = true;
        EXPECT_EQ(rig->stats().subscribers.registrations.registered, 3u);
        EXPECT_TRUE(rig->phone.invites.empty());
    };
    ASSERT_TRUE(rig->run());
    EXPECT_TRUE(checked);
    EXPECT_EQ(rig->ready, 1);
    EXPECT_EQ(rig->count(Outcome::completed), 3u);
    const auto& r = rig->stats().subscribers.registrations;
    EXPECT_EQ(r.callers, 3u);
    EXPECT_EQ(r.registered, 3u);
    EXPECT_EQ(r.failed, 0u);
    EXPECT_EQ(r.unregistered, 3u);
    for (const char* user : {"alice", "carol", "erin"}) {
        EXPECT_EQ(rig->phone.register_ok[user], 1) << user;
        EXPECT_EQ(rig->phone.unregister_ok[user], 1) << user;
    }
    // The first REGISTER of each caller is challenged with 401 and answered in Authorization.
    auto first = sip::Message::parse(rig->phone.registers[0]);
    EXPECT_FALSE(first->has(sip::HeaderId::authorization));
    auto second = sip::Message::parse(rig->phone.registers[1]);
    EXPECT_TRUE(second->has(sip::HeaderId::authorization));
    // The un-REGISTERs (Expires: 0) follow the last BYE.
    TimePoint last_bye{}, first_unregister = TimePoint::max();
    for (const auto& d : rig->net.log) {
        if (d.bytes.starts_with("BYE")) last_bye = d.sent_at;
        if (d.bytes.starts_with("REGISTER") && d.bytes.find("Expires: 0\r\n") != std::string::npos)
            first_unregister = std::min(first_unregister, d.sent_at);
    }
    EXPECT_GT(first_unregister, last_bye);
    EXPECT_EQ(rig->finished, 1);
}

TEST(UacCoreRegistration, AShortGrantIsRefreshedDuringALongHold) {
    auto o = registering({"alice"}, 1);
    o.hold = 10s;
    auto rig = registrar_rig(o);
    rig->phone.max_expires = 4;  // refreshed every 2 s (never before half the grant)
    ASSERT_TRUE(rig->run());
    EXPECT_EQ(rig->count(Outcome::completed), 1u);
    const auto& r = rig->stats().subscribers.registrations;
    EXPECT_EQ(r.registered, 1u);
    EXPECT_GE(r.refreshes, 4u);
    EXPECT_EQ(static_cast<std::uint64_t>(rig->phone.register_ok["alice"]), 1 + r.refreshes);
    EXPECT_EQ(r.unregistered, 1u);
}

TEST(UacCoreRegistration, ARefusedCallerIsCountedAndTheOthersCallsProceed) {
    auto o = registering({"alice", "carol", "erin"}, 6);
    auto rig = registrar_rig(o);
    rig->phone.refuse = {"carol"};
    ASSERT_TRUE(rig->run());
    EXPECT_EQ(rig->ready, 1);
    EXPECT_TRUE(rig->core.setup_error().empty()) << rig->core.setup_error();
    const auto& r = rig->stats().subscribers.registrations;
    EXPECT_EQ(r.registered, 2u);
    EXPECT_EQ(r.failed, 1u);
    EXPECT_EQ(r.unregistered, 2u) << "carol had no binding to remove";
    EXPECT_EQ(r.failed_users, std::vector<std::string>{"carol"});
    EXPECT_TRUE(rig->stats().subscribers.auth.failures_by_user.empty())
        << "failures_by_user counts calls; carol's calls all completed";
    EXPECT_EQ(rig->stats().attempted, 6u);
    // This registrar does not challenge INVITEs, so carol's calls go through as well.
    EXPECT_EQ(rig->count(Outcome::completed), 6u);
    EXPECT_EQ(rig->phone.unregister_ok.count("carol"), 0u);
}

TEST(UacCoreRegistration, NoCallerRegisteredMeansNoCalls) {
    auto o = registering({"alice", "carol"}, 4);
    auto rig = registrar_rig(o);
    rig->phone.refuse = {"alice", "carol"};
    ASSERT_TRUE(rig->run());
    EXPECT_EQ(rig->ready, 1);
    EXPECT_EQ(rig->stats().attempted, 0u);
    EXPECT_TRUE(rig->phone.invites.empty());
    EXPECT_NE(rig->core.setup_error().find("registration of"), std::string::npos)
        << rig->core.setup_error();
    EXPECT_NE(rig->core.setup_error().find("403"), std::string::npos);
    EXPECT_EQ(rig->stats().subscribers.registrations.failed, 2u);
}

TEST(UacCoreRegistration, EachShardRegistersTheCallersItOwns) {
    auto o = registering({"alice", "carol", "erin"}, 6);
    o.shards = 2;
    std::map<std::string, int> registered;
    std::uint64_t callers = 0;
    for (std::uint64_t shard = 0; shard < 2; ++shard) {
        SCOPED_TRACE(shard);
        o.shard = shard;
        auto rig = registrar_rig(o);
        ASSERT_TRUE(rig->run());
        callers += rig->stats().subscribers.registrations.callers;
        for (const auto& [user, n] : rig->phone.register_ok) registered[user] += n;
        // A shard's calls come from its own, registered, callers.
        for (const auto& raw : rig->phone.invites) {
            auto m = sip::Message::parse(raw);
            EXPECT_EQ(rig->phone.register_ok.count(uri_user(m->from().uri)), 1u);
        }
    }
    EXPECT_EQ(callers, 3u);
    EXPECT_EQ(registered, (std::map<std::string, int>{{"alice", 1}, {"carol", 1}, {"erin", 1}}));
}

TEST(UacCoreRegistration, TheSingleTargetFormRegistersItsAuthUserOnShardZeroOnly) {
    auto o = rig_options();
    o.auth_user = "1001";
    o.auth_password = "secret";
    o.register_first = true;
    o.shards = 2;
    for (std::uint64_t shard = 0; shard < 2; ++shard) {
        SCOPED_TRACE(shard);
        o.shard = shard;
        UacRig rig(o);
        rig.phone.passwords["1001"] = "secret";
        ASSERT_TRUE(rig.run());
        EXPECT_EQ(rig.phone.register_ok["1001"], shard == 0 ? 1 : 0);
        EXPECT_EQ(rig.phone.unregister_ok["1001"], shard == 0 ? 1 : 0);
        EXPECT_EQ(rig.stats().subscribers.registrations.registered, shard == 0 ? 1u : 0u);
    }
}

TEST(UacCoreRegistration, ARefusedRefreshIsCountedAndTheCallGoesOn) {
    auto o = registering({"alice"}, 1);
    o.hold = 10s;
    auto rig = registrar_rig(o);
    rig->phone.max_expires = 4;
    rig->start();
    ASSERT_TRUE(rig->run_until([&] { return rig->ready == 1; }));
    rig->phone.refuse = {"alice"};  // the refresh 2 s later gets 403
    ASSERT_TRUE(rig->run_until([&] { return rig->core.finished(); }));
    EXPECT_EQ(rig->count(Outcome::completed), 1u);
    const auto& r = rig->stats().subscribers.registrations;
    EXPECT_EQ(r.registered, 1u);
    EXPECT_EQ(r.refreshes, 0u);
    EXPECT_EQ(r.failed, 1u);
    EXPECT_EQ(r.unregistered, 0u) << "no binding left to remove";
}

TEST(UacCoreRegistration, AnUnansweredUnregisterDelaysTheEndAtMostThreeSeconds) {
    auto o = registering({"alice"}, 1);
    auto rig = registrar_rig(o);
    rig->start();
    ASSERT_TRUE(rig->run_until([&] { return rig->ready == 1; }));
    rig->phone.answer_registers = false;
    ASSERT_TRUE(rig->run_until([&] { return rig->core.finished(); }));
    EXPECT_EQ(rig->count(Outcome::completed), 1u);
    EXPECT_EQ(rig->stats().subscribers.registrations.unregistered, 0u);
    TimePoint last_bye{};
    for (const auto& d : rig->net.log)
        if (d.bytes.starts_with("SIP/2.0 200") && d.bytes.find(" BYE\r\n") != std::string::npos)
            last_bye = d.sent_at;
    EXPECT_LE(rig->net.now - last_bye, 3100ms);
    EXPECT_GE(rig->net.now - last_bye, 3000ms);
}

TEST(UacCoreRegistration, NoCallsStillRegistersAndUnregisters) {
    auto o = registering({"alice", "carol"}, 0);
    auto rig = registrar_rig(o);
    ASSERT_TRUE(rig->run());
    EXPECT_EQ(rig->stats().attempted, 0u);
    EXPECT_EQ(rig->stats().subscribers.registrations.registered, 2u);
    EXPECT_EQ(rig->stats().subscribers.registrations.unregistered, 2u);
}

TEST(UacCoreRegistration, RegistrationsAreRateLimited) {
    auto o = registering({"alice", "carol", "erin"}, 1);
    o.register_rate = 10;  // one every 100 ms
    auto rig = registrar_rig(o);
    ASSERT_TRUE(rig->run());
    std::vector<TimePoint> first_sent;
    std::set<std::string> seen;
    for (const auto& d : rig->net.log) {
        if (!d.bytes.starts_with("REGISTER")) continue;
        auto m = sip::Message::parse(d.bytes);
        if (seen.insert(std::string(m->call_id())).second) first_sent.push_back(d.sent_at);
    }
    ASSERT_EQ(first_sent.size(), 3u);
    EXPECT_EQ(first_sent[1] - first_sent[0], 100ms);
    EXPECT_EQ(first_sent[2] - first_sent[1], 100ms);
}

}  // namespace
}  // namespace pbxbench::test
