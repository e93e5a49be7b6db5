// Mid-call flows the UAC starts itself (issue 13 item 5): hold by re-INVITE with a=sendonly and
// resume with a=sendrecv at chosen times, the RFC 3261 §14.1 retry after 491, failed and
// unanswered re-INVITEs, and glare with the far end's own offer. Over the fake network, against
// the real UasAgent and the hand-written Phone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "tests/unit/support/uac_core_rig.hpp"

namespace pbxbench::test {
namespace {

using uac::Outcome;

// One call held 10 s, put on hold 2 s after the answer for 3 s.
uac::BatchOptions with_hold(std::chrono::milliseconds hold = 10s, std::chrono::milliseconds at = 2s,
                            std::chrono::milliseconds for_ = 3s) {
    auto o = rig_options();
    o.hold = hold;
    o.hold_at = at;
    o.hold_for = for_;
    return o;
}

std::optional<sip::MediaEndpoint> endpoint_of(std::string_view raw) {
    auto m = sip::Message::parse(raw);
    if (!m) return std::nullopt;
    auto sdp = sip::parse_sdp(m->body());
    if (!sdp) return std::nullopt;
    auto ep = sip::remote_audio_endpoint(*sdp);
    return ep ? std::optional(*ep) : std::nullopt;
}

// Re-INVITEs the core sent (in-dialog INVITEs, first copies only: no retransmissions).
std::vector<sip::Message> reinvites(const UacRig& rig) {
    std::vector<sip::Message> out;
    std::set<std::string> branches;
    for (auto& m : rig.sent("INVITE")) {
        if (m.to().tag().empty()) continue;
        if (branches.insert(std::string(m.header(sip::HeaderId::via))).second)
            out.push_back(std::move(m));
    }
    return out;
}

// When the 2xx to the initial INVITE reached the core.
TimePoint answered_at(const UacRig& rig) {
    for (const auto& d : rig.net.log) {
        auto m = sip::Message::parse(d.bytes);
        if (m && m->is_response() && m->status() == 200 && m->cseq().method == sip::Method::invite)
            return d.deliver_at;
    }
    return {};
}

TEST(UacCoreMidcall, HoldAndResumeAgainstTheUasAgent) {
    UacRig rig(with_hold(), uas::AgentConfig{});
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
    auto sent = reinvites(rig);
    ASSERT_EQ(sent.size(), 2u);
    auto hold = endpoint_of(sent[0].raw());
    auto resume = endpoint_of(sent[1].raw());
    ASSERT_TRUE(hold && resume);
    EXPECT_EQ(hold->direction, sip::Direction::sendonly);
    EXPECT_EQ(resume->direction, sip::Direction::sendrecv);
    EXPECT_EQ(hold->rtp_port, 30002) << "the same stream, only its direction changes";
    EXPECT_GT(sent[1].cseq().number, sent[0].cseq().number);
    EXPECT_EQ(sent[0].header(sip::HeaderId::contact), "<sip:pbxbench@10.0.0.1:5060>");

    const auto& m = rig.stats().midcall;
    EXPECT_EQ(m.hold.calls, 1u);
    EXPECT_EQ(m.hold.sent, 1u);
    EXPECT_EQ(m.hold.ok, 1u);
    EXPECT_EQ(m.resume.ok, 1u);
    EXPECT_EQ(m.hold.unexpected_direction, 0u) << "the UasAgent answered recvonly";
    EXPECT_EQ(m.resume.unexpected_direction, 0u);
    ASSERT_EQ(m.hold.latency_us.size(), 1u);
    EXPECT_EQ(m.hold.latency_us[0], 2000u) << "1 ms each way on the fake network";
    EXPECT_EQ(m.resume.latency_us.size(), 1u);
    EXPECT_EQ(rig.uas->counters().reinvites_answered, 2u);
    EXPECT_EQ(rig.uas->counters().acks, 3u) << "the 2xx of the INVITE and of both re-INVITEs";
    EXPECT_EQ(rig.uas->counters().ack_timeouts, 0u);

    // The media: no echo expected from the hold's departure to the resume's 2xx.
    const TimePoint t_answer = answered_at(rig);
    const auto& d = rig.media.directions;
    ASSERT_EQ(d.size(), 3u);
    EXPECT_FALSE(d[0].expect_receive);
    EXPECT_TRUE(d[0].may_send) << "sendonly: we keep sending (music on hold)";
    EXPECT_EQ(d[0].at, t_answer + 2s);
    EXPECT_FALSE(d[1].expect_receive);
    EXPECT_TRUE(d[1].may_send);
    EXPECT_EQ(d[1].at, t_answer + 2s + 2ms);
    EXPECT_TRUE(d[2].expect_receive);
    EXPECT_TRUE(d[2].may_send);
    EXPECT_EQ(d[2].at, t_answer + 5s + 2ms);
}

TEST(UacCoreMidcall, A491IsRetriedAfterTheOwnersRandomDelay) {
    // RFC 3261 §14.1: we own the Call-ID, so the retry waits 2.1-4 s (in 10 ms steps).
    for (int run = 0; run < 5; ++run) {
        SCOPED_TRACE(run);
        UacRig rig(with_hold(20s, 1s, 8s));
        rig.phone.reinvite_statuses = {491};
        ASSERT_TRUE(rig.run());
        EXPECT_EQ(rig.count(Outcome::completed), 1u);
        ASSERT_EQ(rig.phone.reinvite_times.size(), 3u) << "hold, its retry, resume";
        const auto wait = rig.phone.reinvite_times[1] - rig.phone.reinvite_times[0];
        // The 491 takes 1 ms back, the retry 1 ms to arrive.
        EXPECT_GE(wait, 2100ms + 2ms);
        EXPECT_LE(wait, 4000ms + 2ms);
        const auto& h = rig.stats().midcall.hold;
        EXPECT_EQ(h.calls, 1u);
        EXPECT_EQ(h.sent, 2u);
        EXPECT_EQ(h.glare_491, 1u);
        EXPECT_EQ(h.ok, 1u);
        EXPECT_EQ(h.failed, 0u);
        ASSERT_EQ(h.glare_delay_us.size(), 1u);
        EXPECT_EQ(h.glare_delay_us[0] % 10'000, 0u) << "units of 10 ms";
        EXPECT_EQ(rig.stats().midcall.resume.ok, 1u);
        // Between the 491 and the retry the old session (sendrecv) holds: echo expected.
        const auto& d = rig.media.directions;
        ASSERT_GE(d.size(), 2u);
        EXPECT_FALSE(d[0].expect_receive);
        EXPECT_TRUE(d[1].expect_receive);
    }
}

TEST(UacCoreMidcall, AResumeDueDuringTheHoldsRetryFollowsItsSuccess) {
    // Hold at 1 s gets 491; resume is due at 2 s, before the retry (>= 3.1 s): it leaves right
    // after the retried hold's 2xx, not before (one re-INVITE at a time).
    UacRig rig(with_hold(20s, 1s, 1s));
    rig.phone.reinvite_statuses = {491};
    ASSERT_TRUE(rig.run());
    ASSERT_EQ(rig.phone.reinvite_times.size(), 3u);
    EXPECT_EQ(rig.phone.reinvite_times[2] - rig.phone.reinvite_times[1], 2ms)
        << "the resume went as soon as the hold's 2xx came back";
    auto sent = reinvites(rig);
    ASSERT_EQ(sent.size(), 3u);
    EXPECT_EQ(endpoint_of(sent[2].raw())->direction, sip::Direction::sendrecv);
    EXPECT_EQ(rig.stats().midcall.resume.ok, 1u);
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
}

TEST(UacCoreMidcall, AFailedHoldKeepsTheCallAndIsCounted) {
    UacRig rig(with_hold());
    rig.phone.reinvite_statuses = {488};
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::completed), 1u) << "the call goes on with the old session";
    const auto& h = rig.stats().midcall.hold;
    EXPECT_EQ(h.failed, 1u);
    EXPECT_EQ(h.failed_status.at(488), 1u);
    EXPECT_EQ(h.ok, 0u);
    EXPECT_TRUE(h.latency_us.empty());
    EXPECT_EQ(reinvites(rig).size(), 1u) << "nothing to resume";
    EXPECT_EQ(rig.stats().midcall.resume.calls, 0u);
    ASSERT_EQ(rig.media.directions.size(), 2u);
    EXPECT_TRUE(rig.media.directions[1].expect_receive) << "the echo is expected again";
    // The BYE still went at the planned time, 10 s after the answer.
    ASSERT_EQ(rig.sent("BYE").size(), 1u);
}

TEST(UacCoreMidcall, A481ToTheHoldEndsTheDialogWithBye) {
    UacRig rig(with_hold());
    rig.phone.reinvite_statuses = {481};
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.stats().midcall.hold.failed_status.at(481), 1u);
    ASSERT_EQ(rig.phone.reinvite_times.size(), 1u);
    ASSERT_EQ(rig.phone.bye_ok.size(), 1u);
    // §14.1: the BYE follows the 481 at once, not at the end of the planned call.
    EXPECT_LT(rig.net.now - rig.phone.reinvite_times[0], 1s);
}

TEST(UacCoreMidcall, AnUnansweredHoldTimesOutAndEndsTheCall) {
    UacRig rig(with_hold(120s, 1s, 100s));
    rig.phone.reinvite_statuses = {0};
    ASSERT_TRUE(rig.run(200s));
    const auto& h = rig.stats().midcall.hold;
    EXPECT_EQ(h.timeouts, 1u);
    EXPECT_EQ(h.ok, 0u);
    ASSERT_EQ(rig.phone.reinvite_times.size(), 1u);
    EXPECT_EQ(rig.phone.bye_ok.size(), 1u) << "the dialog ended with a BYE (§14.1)";
    // Timer B: 64 * T1 = 32 s after the re-INVITE, well before the planned 120 s.
    EXPECT_LT(rig.net.now - rig.phone.reinvite_times[0], 33s);
}

TEST(UacCoreMidcall, TheFarEndsOfferWhileOurReinviteRunsIsGlare491) {
    UacRig rig(with_hold(30s, 1s, 10s));
    rig.phone.reinvite_statuses = {0};  // our hold stays unanswered for now
    rig.start();
    ASSERT_TRUE(rig.run_until([&] { return !rig.phone.reinvites.empty(); }, 5s));
    const std::size_t before = rig.phone.responses.size();
    rig.phone.send(rig.answered_call(), "INVITE", peer_offer("10.0.0.5", 41000, 2));
    rig.run_for(100ms);
    ASSERT_GT(rig.phone.responses.size(), before);
    EXPECT_EQ(rig.phone.responses.back().status, 491);
    EXPECT_EQ(rig.stats().subscribers.updates.glare, 1u);
}

TEST(UacCoreMidcall, ACallEndingDuringItsHoldCountsItAbandoned) {
    // The hold is still unanswered when the call's BYE is due.
    UacRig rig(with_hold(3s, 1s, 1s));
    rig.phone.reinvite_statuses = {0};
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
    EXPECT_EQ(rig.stats().midcall.hold.abandoned, 1u);
    EXPECT_EQ(rig.stats().midcall.hold.timeouts, 0u);
}

TEST(UacCoreMidcall, NoHoldOptionsNoReinvite) {
    UacRig rig(rig_options(), uas::AgentConfig{});
    ASSERT_TRUE(rig.run());
    EXPECT_TRUE(reinvites(rig).empty());
    EXPECT_FALSE(rig.stats().midcall.used());
    EXPECT_TRUE(rig.media.directions.empty());
}

TEST(UacCoreMidcall, ShardsMergeExactly) {
    uac::CallStats a, b;
    a.midcall.hold.calls = 2;
    a.midcall.hold.latency_us = {1000, 2000};
    a.midcall.hold.failed_status[488] = 1;
    b.midcall.hold.calls = 3;
    b.midcall.hold.latency_us = {3000};
    b.midcall.hold.failed_status[488] = 2;
    b.midcall.resume.glare_491 = 4;
    a.merge(b);
    EXPECT_EQ(a.midcall.hold.calls, 5u);
    EXPECT_THAT(a.midcall.hold.latency_us, ::testing::ElementsAre(1000, 2000, 3000));
    EXPECT_EQ(a.midcall.hold.failed_status.at(488), 3u);
    EXPECT_EQ(a.midcall.resume.glare_491, 4u);
    auto j = a.midcall.to_json();
    EXPECT_EQ(j["hold"]["latency_ms"]["p50"], 2.0);
    EXPECT_EQ(j["hold"]["failed_status"]["488"], 3);
}

}  // namespace
}  // namespace pbxbench::test
