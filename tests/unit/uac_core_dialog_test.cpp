// The UAC call core as a phone inside its dialogs (issue 11 item 7): re-INVITE and UPDATE from
// the far end with and without SDP (RFC 3264 answers, an offer in the 2xx answered in the ACK),
// glare, out-of-order CSeq, unusable offers, OPTIONS/INFO, requests for unknown dialogs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/support/uac_core_rig.hpp"

namespace pbxbench::test {
namespace {

using uac::Outcome;

// One call to the Phone, held 10 s, answered and ACKed when the constructor returns.
struct AnsweredCall {
    UacRig rig;
    std::string call;

    AnsweredCall() : rig(held()) {
        rig.start();
        EXPECT_TRUE(rig.run_until([&] { return !rig.phone.acks.empty(); }, 5s));
        call = rig.answered_call();
    }
    static uac::BatchOptions held() {
        auto o = rig_options();
        o.hold = 60s;
        return o;
    }
    // Sends a request of the Phone's in the call and lets the exchange finish.
    const Phone::Response* send(std::string_view method, std::string_view body = {},
                                std::optional<std::uint32_t> cseq = {}) {
        const std::size_t before = rig.phone.responses.size();
        rig.phone.send(call, method, body, cseq);
        rig.run_for(100ms);
        if (rig.phone.responses.size() == before) return nullptr;
        return &rig.phone.responses.back();
    }
    const uac::DialogUpdateStats& updates() const { return rig.stats().subscribers.updates; }
    // Ends the call with our BYE and checks it completed.
    void finish() {
        ASSERT_TRUE(rig.run_until([&] { return rig.core.finished(); }, 120s));
        EXPECT_EQ(rig.count(Outcome::completed), 1u);
        EXPECT_EQ(rig.ended(), 1u);
    }
};

// The audio endpoint in a message's SDP.
std::optional<sip::MediaEndpoint> endpoint_of(std::string_view raw) {
    auto m = sip::Message::parse(raw);
    if (!m) return std::nullopt;
    auto sdp = sip::parse_sdp(m->body());
    if (!sdp) return std::nullopt;
    auto ep = sip::remote_audio_endpoint(*sdp);
    return ep ? std::optional(*ep) : std::nullopt;
}

TEST(UacCoreDialog, AReinviteWithANewAddressIsAnsweredAndMovesTheMedia) {
    AnsweredCall c;
    ASSERT_EQ(c.rig.media.started.size(), 1u);
    auto* r = c.send("INVITE", peer_offer("10.0.0.5", 41000, 2));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->status, 200);
    // RFC 3264: the answer keeps our address and port.
    auto ours = endpoint_of(r->raw);
    ASSERT_TRUE(ours);
    EXPECT_EQ(ours->address, "10.0.0.1");
    EXPECT_EQ(ours->rtp_port, 30002);
    auto m = sip::Message::parse(r->raw);
    EXPECT_EQ(m->header(sip::HeaderId::contact), "<sip:pbxbench@10.0.0.1:5060>");
    EXPECT_EQ(c.rig.peer_sent("ACK").size(), 1u) << "the Phone ACKed the re-INVITE's 2xx";
    ASSERT_EQ(c.rig.media.retargeted.size(), 1u);
    EXPECT_EQ(c.rig.media.retargeted[0].remote.address, "10.0.0.5");
    EXPECT_EQ(c.rig.media.retargeted[0].remote.rtp_port, 41000);
    EXPECT_EQ(c.updates().received, 1u);
    EXPECT_EQ(c.updates().answered, 1u);
    EXPECT_EQ(c.updates().moved, 1u);
    c.finish();
}

TEST(UacCoreDialog, WithoutMediaAMoveIsStillCounted) {
    // Signaling only (no RTP engine): the summary must still show that the far end moved the
    // media, e.g. a PBX's direct-media re-INVITE.
    UacRig rig(AnsweredCall::held(), std::nullopt, WithMedia::no);
    rig.start();
    ASSERT_TRUE(rig.run_until([&] { return !rig.phone.acks.empty(); }, 5s));
    rig.phone.send(rig.answered_call(), "INVITE", peer_offer("10.0.0.5", 41000, 2));
    rig.run_for(100ms);
    EXPECT_EQ(rig.stats().subscribers.updates.answered, 1u);
    EXPECT_EQ(rig.stats().subscribers.updates.moved, 1u);
    rig.phone.send(rig.answered_call(), "UPDATE", peer_offer("10.0.0.5", 41000, 3));
    rig.run_for(100ms);
    EXPECT_EQ(rig.stats().subscribers.updates.moved, 1u) << "no move the second time";
}

TEST(UacCoreDialog, AnOfferToTheSamePlaceIsAnsweredWithoutAMove) {
    AnsweredCall c;
    auto* r = c.send("INVITE", peer_offer("10.0.0.2", 40000, 2));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->status, 200);
    EXPECT_TRUE(c.rig.media.retargeted.empty());
    EXPECT_EQ(c.updates().moved, 0u);
    EXPECT_EQ(c.updates().answered, 1u);
    c.finish();
}

TEST(UacCoreDialog, AnUpdateWithSdpMovesTheMediaLikeAReinvite) {
    AnsweredCall c;
    auto* r = c.send("UPDATE", peer_offer("10.0.0.5", 41000, 2));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->method, "UPDATE");
    auto ours = endpoint_of(r->raw);
    ASSERT_TRUE(ours);
    EXPECT_EQ(ours->rtp_port, 30002);
    ASSERT_EQ(c.rig.media.retargeted.size(), 1u);
    EXPECT_EQ(c.rig.media.retargeted[0].remote.address, "10.0.0.5");
    EXPECT_EQ(c.updates().moved, 1u);
    c.finish();
}

TEST(UacCoreDialog, AnSdpLessReinviteGetsAnOfferAndTheAckAnswerMovesTheMedia) {
    AnsweredCall c;
    auto* r = c.send("INVITE");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->status, 200);
    auto offer = endpoint_of(r->raw);
    ASSERT_TRUE(offer) << "the 2xx carries our offer";
    EXPECT_EQ(offer->address, "10.0.0.1");
    EXPECT_EQ(offer->rtp_port, 30002);
    auto acks = c.rig.peer_sent("ACK");
    ASSERT_EQ(acks.size(), 1u);
    ASSERT_TRUE(endpoint_of(acks.back().raw())) << "the Phone answered in the ACK";
    ASSERT_EQ(c.rig.media.retargeted.size(), 1u);
    EXPECT_EQ(c.rig.media.retargeted[0].remote.address, "10.0.0.6");
    EXPECT_EQ(c.rig.media.retargeted[0].remote.rtp_port, 42000);
    EXPECT_EQ(c.updates().moved, 1u);
    c.finish();
}

TEST(UacCoreDialog, AnAckWithoutTheAnswerToOurOfferIsCountedRefused) {
    AnsweredCall c;
    c.rig.phone.auto_ack = false;
    auto* r = c.send("INVITE");
    ASSERT_NE(r, nullptr);
    ASSERT_EQ(r->status, 200);
    c.rig.phone.send_ack(c.call, sip::Message::parse(r->raw)->cseq().number, {});
    c.rig.run_for(100ms);
    EXPECT_EQ(c.updates().refused, 1u);
    EXPECT_TRUE(c.rig.media.retargeted.empty());
    c.finish();
}

TEST(UacCoreDialog, TheFirstUsableOfferStartsMediaThatThe2xxCouldNot) {
    auto o = AnsweredCall::held();
    UacRig rig(o);
    rig.phone.sdp_in_2xx = false;
    rig.start();
    ASSERT_TRUE(rig.run_until([&] { return !rig.phone.acks.empty(); }, 5s));
    EXPECT_EQ(rig.stats().media_unusable_answers, 1u);
    EXPECT_TRUE(rig.media.started.empty());
    rig.phone.send(rig.answered_call(), "INVITE", peer_offer("10.0.0.5", 41000, 2));
    rig.run_for(100ms);
    ASSERT_EQ(rig.media.started.size(), 1u);
    EXPECT_EQ(rig.media.started[0].remote.address, "10.0.0.5");
    EXPECT_TRUE(rig.media.retargeted.empty());
    EXPECT_EQ(rig.stats().subscribers.updates.moved, 0u) << "nothing to move from";
}

TEST(UacCoreDialog, AnOfferWhileOursAwaitsTheAckIsGlare491) {
    AnsweredCall c;
    c.rig.phone.auto_ack = false;
    auto* r = c.send("INVITE");
    ASSERT_NE(r, nullptr);
    ASSERT_EQ(r->status, 200);
    const std::uint32_t first_cseq = sip::Message::parse(r->raw)->cseq().number;
    const std::string our_offer = std::string(sip::Message::parse(r->raw)->body());

    auto* glare = c.send("INVITE", peer_offer("10.0.0.5", 41000, 3));
    ASSERT_NE(glare, nullptr);
    EXPECT_EQ(glare->status, 491);
    EXPECT_EQ(c.updates().glare, 1u);
    EXPECT_TRUE(c.rig.media.retargeted.empty());
    // The ACK with the answer to our offer still settles the first exchange.
    c.rig.phone.send_ack(c.call, first_cseq, answer_to(our_offer, "10.0.0.6", 42000));
    c.rig.run_for(100ms);
    ASSERT_EQ(c.rig.media.retargeted.size(), 1u);
    EXPECT_EQ(c.rig.media.retargeted[0].remote.address, "10.0.0.6");
    // And a new offer is welcome again.
    c.rig.phone.auto_ack = true;
    auto* again = c.send("INVITE", peer_offer("10.0.0.5", 41000, 4));
    ASSERT_NE(again, nullptr);
    EXPECT_EQ(again->status, 200);
    EXPECT_EQ(c.rig.media.retargeted.size(), 2u);
    c.finish();
}

TEST(UacCoreDialog, AnOfferIn2xxNeverAckedDoesNotBlockLaterOffers) {
    // The far end never ACKs the 2xx carrying our offer. After Timer L (64*T1) that offer is
    // void: a later re-INVITE is not glare.
    AnsweredCall c;
    c.rig.phone.auto_ack = false;
    auto* r = c.send("INVITE");
    ASSERT_NE(r, nullptr);
    ASSERT_EQ(r->status, 200);
    c.rig.run_for(40s);
    ASSERT_FALSE(c.rig.core.finished());
    c.rig.phone.auto_ack = true;
    auto* again = c.send("INVITE", peer_offer("10.0.0.5", 41000, 3));
    ASSERT_NE(again, nullptr);
    EXPECT_EQ(again->status, 200);
    EXPECT_EQ(c.updates().glare, 0u);
    EXPECT_EQ(c.updates().refused, 1u) << "the offer the far end never answered";
    EXPECT_EQ(c.rig.media.retargeted.size(), 1u);
}

TEST(UacCoreDialog, AReinviteWithALowerCSeqGets500) {
    AnsweredCall c;
    auto* ok = c.send("INVITE", peer_offer("10.0.0.5", 41000, 2), 10);
    ASSERT_NE(ok, nullptr);
    EXPECT_EQ(ok->status, 200);
    auto* old = c.send("INVITE", peer_offer("10.0.0.7", 43000, 3), 9);
    ASSERT_NE(old, nullptr);
    EXPECT_EQ(old->status, 500);
    EXPECT_EQ(c.rig.media.retargeted.size(), 1u) << "the stale offer moved nothing";
    EXPECT_EQ(c.updates().received, 2u);
    EXPECT_EQ(c.updates().refused, 1u);
    c.finish();
}

TEST(UacCoreDialog, AnUnusableOfferGets488AndTheCallGoesOn) {
    AnsweredCall c;
    auto* r = c.send("INVITE", "this is not SDP");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->status, 488);
    EXPECT_EQ(c.updates().refused, 1u);
    EXPECT_TRUE(c.rig.media.retargeted.empty());
    // An offer without audio cannot be answered either.
    std::string video = peer_offer("10.0.0.5", 41000, 3);
    video.replace(video.find("m=audio"), 7, "m=video");
    auto* r2 = c.send("UPDATE", video);
    ASSERT_NE(r2, nullptr);
    EXPECT_EQ(r2->status, 488);
    EXPECT_EQ(c.updates().refused, 2u);
    c.finish();
    EXPECT_EQ(c.rig.sent("BYE").size(), 1u);
}

TEST(UacCoreDialog, OptionsAndInfoInTheDialogGet200) {
    AnsweredCall c;
    auto* options = c.send("OPTIONS");
    ASSERT_NE(options, nullptr);
    EXPECT_EQ(options->status, 200);
    auto* info = c.send("INFO");
    ASSERT_NE(info, nullptr);
    EXPECT_EQ(info->status, 200);
    EXPECT_EQ(c.updates().received, 0u) << "not offers";
    c.finish();
}

TEST(UacCoreDialog, ARequestForAnUnknownDialogGets481) {
    AnsweredCall c;
    // Our Call-ID form, but no such call; then the right call with a wrong To tag.
    sip::Dialog d = c.rig.phone.dialogs.at(c.call);
    d.call_id = "t1-99@pbxbench";
    c.rig.phone.dialogs["unknown"] = d;
    d = c.rig.phone.dialogs.at(c.call);
    d.remote_party = "<sip:pbxbench@10.0.0.1:5060>;tag=not-ours";
    c.rig.phone.dialogs["wrong-tag"] = d;

    c.call = "unknown";
    auto* r = c.send("INFO");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->status, 481);
    auto* r2 = c.send("INVITE", peer_offer("10.0.0.5", 41000, 2));
    ASSERT_NE(r2, nullptr);
    EXPECT_EQ(r2->status, 481);
    c.call = "wrong-tag";
    auto* r3 = c.send("INVITE", peer_offer("10.0.0.5", 41000, 2));
    ASSERT_NE(r3, nullptr);
    EXPECT_EQ(r3->status, 481);
    EXPECT_TRUE(c.rig.media.retargeted.empty());
    c.finish();
}

TEST(UacCoreDialog, ARequestAfterTheCallEndedGets481) {
    AnsweredCall c;
    c.finish();
    auto* r = c.send("INFO");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->status, 481);
}

TEST(UacCoreDialog, AReinviteRefreshesTheRemoteTarget) {
    // RFC 3261 §12.2.2: a target refresh request replaces the remote target, so our BYE goes
    // to the new Contact.
    AnsweredCall c;
    c.rig.phone.contact = "sip:moved@10.0.0.2:5060";
    auto* r = c.send("INVITE", peer_offer("10.0.0.5", 41000, 2));
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->status, 200);
    c.finish();
    auto byes = c.rig.sent("BYE");
    ASSERT_FALSE(byes.empty());
    EXPECT_EQ(byes[0].request_uri(), "sip:moved@10.0.0.2:5060");
}

TEST(UacCoreDialog, OutOfDialogOptionsAndNotifyGet200) {
    // A PBX qualifies registered contacts with OPTIONS and sends unsolicited NOTIFYs (MWI).
    AnsweredCall c;
    c.rig.phone.dialogs["qualify"] = sip::initial_request_dialog(
        "qualify-1@pbx.test", "<sip:pbx@pbx.test>;tag=q1", "sip:pbxbench@10.0.0.1:5060", 1);
    c.call = "qualify";
    for (const char* method : {"OPTIONS", "NOTIFY"}) {
        SCOPED_TRACE(method);
        auto* r = c.send(method);
        ASSERT_NE(r, nullptr);
        EXPECT_EQ(r->status, 200);
    }
}

}  // namespace
}  // namespace pbxbench::test
