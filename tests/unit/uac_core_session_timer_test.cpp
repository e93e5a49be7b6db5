// Session timers (RFC 4028, issue 13 item 5): Session-Expires asked for and granted, refreshes
// at half the interval by UPDATE or re-INVITE when we are the refresher, a 422 answered with
// the larger Min-SE, and the far end as refresher: its refreshes re-arm the timer, and when
// none comes we send BYE before the session lapses. Over the fake network.
#include <gtest/gtest.h>

#include <set>

#include "sip/session_timer.hpp"
#include "tests/unit/support/uac_core_rig.hpp"

namespace pbxbench::test {
namespace {

using uac::Outcome;

uac::BatchOptions timed(std::uint32_t session_expires_s, std::chrono::milliseconds hold,
                        bool by_update = true) {
    auto o = rig_options();
    o.hold = hold;
    o.session_expires_s = session_expires_s;
    o.refresh_by_update = by_update;
    return o;
}

uas::AgentConfig min_se(std::uint32_t s) {
    uas::AgentConfig c;
    c.session_min_se_s = s;
    return c;
}

// When each request with this method the core sent (first copies) left, after the answer.
std::vector<sip::Duration> sent_after_answer(const UacRig& rig, std::string_view method) {
    TimePoint answer{};
    std::vector<sip::Duration> out;
    std::set<std::string> vias;
    for (const auto& d : rig.net.log) {
        auto m = sip::Message::parse(d.bytes);
        if (!m) continue;
        if (answer == TimePoint{} && m->is_response() && m->status() == 200 &&
            m->cseq().method == sip::Method::invite)
            answer = d.deliver_at;
        if (d.from == rig.uac_sink.self() && m->is_request() && m->method_token() == method &&
            !m->to().tag().empty() &&
            vias.insert(std::string(m->header(sip::HeaderId::via))).second)
            out.push_back(d.sent_at - answer);
    }
    return out;
}

TEST(SessionTimerHeaders, ParseAndFormat) {
    auto se = sip::parse_session_expires(" 1800 ; refresher = UAS;x=1");
    ASSERT_TRUE(se);
    EXPECT_EQ(se->interval_s, 1800u);
    EXPECT_EQ(se->refresher, sip::Refresher::uas);
    EXPECT_EQ(sip::parse_session_expires("90")->refresher, sip::Refresher::none);
    EXPECT_FALSE(sip::parse_session_expires("abc"));
    EXPECT_FALSE(sip::parse_session_expires("0"));
    EXPECT_EQ(sip::format_session_expires({120, sip::Refresher::uac}), "120;refresher=uac");
    EXPECT_EQ(sip::parse_min_se("120;x=y"), 120u);
    EXPECT_TRUE(sip::lists_option("100rel, timer", "timer"));
    EXPECT_FALSE(sip::lists_option("timers", "timer"));
    EXPECT_EQ(sip::expiry_bye_after(90), std::chrono::seconds(60));
    EXPECT_EQ(sip::expiry_bye_after(1800), std::chrono::seconds(1768));
}

TEST(UacCoreSessionTimer, AsRefresherWeUpdateAtHalfTheInterval) {
    UacRig rig(timed(90, 200s), min_se(90));
    ASSERT_TRUE(rig.run(400s));
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
    auto invites = rig.tap.invites();
    const auto& invite = invites.at(0);
    EXPECT_EQ(invite.header("Session-Expires"), "90");
    EXPECT_EQ(invite.header("Supported"), "timer");
    auto times = sent_after_answer(rig, "UPDATE");
    ASSERT_EQ(times.size(), 4u) << "at 45, 90, 135 and 180 s of a 200 s call";
    for (std::size_t i = 0; i < times.size(); ++i)
        EXPECT_EQ(times[i], std::chrono::seconds(45) * (i + 1) + 2ms * i) << i;
    const auto& s = rig.stats().midcall.session_timer;
    EXPECT_EQ(s.calls, 1u);
    EXPECT_EQ(s.negotiated, 1u);
    EXPECT_EQ(s.we_refresh, 1u);
    EXPECT_EQ(s.refreshes_sent, 4u);
    EXPECT_EQ(s.refreshes_ok, 4u);
    ASSERT_EQ(s.refresh_latency_us.size(), 4u);
    EXPECT_EQ(s.refresh_latency_us[0], 2000u);
    EXPECT_EQ(rig.uas->counters().session_timers, 1u);
    EXPECT_EQ(rig.uas->counters().session_refreshes, 4u);
    EXPECT_EQ(s.expired, 0u);
}

TEST(UacCoreSessionTimer, RefreshByReinviteCarriesTheSameSdpAndIsAcked) {
    UacRig rig(timed(90, 100s, false), min_se(90));
    ASSERT_TRUE(rig.run(400s));
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
    auto times = sent_after_answer(rig, "INVITE");
    ASSERT_EQ(times.size(), 2u) << "at 45 and 90 s";
    EXPECT_EQ(times[0], 45s);
    EXPECT_EQ(rig.stats().midcall.session_timer.refreshes_ok, 2u);
    EXPECT_EQ(rig.uas->counters().reinvites_answered, 2u);
    EXPECT_EQ(rig.uas->counters().acks, 3u) << "the INVITE's 2xx and both refreshes'";
    EXPECT_EQ(rig.uas->counters().ack_timeouts, 0u);
    EXPECT_TRUE(rig.media.retargeted.empty()) << "a refresh does not move the media";
}

TEST(UacCoreSessionTimer, A422IsRetriedWithItsMinSe) {
    UacRig rig(timed(90, 100s), min_se(120));
    ASSERT_TRUE(rig.run(400s));
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
    auto invites = rig.tap.invites();
    ASSERT_EQ(invites.size(), 2u);
    EXPECT_EQ(invites[0].header("Session-Expires"), "90");
    EXPECT_EQ(invites[1].header("Session-Expires"), "120");
    EXPECT_GT(invites[1].cseq().number, invites[0].cseq().number);
    const auto& s = rig.stats().midcall.session_timer;
    EXPECT_EQ(s.retries_422, 1u);
    EXPECT_EQ(s.negotiated, 1u);
    auto times = sent_after_answer(rig, "UPDATE");
    ASSERT_EQ(times.size(), 1u) << "at 60 s: half of the 120 s granted";
    EXPECT_EQ(times[0], 60s);
    EXPECT_EQ(rig.uas->counters().session_too_small, 1u);
    EXPECT_EQ(rig.stats().final_status.count(422), 0u) << "a 422 answered is not a final status";
}

TEST(UacCoreSessionTimer, NoA422WhenWeAskAtLeastTheMinSe) {
    UacRig rig(timed(200, 10s), min_se(150));
    ASSERT_TRUE(rig.run(60s));
    EXPECT_EQ(rig.stats().midcall.session_timer.retries_422, 0u);
    EXPECT_EQ(rig.tap.invites().size(), 1u);
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
}

TEST(UacCoreSessionTimer, TheFarEndAsRefresherWithoutRefreshGetsBye) {
    UacRig rig(timed(90, 300s));
    rig.phone.session_expires_2xx = "90;refresher=uas";
    ASSERT_TRUE(rig.run(400s));
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
    const auto& s = rig.stats().midcall.session_timer;
    EXPECT_EQ(s.we_refresh, 0u);
    EXPECT_EQ(s.refreshes_sent, 0u);
    EXPECT_EQ(s.expired, 1u);
    auto bye = sent_after_answer(rig, "BYE");
    ASSERT_EQ(bye.size(), 1u);
    EXPECT_EQ(bye[0], 60s) << "90 - min(32, 90/3) s after the answer, not the planned 300 s";
}

TEST(UacCoreSessionTimer, TheFarEndsRefreshRearmsTheTimerAndIsAnsweredWithItsInterval) {
    UacRig rig(timed(90, 300s));
    rig.phone.session_expires_2xx = "90;refresher=uas";
    rig.start();
    ASSERT_TRUE(rig.run_until([&] { return !rig.phone.acks.empty(); }, 5s));
    rig.run_for(40s);
    // The Phone, refresher, refreshes by UPDATE (it is the UAC of this transaction).
    const std::size_t before = rig.phone.responses.size();
    rig.phone.send(rig.answered_call(), "UPDATE");
    rig.run_for(100ms);
    ASSERT_GT(rig.phone.responses.size(), before);
    auto ok = sip::Message::parse(rig.phone.responses.back().raw);
    EXPECT_EQ(rig.phone.responses.back().status, 200);
    // No Session-Expires in that UPDATE: it is not a session refresh (§10).
    EXPECT_TRUE(ok->header("Session-Expires").empty());
    EXPECT_EQ(rig.stats().midcall.session_timer.refreshes_received, 0u);
    // At 50 s a real refresh: the timer restarts from there.
    rig.run_for(10s);
    rig.phone.next_headers = {{"Session-Expires", "90;refresher=uac"}, {"Supported", "timer"}};
    rig.phone.send(rig.answered_call(), "UPDATE");
    rig.run_for(100ms);
    auto refreshed = sip::Message::parse(rig.phone.responses.back().raw);
    EXPECT_EQ(rig.phone.responses.back().status, 200);
    EXPECT_EQ(refreshed->header("Session-Expires"), "90;refresher=uac");
    EXPECT_EQ(refreshed->header("Require"), "timer");
    EXPECT_EQ(rig.stats().midcall.session_timer.refreshes_received, 1u);
    ASSERT_TRUE(rig.run_until([&] { return rig.core.finished(); }, 200s));
    EXPECT_EQ(rig.stats().midcall.session_timer.expired, 1u);
    auto bye = sent_after_answer(rig, "BYE");
    ASSERT_EQ(bye.size(), 1u);
    // 60 s after the refresh, which left 50.1 s after the answer (+1 ms on the way).
    EXPECT_GE(bye[0], 110100ms);
    EXPECT_LE(bye[0], 110100ms + 5ms);
}

TEST(UacCoreSessionTimer, TheUasAsRefresherUpdatesAndWeFollow) {
    // The caller names no refresher; the UasAgent takes the role and refreshes by UPDATE at
    // 45 s, 90 s, ...; each re-arms our expiry, so the 200 s call ends by its planned BYE.
    uas::AgentConfig c = min_se(90);
    c.session_refresher_uas = true;
    UacRig rig(timed(90, 200s), c);
    ASSERT_TRUE(rig.run(400s));
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
    const auto& s = rig.stats().midcall.session_timer;
    EXPECT_EQ(s.negotiated, 1u);
    EXPECT_EQ(s.we_refresh, 0u);
    EXPECT_EQ(s.refreshes_sent, 0u);
    EXPECT_EQ(s.refreshes_received, 4u);
    EXPECT_EQ(s.expired, 0u) << "every refresh came in time";
    EXPECT_EQ(rig.uas->counters().session_refreshes_sent, 4u);
    EXPECT_EQ(rig.uas->counters().session_refreshes_ok, 4u);
    auto updates = rig.peer_sent("UPDATE");
    ASSERT_EQ(updates.size(), 4u);
    EXPECT_EQ(updates[0].header("Session-Expires"), "90;refresher=uac")
        << "refresher=uac: the UPDATE's sender, the UAS";
    auto bye = sent_after_answer(rig, "BYE");
    ASSERT_EQ(bye.size(), 1u);
    EXPECT_EQ(bye[0], 200s) << "the planned end, not an expiry";
}

TEST(UacCoreSessionTimer, WhenTheUasStopsRefreshingWeEndTheCall) {
    // The UAS refreshes once; its second UPDATE is lost for good (every copy dropped): we send
    // BYE 60 s after the last refresh.
    uas::AgentConfig c = min_se(90);
    c.session_refresher_uas = true;
    UacRig rig(timed(90, 300s), c);
    std::string first_branch;
    rig.net.policy = [&first_branch](std::size_t, const Datagram& d) {
        if (d.bytes.rfind("UPDATE ", 0) != 0) return Fault::none;
        // The first UPDATE (and its retransmissions, same branch) pass; later ones are dropped.
        const auto via = d.bytes.find("branch=");
        const std::string branch = d.bytes.substr(via, d.bytes.find_first_of(";\r", via) - via);
        if (first_branch.empty()) first_branch = branch;
        return branch == first_branch ? Fault::none : Fault::drop;
    };
    ASSERT_TRUE(rig.run(400s));
    const auto& s = rig.stats().midcall.session_timer;
    EXPECT_EQ(s.refreshes_received, 1u);
    EXPECT_EQ(s.expired, 1u);
    auto bye = sent_after_answer(rig, "BYE");
    ASSERT_EQ(bye.size(), 1u);
    EXPECT_GE(bye[0], 105s);  // the refresh at 45 s (+1 ms) re-armed the expiry to +60 s
    EXPECT_LE(bye[0], 105s + 5ms);
    rig.run_for(40s);  // the UAS's unanswered UPDATE times out (64*T1 after it left)
    EXPECT_EQ(rig.uas->counters().session_refreshes_failed, 1u) << "the lost UPDATE timed out";
    EXPECT_EQ(rig.uas->counters().session_refreshes_ok, 1u);
}

}  // namespace
}  // namespace pbxbench::test
