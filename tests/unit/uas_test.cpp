// The UAS core over the fake network and clock: answering with SDP, ring delay, CANCEL,
// BYE, re-INVITE, in-dialog requests, the reject schedule, and calls surviving loss.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sip/sdp.hpp"
#include "tests/unit/support/test_agents.hpp"
#include "uas/uas_agent.hpp"
#include "uas/uas_pool.hpp"

namespace pbxbench::test {
namespace {

using ::testing::ElementsAre;

std::string offer_sdp() {
    sip::OfferParams p;
    p.address = "10.0.0.1";
    p.rtp_port = 30000;
    p.session_id = 1;
    return sip::build_offer(p);
}

struct Response {
    int status;
    std::string method;
    std::string raw;
};

// A caller that records every response and ACKs every 2xx to INVITE (§13.2.2.4).
struct RecordingCaller final : sip::TransactionUser {
    sip::TransactionLayer* layer = nullptr;
    Address peer;
    std::vector<Response> responses;
    int acks_sent = 0;
    bool auto_ack = true;  // false: the test sends ACKs itself (ack())
    std::string ack_body;  // an SDP answer for a 2xx that carried an offer

    void on_response(sip::TransactionId, std::uint64_t, const sip::Message& r) override {
        responses.push_back({r.status(), std::string(r.cseq().method_token), std::string(r.raw())});
        if (r.cseq().method != sip::Method::invite || r.status() < 200 || r.status() >= 300) return;
        if (auto_ack) ack(r);
    }
    void ack(const sip::Message& r) {
        sip::MessageBuilder b;
        b.request_line("ACK", "sip:bob@10.0.0.2:5060");
        b.header("Via", "SIP/2.0/UDP 10.0.0.1:5060;branch=", layer->new_branch(), ";rport");
        b.header("Max-Forwards", 70);
        b.header("From", r.header(sip::HeaderId::from));
        b.header("To", r.header(sip::HeaderId::to));
        b.header("Call-ID", r.call_id());
        b.header("CSeq", r.cseq().number, " ACK");
        layer->send_stateless(ack_body.empty() ? b.finish() : b.finish(ack_body), peer);
        ++acks_sent;
    }
    void on_client_timeout(sip::TransactionId, std::uint64_t, sip::TransactionTimer) override {}
    void on_transport_error(sip::TransactionId, std::uint64_t) override {}
    void on_request(sip::TransactionId, const sip::Message&, const Address&) override {}
    void on_ack(const sip::Message&, const Address&) override {}

    // Statuses of the responses to `method`, in order, retransmissions included.
    std::vector<int> statuses(std::string_view method) const {
        std::vector<int> out;
        for (const auto& r : responses) {
            if (r.method == method) out.push_back(r.status);
        }
        return out;
    }
    const Response* first(int status, std::string_view method) const {
        for (const auto& r : responses) {
            if (r.status == status && r.method == method) return &r;
        }
        return nullptr;
    }
};

struct UasRig {
    FakeNetwork net;
    FakeSink caller_sink{net, fake_address("10.0.0.1", 5060)};
    FakeSink uas_sink{net, fake_address("10.0.0.2", 5060)};
    RecordingCaller caller;
    uas::UasAgent agent;
    sip::TransactionLayer caller_layer{caller_sink, caller};
    sip::TransactionLayer uas_layer{uas_sink, agent};

    explicit UasRig(uas::AgentConfig config = {})
        : agent(with_user(std::move(config)), [this] { return net.now; }) {
        caller.layer = &caller_layer;
        caller.peer = uas_sink.self();
        agent.attach(uas_layer, "10.0.0.2:5060");
    }
    static uas::AgentConfig with_user(uas::AgentConfig c) {
        c.user = "bob";
        return c;
    }

    void run_for(sip::Duration d) {
        TimePoint until = net.now + d;
        while (net.now < until) {
            for (auto& dg : net.take_due()) {
                auto& layer = dg.to == caller_sink.self() ? caller_layer : uas_layer;
                layer.receive(dg.bytes, dg.from, net.now);
            }
            caller_layer.advance(net.now);
            uas_layer.advance(net.now);
            agent.advance(net.now);
            net.now += std::chrono::milliseconds(1);
        }
    }

    // Sends a request from the caller; `to_tag` empty for an initial INVITE. Returns the branch.
    std::string send(std::string_view method, std::string_view call_id, std::uint32_t cseq,
                     std::string_view to_tag = {}, std::string_view body = {},
                     std::string branch = {}, std::string_view record_route = {}) {
        if (branch.empty()) branch = caller_layer.new_branch();
        sip::MessageBuilder b;
        b.request_line(method, "sip:bob@10.0.0.2:5060");
        b.header("Via", "SIP/2.0/UDP 10.0.0.1:5060;branch=", branch, ";rport");
        b.header("Max-Forwards", 70);
        if (!record_route.empty()) b.header("Record-Route", record_route);
        b.header("From", "<sip:alice@10.0.0.1>;tag=a1");
        if (to_tag.empty()) {
            b.header("To", "<sip:bob@10.0.0.2>");
        } else {
            b.header("To", "<sip:bob@10.0.0.2>;tag=", to_tag);
        }
        b.header("Call-ID", call_id);
        b.header("CSeq", cseq, ' ', method);
        b.header("Contact", "<sip:alice@10.0.0.1:5060>");
        caller_layer.send_request(body.empty() ? b.finish() : b.finish(body), uas_sink.self(),
                                  sip::method_from(method), branch, 0, net.now);
        return branch;
    }
    std::string call(std::string_view call_id) {
        return send("INVITE", call_id, 1, {}, offer_sdp());
    }

    // The To tag of the first 200 to INVITE.
    std::string to_tag() const {
        const Response* ok = caller.first(200, "INVITE");
        if (!ok) return {};
        auto m = sip::Message::parse(ok->raw);
        return std::string(m->to().tag());
    }
};

TEST(UasAgent, AnswersInviteWithTryingRingingAndAnSdpAnswer) {
    UasRig rig;
    rig.call("c1");
    rig.run_for(1s);
    EXPECT_THAT(rig.caller.statuses("INVITE"), ElementsAre(100, 180, 200));
    const Response* ok = rig.caller.first(200, "INVITE");
    ASSERT_NE(ok, nullptr);
    auto m = sip::Message::parse(ok->raw);
    ASSERT_TRUE(m);
    EXPECT_FALSE(m->to().tag().empty());
    EXPECT_EQ(m->header(sip::HeaderId::contact), "<sip:bob@10.0.0.2:5060>");
    EXPECT_EQ(m->header(sip::HeaderId::content_type), "application/sdp");
    auto sdp = sip::parse_sdp(m->body());
    ASSERT_TRUE(sdp) << sdp.error().message;
    auto media = sip::remote_audio_endpoint(*sdp);
    ASSERT_TRUE(media);
    EXPECT_EQ(media->address, "127.0.0.1");
    EXPECT_EQ(media->rtp_port, 40000);
    ASSERT_EQ(sdp->media.size(), 1u);
    EXPECT_NE(sdp->media[0].find_format(0), nullptr) << "PCMU";
    const sip::Format* dtmf = sdp->media[0].find_format(101);
    ASSERT_NE(dtmf, nullptr);
    EXPECT_EQ(dtmf->encoding, "telephone-event");
    EXPECT_EQ(rig.agent.counters().answered, 1u);
    EXPECT_EQ(rig.agent.counters().acks, 1u);
    EXPECT_EQ(rig.agent.active_dialogs(), 1u);
}

TEST(UasAgent, RingDelayHoldsTheAnswer) {
    uas::AgentConfig c;
    c.ring = 2000ms;
    UasRig rig(c);
    rig.call("c1");
    rig.run_for(1s);
    EXPECT_THAT(rig.caller.statuses("INVITE"), ElementsAre(100, 180));
    EXPECT_EQ(rig.agent.ringing(), 1u);
    ASSERT_TRUE(rig.agent.next_deadline());
    rig.run_for(1100ms);
    EXPECT_THAT(rig.caller.statuses("INVITE"), ElementsAre(100, 180, 200));
    EXPECT_EQ(rig.agent.ringing(), 0u);
}

TEST(UasAgent, ManyRingingCallsShareOneDeadlineHeap) {
    uas::AgentConfig c;
    c.ring = 500ms;
    UasRig rig(c);
    for (int i = 0; i < 20; ++i) {
        rig.call("c" + std::to_string(i));
        rig.run_for(10ms);
    }
    EXPECT_EQ(rig.agent.ringing(), 20u);
    rig.run_for(1s);
    EXPECT_EQ(rig.agent.counters().answered, 20u);
    EXPECT_EQ(rig.agent.active_dialogs(), 20u);
}

TEST(UasAgent, No180SkipsRinging) {
    uas::AgentConfig c;
    c.send_180 = false;
    UasRig rig(c);
    rig.call("c1");
    rig.run_for(1s);
    EXPECT_THAT(rig.caller.statuses("INVITE"), ElementsAre(100, 200));
}

TEST(UasAgent, CancelBeforeTheAnswerGets200And487) {
    uas::AgentConfig c;
    c.ring = 5000ms;
    UasRig rig(c);
    std::string branch = rig.call("c1");
    rig.run_for(100ms);
    rig.send("CANCEL", "c1", 1, {}, {}, branch);
    rig.run_for(6s);
    EXPECT_THAT(rig.caller.statuses("CANCEL"), ElementsAre(200));
    EXPECT_THAT(rig.caller.statuses("INVITE"), ElementsAre(100, 180, 487));
    EXPECT_EQ(rig.agent.counters().cancelled, 1u);
    EXPECT_EQ(rig.agent.counters().answered, 0u);
    EXPECT_EQ(rig.agent.ringing(), 0u);
    EXPECT_EQ(rig.agent.active_dialogs(), 0u);
}

TEST(UasAgent, CancelOfAnUnknownInviteGets481) {
    UasRig rig;
    rig.send("CANCEL", "c9", 1);
    rig.run_for(1s);
    EXPECT_THAT(rig.caller.statuses("CANCEL"), ElementsAre(481));
}

TEST(UasAgent, ByeEndsTheDialog) {
    UasRig rig;
    rig.call("c1");
    rig.run_for(1s);
    ASSERT_EQ(rig.agent.active_dialogs(), 1u);
    rig.send("BYE", "c1", 2, rig.to_tag());
    rig.run_for(1s);
    EXPECT_THAT(rig.caller.statuses("BYE"), ElementsAre(200));
    EXPECT_EQ(rig.agent.active_dialogs(), 0u);
    EXPECT_EQ(rig.agent.counters().byes, 1u);
    rig.send("BYE", "c1", 3, rig.to_tag());
    rig.run_for(1s);
    EXPECT_THAT(rig.caller.statuses("BYE"), ElementsAre(200, 481)) << "the dialog is gone";
}

TEST(UasAgent, ByeForAnUnknownDialogGets481) {
    UasRig rig;
    rig.send("BYE", "nope", 2, "x1");
    rig.run_for(1s);
    EXPECT_THAT(rig.caller.statuses("BYE"), ElementsAre(481));
    EXPECT_EQ(rig.agent.counters().unknown_dialog, 1u);
}

TEST(UasAgent, RejectRatioRejectsExactlyTheShareSpreadEvenly) {
    uas::AgentConfig c;
    c.reject_ratio_ppm = 250000;
    c.reject_code = 486;
    UasRig rig(c);
    std::vector<int> finals;
    for (int i = 0; i < 8; ++i) {
        rig.caller.responses.clear();
        rig.call("c" + std::to_string(i));
        rig.run_for(200ms);
        auto s = rig.caller.statuses("INVITE");
        finals.push_back(s.empty() ? 0 : s.back());
    }
    EXPECT_THAT(finals, ElementsAre(200, 200, 200, 486, 200, 200, 200, 486));
    EXPECT_EQ(rig.agent.counters().rejected, 2u);
    EXPECT_EQ(rig.agent.counters().answered, 6u);
}

TEST(UasAgent, RejectScheduleIsExactForAnyCount) {
    for (std::uint64_t ppm : {0ull, 100000ull, 250000ull, 333333ull, 1000000ull}) {
        std::uint64_t rejected = 0;
        for (std::uint64_t k = 0; k < 1000; ++k) {
            rejected += uas::rejects_call(k, ppm);
            EXPECT_EQ(rejected, (k + 1) * ppm / 1000000)
                << "ppm " << ppm << " after " << k + 1 << " calls";
        }
    }
}

TEST(UasAgent, ReInviteGets200WithANewSdpVersion) {
    UasRig rig;
    rig.call("c1");
    rig.run_for(1s);
    rig.send("INVITE", "c1", 2, rig.to_tag(), offer_sdp());
    rig.run_for(1s);
    auto statuses = rig.caller.statuses("INVITE");
    ASSERT_EQ(statuses.size(), 4u);
    EXPECT_EQ(statuses.back(), 200);
    auto reanswer = sip::Message::parse(rig.caller.responses.back().raw);
    ASSERT_TRUE(reanswer);
    auto sdp = sip::parse_sdp(reanswer->body());
    ASSERT_TRUE(sdp);
    EXPECT_EQ(sdp->origin.session_version, "2");
    EXPECT_EQ(sdp->media.at(0).port, 40000) << "same media port for the same call";
    EXPECT_EQ(rig.agent.counters().reinvites, 1u);
    EXPECT_EQ(rig.agent.counters().acks, 2u);
    EXPECT_EQ(rig.agent.active_dialogs(), 1u);
}

TEST(UasAgent, OldCSeqInDialogGets500) {
    UasRig rig;
    rig.send("INVITE", "c1", 5, {}, offer_sdp());
    rig.run_for(1s);
    rig.send("INFO", "c1", 4, rig.to_tag());
    rig.run_for(1s);
    EXPECT_THAT(rig.caller.statuses("INFO"), ElementsAre(500));
}

TEST(UasAgent, OptionsAndInDialogRequestsGet200) {
    UasRig rig;
    rig.send("OPTIONS", "o1", 1);
    rig.call("c1");
    rig.run_for(1s);
    rig.send("INFO", "c1", 2, rig.to_tag());
    rig.send("NOTIFY", "c1", 3, rig.to_tag());
    rig.send("UPDATE", "c1", 4, rig.to_tag(), offer_sdp());
    rig.run_for(1s);
    rig.send("INFO", "other", 2, "zz");
    rig.run_for(1s);
    EXPECT_THAT(rig.caller.statuses("OPTIONS"), ElementsAre(200));
    EXPECT_THAT(rig.caller.statuses("INFO"), ElementsAre(200, 481));
    EXPECT_THAT(rig.caller.statuses("NOTIFY"), ElementsAre(200));
    EXPECT_THAT(rig.caller.statuses("UPDATE"), ElementsAre(200));
    auto update_ok = sip::Message::parse(rig.caller.first(200, "UPDATE")->raw);
    EXPECT_TRUE(sip::parse_sdp(update_ok->body())) << "an UPDATE offer gets an answer";
    EXPECT_EQ(rig.agent.counters().in_dialog_other, 2u);  // INFO and NOTIFY
    EXPECT_EQ(rig.agent.counters().updates, 1u);
    EXPECT_EQ(rig.agent.counters().updates_answered, 1u);
}

TEST(UasAgent, OutOfDialogRegisterGets405) {
    UasRig rig;
    rig.send("REGISTER", "r1", 1);
    rig.run_for(1s);
    EXPECT_THAT(rig.caller.statuses("REGISTER"), ElementsAre(405));
}

TEST(UasAgent, RecordRouteIsCopiedIntoDialogResponses) {
    UasRig rig;
    rig.send("INVITE", "c1", 1, {}, offer_sdp(), {}, "<sip:10.0.0.5;lr>");
    rig.run_for(1s);
    for (int status : {180, 200}) {
        auto m = sip::Message::parse(rig.caller.first(status, "INVITE")->raw);
        EXPECT_EQ(m->header(sip::HeaderId::record_route), "<sip:10.0.0.5;lr>") << status;
    }
}

TEST(UasAgent, InviteWithoutSdpGetsAnOfferInThe200) {
    UasRig rig;
    rig.send("INVITE", "c1", 1);
    rig.run_for(1s);
    auto m = sip::Message::parse(rig.caller.first(200, "INVITE")->raw);
    auto sdp = sip::parse_sdp(m->body());
    ASSERT_TRUE(sdp);
    EXPECT_NE(sdp->media.at(0).find_format(0), nullptr);
}

TEST(UasAgent, UnanswerableOfferGets488) {
    UasRig rig;
    std::string video =
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
        "m=video 30000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n";
    rig.send("INVITE", "c1", 1, {}, video);
    rig.run_for(1s);
    EXPECT_THAT(rig.caller.statuses("INVITE"), ElementsAre(100, 488));
    EXPECT_EQ(rig.agent.counters().offers_refused, 1u);
}

TEST(UasAgent, StoppedAgentRefusesNewCallsWith503) {
    UasRig rig;
    rig.agent.stop_answering();
    rig.call("c1");
    rig.run_for(1s);
    EXPECT_THAT(rig.caller.statuses("INVITE"), ElementsAre(100, 503));
}

TEST(UasAgent, MissingAckEndsTheDialogAfterTimerL) {
    UasRig rig;
    rig.net.policy = [](std::size_t, const Datagram& d) {
        return d.bytes.rfind("ACK", 0) == 0 ? Fault::drop : Fault::none;
    };
    rig.call("c1");
    rig.run_for(40s);
    EXPECT_EQ(rig.agent.active_dialogs(), 0u);
    EXPECT_EQ(rig.agent.counters().ack_timeouts, 1u);
}

TEST(UasAgent, CallSurvivesTheLossOfAnyOneDatagram) {
    for (std::size_t n = 0; n < 8; ++n) {
        UasRig rig;
        rig.net.policy = [n](std::size_t i, const Datagram&) {
            return i == n ? Fault::drop : Fault::none;
        };
        rig.call("c1");
        rig.run_for(5s);
        rig.send("BYE", "c1", 2, rig.to_tag());
        rig.run_for(5s);
        EXPECT_EQ(rig.agent.counters().answered, 1u) << "datagram " << n << " lost";
        EXPECT_EQ(rig.agent.counters().byes, 1u) << "datagram " << n << " lost";
        EXPECT_EQ(rig.agent.active_dialogs(), 0u) << "datagram " << n << " lost";
    }
}

TEST(UasAgent, DuplicatedDatagramsAreAbsorbed) {
    UasRig rig;
    rig.net.policy = [](std::size_t, const Datagram&) { return Fault::duplicate; };
    rig.call("c1");
    rig.run_for(1s);
    rig.send("BYE", "c1", 2, rig.to_tag());
    rig.run_for(1s);
    EXPECT_EQ(rig.agent.counters().invites_received, 1u);
    EXPECT_EQ(rig.agent.counters().byes, 1u);
    EXPECT_EQ(rig.agent.counters().unknown_dialog, 0u);
}

// The SDP in the last response to `method`.
std::optional<sip::SessionDescription> last_sdp(const RecordingCaller& caller,
                                                std::string_view method) {
    for (auto it = caller.responses.rbegin(); it != caller.responses.rend(); ++it) {
        if (it->method != method) continue;
        auto m = sip::Message::parse(it->raw);
        if (!m) return std::nullopt;
        auto sdp = sip::parse_sdp(m->body());
        if (!sdp) return std::nullopt;
        return *sdp;
    }
    return std::nullopt;
}

// §14.2: a re-INVITE while the previous INVITE's 2xx still awaits its ACK gets 500 with a
// Retry-After of 0 to 10 s; once the ACK came, the next one is answered.
TEST(UasAgent, ReInviteBeforeTheAckGets500WithRetryAfter) {
    UasRig rig;
    rig.caller.auto_ack = false;
    rig.call("c1");
    rig.run_for(100ms);
    const std::string tag = rig.to_tag();
    ASSERT_FALSE(tag.empty());
    rig.send("INVITE", "c1", 2, tag, offer_sdp());
    rig.run_for(100ms);
    const Response* refused = rig.caller.first(500, "INVITE");
    ASSERT_NE(refused, nullptr);
    auto m = sip::Message::parse(refused->raw);
    ASSERT_TRUE(m);
    auto retry = m->header("Retry-After");
    ASSERT_FALSE(retry.empty());
    EXPECT_LE(std::stoi(std::string(retry)), 10);
    EXPECT_EQ(rig.agent.counters().reinvite_glare, 1u);
    EXPECT_EQ(rig.agent.counters().reinvites_refused, 1u);
    // The initial INVITE's ACK, then the retry is answered.
    rig.caller.ack(*sip::Message::parse(rig.caller.first(200, "INVITE")->raw));
    rig.run_for(100ms);
    rig.caller.auto_ack = true;
    rig.send("INVITE", "c1", 3, tag, offer_sdp());
    rig.run_for(100ms);
    EXPECT_EQ(rig.caller.statuses("INVITE").back(), 200);
    EXPECT_EQ(rig.agent.counters().reinvites_answered, 1u);
    EXPECT_EQ(rig.agent.active_dialogs(), 1u);
}

// A re-INVITE without SDP gets our offer in the 200; the ACK brings the answer.
TEST(UasAgent, SdpLessReInviteGetsAnOfferAndTakesTheAnswerFromTheAck) {
    UasRig rig;
    rig.call("c1");
    rig.run_for(100ms);
    rig.caller.ack_body = offer_sdp();  // the caller's answer (an SDP of its own)
    rig.send("INVITE", "c1", 2, rig.to_tag());
    rig.run_for(100ms);
    EXPECT_EQ(rig.caller.statuses("INVITE").back(), 200);
    auto offer = last_sdp(rig.caller, "INVITE");
    ASSERT_TRUE(offer) << "the 200 to an SDP-less re-INVITE carries an offer";
    EXPECT_EQ(offer->origin.session_version, "2");
    ASSERT_FALSE(offer->media.empty());
    EXPECT_EQ(rig.agent.counters().reinvites_answered, 1u);
    EXPECT_EQ(rig.agent.counters().ack_answers, 1u);
    EXPECT_EQ(rig.agent.counters().ack_answers_missing, 0u);
}

// While our offer (in a 2xx) awaits its answer, a new offer is glare: 491 (RFC 3311 §5.2
// for UPDATE, the same rule for a re-INVITE).
TEST(UasAgent, OfferWhileOurOfferIsPendingGets491) {
    UasRig rig;
    rig.call("c1");
    rig.run_for(100ms);
    const std::string tag = rig.to_tag();
    rig.caller.auto_ack = false;
    rig.send("INVITE", "c1", 2, tag);  // no SDP: our 200 carries the offer
    rig.run_for(100ms);
    rig.send("UPDATE", "c1", 3, tag, offer_sdp());
    rig.send("INVITE", "c1", 4, tag, offer_sdp());
    rig.run_for(100ms);
    EXPECT_THAT(rig.caller.statuses("UPDATE"), ElementsAre(491));
    EXPECT_EQ(rig.caller.statuses("INVITE").back(), 491);
    EXPECT_EQ(rig.agent.counters().updates_refused, 1u);
    EXPECT_EQ(rig.agent.counters().reinvite_glare, 1u);
    // An ACK without the answer: counted, and the dialog goes on.
    rig.caller.ack(*sip::Message::parse(rig.caller.responses[rig.caller.responses.size() - 3].raw));
    rig.run_for(100ms);
    EXPECT_EQ(rig.agent.counters().ack_answers_missing, 1u);
    EXPECT_EQ(rig.agent.active_dialogs(), 1u);
}

// CallMedia that hands out slots and records what the agent tells it.
struct RecordingMedia final : uas::CallMedia {
    std::uint32_t next_id = 0;
    std::vector<std::string> moved_to;  // the peer SDPs moved() got
    int started = 0, ended = 0;
    std::optional<uas::MediaSlot> allocate() override {
        ++next_id;
        return uas::MediaSlot{next_id, static_cast<std::uint16_t>(41000 + 2 * next_id), 7};
    }
    void start(std::uint32_t, std::string_view, sip::TimePoint) override { ++started; }
    void moved(std::uint32_t, std::string_view sdp, sip::TimePoint) override {
        moved_to.emplace_back(sdp);
    }
    void end(std::uint32_t, sip::TimePoint) override { ++ended; }
};

// A re-INVITE that moves the caller's media elsewhere (a PBX moving the media path) is
// answered on the same port, and the echo is told to follow the new address.
TEST(UasAgent, ReInviteMovingTheRemoteAddressMovesTheEcho) {
    RecordingMedia media;
    uas::AgentConfig config;
    config.media = &media;
    UasRig rig(config);
    rig.call("c1");
    rig.run_for(100ms);
    ASSERT_EQ(media.started, 1);
    sip::OfferParams moved;
    moved.address = "10.9.9.9";
    moved.rtp_port = 31000;
    moved.session_id = 1;
    moved.session_version = 2;
    rig.send("INVITE", "c1", 2, rig.to_tag(), sip::build_offer(moved));
    rig.run_for(100ms);
    auto answer = last_sdp(rig.caller, "INVITE");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->media.at(0).port, 41002) << "the same port as the first answer";
    EXPECT_EQ(rig.agent.counters().reinvites_answered, 1u);
    ASSERT_EQ(media.moved_to.size(), 1u);
    EXPECT_NE(media.moved_to[0].find("10.9.9.9"), std::string::npos);
    // An SDP-less re-INVITE: the new address comes in the ACK's answer.
    rig.caller.ack_body = offer_sdp();
    rig.send("INVITE", "c1", 3, rig.to_tag());
    rig.run_for(100ms);
    ASSERT_EQ(media.moved_to.size(), 2u);
    EXPECT_NE(media.moved_to[1].find("10.0.0.1"), std::string::npos);
    EXPECT_EQ(media.ended, 0);
}

TEST(CallsPerUser, FoldsEndpointsByUser) {
    auto c = uas::calls_per_user({{"a", 3}, {"b", 0}, {"a", 2}, {"c", 4}});
    EXPECT_EQ(c.users, 3u);
    EXPECT_EQ(c.min, 0u);
    EXPECT_EQ(c.max, 5u);
    EXPECT_EQ(c.without_calls, 1u);
    EXPECT_EQ(uas::calls_per_user({}).users, 0u);
}

}  // namespace
}  // namespace pbxbench::test
