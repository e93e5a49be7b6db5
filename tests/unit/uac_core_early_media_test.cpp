// Early media (issue 13 item 5): a 183 with SDP starts the caller's media before the answer;
// the 2xx's SDP confirms it or moves it; what arrived before the answer is counted. Over the
// fake network against the UasAgent (--early-media) and the Phone.
#include <gtest/gtest.h>

#include "tests/unit/support/uac_core_rig.hpp"

namespace pbxbench::test {
namespace {

using uac::Outcome;

uas::AgentConfig early_uas(std::chrono::milliseconds early) {
    uas::AgentConfig c;
    c.early_media = early;
    return c;
}

// The first response with this status the core received, and when.
std::optional<std::pair<sip::Message, TimePoint>> received(const UacRig& rig, int status) {
    for (const auto& d : rig.net.log) {
        if (!(d.to == rig.uac_sink.self())) continue;
        auto m = sip::Message::parse(d.bytes);
        if (m && m->is_response() && m->status() == status)
            return std::pair{std::move(*m), d.deliver_at};
    }
    return std::nullopt;
}

TEST(UacCoreEarlyMedia, A183WithSdpStartsTheMediaAndThe200ConfirmsIt) {
    UacRig rig(rig_options(), early_uas(500ms));
    const TimePoint invite_at = rig.net.now;
    rig.media.progress = {25, invite_at + 7ms};  // what the engine saw before the answer
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
    auto early = received(rig, 183);
    auto ok = received(rig, 200);
    ASSERT_TRUE(early && ok);
    EXPECT_FALSE(early->first.body().empty()) << "the 183 carries the answer";
    EXPECT_EQ(ok->second - early->second, 500ms) << "the 200 follows the early media time";
    EXPECT_FALSE(received(rig, 180)) << "no 180 with early media";
    ASSERT_EQ(rig.media.started.size(), 1u) << "started once, at the 183";
    EXPECT_EQ(rig.media.started[0].remote.address, "10.0.0.2");
    EXPECT_TRUE(rig.media.retargeted.empty()) << "the 200 named the same place";
    const auto& e = rig.stats().midcall.early_media;
    EXPECT_EQ(e.calls, 1u);
    EXPECT_EQ(e.calls_with_rtp, 1u);
    EXPECT_EQ(e.packets_before_answer, 25u);
    EXPECT_EQ(e.answer_matched, 1u);
    EXPECT_EQ(e.answer_retargeted, 0u);
    ASSERT_EQ(e.first_rtp_us.size(), 1u);
    EXPECT_EQ(e.first_rtp_us[0], 7000u);
    EXPECT_EQ(rig.uas->counters().early_media_calls, 1u);
    EXPECT_EQ(rig.stats().post_dial_delay_us.size(), 1u) << "the 183 is the first 18x";
}

TEST(UacCoreEarlyMedia, A200NamingAnotherPlaceMovesTheMedia) {
    UacRig rig(rig_options());
    rig.phone.early_media_port = 41000;  // 183 from 10.0.0.2:41000, 200 from :40000
    ASSERT_TRUE(rig.run());
    ASSERT_EQ(rig.media.started.size(), 1u);
    EXPECT_EQ(rig.media.started[0].remote.rtp_port, 41000);
    ASSERT_EQ(rig.media.retargeted.size(), 1u);
    EXPECT_EQ(rig.media.retargeted[0].remote.rtp_port, 40000);
    const auto& e = rig.stats().midcall.early_media;
    EXPECT_EQ(e.calls, 1u);
    EXPECT_EQ(e.answer_retargeted, 1u);
    EXPECT_EQ(e.calls_with_rtp, 0u) << "the fake engine saw nothing before the answer";
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
}

TEST(UacCoreEarlyMedia, A200WithoutSdpKeepsTheEarlySession) {
    UacRig rig(rig_options());
    rig.phone.early_media_port = 41000;
    rig.phone.sdp_in_2xx = false;
    ASSERT_TRUE(rig.run());
    ASSERT_EQ(rig.media.started.size(), 1u);
    EXPECT_TRUE(rig.media.retargeted.empty());
    EXPECT_EQ(rig.stats().midcall.early_media.answer_without_sdp, 1u);
    EXPECT_EQ(rig.stats().media_unusable_answers, 0u) << "the 183 gave a usable answer";
}

TEST(UacCoreEarlyMedia, ALost183LeavesTheAnswerToThe200) {
    // 1xx are not retransmitted (no PRACK): drop the 183 and the 200 starts the media.
    UacRig rig(rig_options(), early_uas(300ms));
    rig.net.policy = [](std::size_t, const Datagram& d) {
        return d.bytes.rfind("SIP/2.0 183", 0) == 0 ? Fault::drop : Fault::none;
    };
    ASSERT_TRUE(rig.run());
    EXPECT_EQ(rig.count(Outcome::completed), 1u);
    EXPECT_EQ(rig.media.started.size(), 1u);
    EXPECT_EQ(rig.stats().midcall.early_media.calls, 0u);
}

TEST(UacCoreEarlyMedia, WithoutEarlyMediaNothingIsCounted) {
    UacRig rig(rig_options(), uas::AgentConfig{});
    ASSERT_TRUE(rig.run());
    EXPECT_FALSE(received(rig, 183));
    EXPECT_EQ(rig.stats().midcall.early_media.calls, 0u);
    EXPECT_EQ(rig.media.started.size(), 1u);
}

}  // namespace
}  // namespace pbxbench::test
