#include "sip/sdp.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace pbxbench::sip;
using ::testing::HasSubstr;

namespace {

// SIPp's built-in uac scenario body, with its keywords substituted.
constexpr std::string_view sipp_offer =
    "v=0\r\n"
    "o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "t=0 0\r\n"
    "m=audio 6000 RTP/AVP 0\r\n"
    "a=rtpmap:0 PCMU/8000\r\n";

// What Kamailio hands on after rtpengine_manage() rewrote a softphone's offer.
constexpr std::string_view rtpengine_offer =
    "v=0\r\n"
    "o=- 3912345678 3912345679 IN IP4 192.168.1.20\r\n"
    "s=Linphone\r\n"
    "c=IN IP4 203.0.113.5\r\n"
    "t=0 0\r\n"
    "m=audio 30000 RTP/AVP 8 0 96\r\n"
    "b=AS:80\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:96 telephone-event/8000\r\n"
    "a=fmtp:96 0-15\r\n"
    "a=sendrecv\r\n"
    "a=rtcp:30001\r\n"
    "a=ptime:20\r\n"
    "a=x-rtpengine-tag:abc\r\n";

std::string offer_with(std::string_view media_lines, std::string_view session_extra = "") {
    std::string s = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n";
    s += session_extra;
    s += media_lines;
    return s;
}

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < s.size()) {
        std::size_t end = s.find("\r\n", pos);
        if (end == std::string::npos) end = s.size();
        out.push_back(s.substr(pos, end - pos));
        pos = end + 2;
    }
    return out;
}

}  // namespace

TEST(SdpParse, SippDefaultOffer) {
    auto sdp = parse_sdp(sipp_offer);
    ASSERT_TRUE(sdp) << sdp.error().message;
    EXPECT_EQ(sdp->origin.username, "user1");
    EXPECT_EQ(sdp->origin.session_id, "53655765");
    EXPECT_EQ(sdp->origin.session_version, "2353687637");
    EXPECT_EQ(sdp->origin.addrtype, "IP4");
    EXPECT_EQ(sdp->origin.address, "127.0.0.1");
    EXPECT_EQ(sdp->session_name, "-");
    ASSERT_TRUE(sdp->connection);
    EXPECT_EQ(sdp->connection->address, "127.0.0.1");
    ASSERT_EQ(sdp->media.size(), 1u);
    const MediaDescription& m = sdp->media[0];
    EXPECT_EQ(m.media, "audio");
    EXPECT_EQ(m.port, 6000);
    EXPECT_EQ(m.proto, "RTP/AVP");
    ASSERT_EQ(m.formats.size(), 1u);
    EXPECT_EQ(m.formats[0].payload_type, 0);
    EXPECT_EQ(m.formats[0].encoding, "PCMU");
    EXPECT_EQ(m.formats[0].clock_rate, 8000u);
    EXPECT_EQ(m.direction, Direction::sendrecv);
    EXPECT_FALSE(m.ptime_ms);
}

TEST(SdpParse, RtpengineRewrittenOffer) {
    auto sdp = parse_sdp(rtpengine_offer);
    ASSERT_TRUE(sdp) << sdp.error().message;
    const MediaDescription& m = sdp->media.at(0);
    ASSERT_EQ(m.formats.size(), 3u);
    EXPECT_EQ(m.formats[0].encoding, "PCMA");
    EXPECT_EQ(m.formats[2].payload_type, 96);
    EXPECT_EQ(m.formats[2].encoding, "telephone-event");
    EXPECT_EQ(m.formats[2].fmtp, "0-15");
    EXPECT_EQ(m.ptime_ms, 20u);
    EXPECT_EQ(m.rtcp_port, 30001);
    EXPECT_TRUE(m.rtcp_address.empty());
    EXPECT_FALSE(m.rtcp_mux);
    ASSERT_NE(m.find_format(0), nullptr);
    EXPECT_EQ(m.find_format(0)->encoding, "PCMU");
    EXPECT_EQ(m.find_format(18), nullptr);
}

TEST(SdpParse, LfLineEndingsAndTrailingBlankLine) {
    std::string lf(sipp_offer);
    for (std::size_t p; (p = lf.find('\r')) != std::string::npos;) lf.erase(p, 1);
    lf += "\n";
    auto sdp = parse_sdp(lf);
    ASSERT_TRUE(sdp) << sdp.error().message;
    EXPECT_EQ(sdp->media.at(0).port, 6000);
    EXPECT_EQ(sdp->connection->address, "127.0.0.1");
}

TEST(SdpParse, Ipv6Connection) {
    auto sdp = parse_sdp(
        "v=0\r\no=alice 2890844526 2890844526 IN IP6 2001:db8::1\r\ns=-\r\n"
        "c=IN IP6 2001:db8::1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8\r\n");
    ASSERT_TRUE(sdp) << sdp.error().message;
    EXPECT_EQ(sdp->connection->addrtype, "IP6");
    EXPECT_EQ(sdp->connection->address, "2001:db8::1");
    // Static payload types are named even without a=rtpmap.
    EXPECT_EQ(sdp->media[0].formats[1].encoding, "PCMA");
    auto ep = remote_audio_endpoint(*sdp);
    ASSERT_TRUE(ep) << ep.error().message;
    EXPECT_EQ(ep->address, "2001:db8::1");
    EXPECT_EQ(ep->rtcp_port, 49171);
}

TEST(SdpParse, MulticastTtlSuffixIsStripped) {
    auto sdp = parse_sdp(
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 224.2.1.1/127\r\nt=0 0\r\n"
        "m=audio 5004/2 RTP/AVP 0\r\n");
    ASSERT_TRUE(sdp) << sdp.error().message;
    EXPECT_EQ(sdp->connection->address, "224.2.1.1");
    EXPECT_EQ(sdp->media[0].port_count, 2);
}

TEST(SdpParse, MediaLevelConnectionOverridesSession) {
    auto sdp = parse_sdp(offer_with("m=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.7\r\n"));
    ASSERT_TRUE(sdp) << sdp.error().message;
    EXPECT_EQ(sdp->connection->address, "10.0.0.1");
    ASSERT_TRUE(sdp->media[0].connection);
    EXPECT_EQ(sdp->media[0].connection->address, "192.0.2.7");
    auto ep = remote_audio_endpoint(*sdp);
    ASSERT_TRUE(ep);
    EXPECT_EQ(ep->address, "192.0.2.7");
}

TEST(SdpParse, MediaConnectionWithoutSessionConnection) {
    auto sdp = parse_sdp(
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n"
        "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.8\r\n");
    ASSERT_TRUE(sdp) << sdp.error().message;
    EXPECT_FALSE(sdp->connection);
    EXPECT_EQ(remote_audio_endpoint(*sdp)->address, "192.0.2.8");
}

TEST(SdpParse, DirectionDefaultSessionLevelAndMediaOverride) {
    auto sdp = parse_sdp(offer_with(
        "m=audio 4000 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 0\r\na=inactive\r\n", "a=sendonly\r\n"));
    ASSERT_TRUE(sdp) << sdp.error().message;
    EXPECT_EQ(sdp->direction, Direction::sendonly);
    EXPECT_EQ(sdp->media[0].direction, Direction::sendonly);
    EXPECT_EQ(sdp->media[1].direction, Direction::inactive);

    auto plain = parse_sdp(offer_with("m=audio 4000 RTP/AVP 0\r\na=recvonly\r\n"));
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->direction, Direction::sendrecv);
    EXPECT_EQ(plain->media[0].direction, Direction::recvonly);
}

TEST(SdpParse, UnknownLinesAndNonRtpMediaAreTolerated) {
    auto sdp = parse_sdp(offer_with(
        "m=image 0 udptl t38\r\na=T38FaxVersion:0\r\n"
        "m=audio 4000 RTP/AVP 0\r\ni=voice\r\nb=TIAS:64000\r\na=ice-ufrag:F7gI\r\na=foo\r\n",
        "z=0 0\r\nX=whatever\r\n"));
    ASSERT_TRUE(sdp) << sdp.error().message;
    ASSERT_EQ(sdp->media.size(), 2u);
    EXPECT_EQ(sdp->media[0].format_tokens, std::vector<std::string>{"t38"});
    EXPECT_TRUE(sdp->media[0].formats.empty());
    EXPECT_EQ(sdp->media[1].formats.size(), 1u);
}

TEST(SdpEndpoint, RtcpAttributeWithAddress) {
    auto sdp =
        parse_sdp(offer_with("m=audio 4000 RTP/AVP 0\r\na=rtcp:53020 IN IP4 126.16.64.4\r\n"));
    ASSERT_TRUE(sdp) << sdp.error().message;
    auto ep = remote_audio_endpoint(*sdp);
    ASSERT_TRUE(ep);
    EXPECT_EQ(ep->rtp_port, 4000);
    EXPECT_EQ(ep->rtcp_port, 53020);
    EXPECT_EQ(ep->rtcp_address, "126.16.64.4");
    EXPECT_EQ(ep->address, "10.0.0.1");
    EXPECT_FALSE(ep->rtcp_mux);
}

TEST(SdpEndpoint, RtcpDefaultsToNextPort) {
    auto ep = remote_audio_endpoint(*parse_sdp(sipp_offer));
    ASSERT_TRUE(ep);
    EXPECT_EQ(ep->rtp_port, 6000);
    EXPECT_EQ(ep->rtcp_port, 6001);
    EXPECT_EQ(ep->rtcp_address, "127.0.0.1");
}

TEST(SdpEndpoint, RtcpMuxUsesRtpPort) {
    auto sdp = parse_sdp(offer_with("m=audio 4000 RTP/AVP 0\r\na=rtcp:4001\r\na=rtcp-mux\r\n"));
    ASSERT_TRUE(sdp);
    auto ep = remote_audio_endpoint(*sdp);
    ASSERT_TRUE(ep);
    EXPECT_TRUE(ep->rtcp_mux);
    EXPECT_EQ(ep->rtcp_port, 4000);
}

TEST(SdpEndpoint, SkipsRejectedAndNonAudioStreams) {
    auto sdp = parse_sdp(
        offer_with("m=video 5000 RTP/AVP 31\r\nm=audio 0 RTP/AVP 0\r\nm=audio 6002 RTP/AVP 8\r\n"));
    ASSERT_TRUE(sdp);
    auto ep = remote_audio_endpoint(*sdp);
    ASSERT_TRUE(ep);
    EXPECT_EQ(ep->rtp_port, 6002);
}

TEST(SdpEndpoint, NoUsableAudioIsAnError) {
    auto sdp = parse_sdp(offer_with("m=audio 0 RTP/AVP 0\r\n"));
    ASSERT_TRUE(sdp);
    auto ep = remote_audio_endpoint(*sdp);
    ASSERT_FALSE(ep);
    EXPECT_THAT(ep.error().message, HasSubstr("audio"));
}

TEST(SdpErrors, BadPortNamesTheLine) {
    auto sdp = parse_sdp(offer_with("m=audio 70000 RTP/AVP 0\r\n"));
    ASSERT_FALSE(sdp);
    EXPECT_THAT(sdp.error().message, HasSubstr("line 6"));
    EXPECT_THAT(sdp.error().message, HasSubstr("m=audio 70000 RTP/AVP 0"));
    EXPECT_FALSE(parse_sdp(offer_with("m=audio abc RTP/AVP 0\r\n")));
    EXPECT_FALSE(parse_sdp(offer_with("m=audio 4000/0 RTP/AVP 0\r\n")));
}

TEST(SdpErrors, NonNumericPayloadType) {
    auto sdp = parse_sdp(offer_with("m=audio 4000 RTP/AVP 0 PCMA\r\n"));
    ASSERT_FALSE(sdp);
    EXPECT_THAT(sdp.error().message, HasSubstr("m=audio 4000 RTP/AVP 0 PCMA"));
    EXPECT_THAT(sdp.error().message, HasSubstr("payload type"));
    EXPECT_FALSE(parse_sdp(offer_with("m=audio 4000 RTP/AVP 128\r\n")));
    EXPECT_FALSE(parse_sdp(offer_with("m=audio 4000 RTP/AVP\r\n")));
}

TEST(SdpErrors, MissingConnection) {
    auto sdp =
        parse_sdp("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n");
    ASSERT_FALSE(sdp);
    EXPECT_THAT(sdp.error().message, HasSubstr("m=audio 4000 RTP/AVP 0"));
    EXPECT_THAT(sdp.error().message, HasSubstr("c="));
}

TEST(SdpErrors, VersionMustComeFirst) {
    auto sdp = parse_sdp("o=- 1 1 IN IP4 10.0.0.1\r\nv=0\r\n");
    ASSERT_FALSE(sdp);
    EXPECT_THAT(sdp.error().message, HasSubstr("line 1"));
    EXPECT_THAT(sdp.error().message, HasSubstr("v="));
    EXPECT_FALSE(parse_sdp(""));
    EXPECT_FALSE(parse_sdp("\r\n\r\n"));
    EXPECT_FALSE(parse_sdp("v=1\r\no=- 1 1 IN IP4 10.0.0.1\r\n"));
    EXPECT_FALSE(parse_sdp("v=0\r\ns=-\r\n"));  // no o=
}

TEST(SdpErrors, MalformedLinesNameTheLine) {
    struct Case {
        std::string media;
        std::string shown;
    };
    for (const Case& c : std::vector<Case>{
             {"m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n", "a=rtpmap:0 PCMU"},
             {"m=audio 4000 RTP/AVP 0\r\na=rtpmap:x PCMU/8000\r\n", "a=rtpmap:x"},
             {"m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/fast\r\n", "PCMU/fast"},
             {"m=audio 4000 RTP/AVP 0\r\na=fmtp:te 0-16\r\n", "a=fmtp:te"},
             {"m=audio 4000 RTP/AVP 0\r\na=ptime:twenty\r\n", "a=ptime:twenty"},
             {"m=audio 4000 RTP/AVP 0\r\na=rtcp:99999\r\n", "a=rtcp:99999"},
             {"m=audio 4000 RTP/AVP 0\r\nc=IN IPX 1.2.3.4\r\n", "c=IN IPX"},
             {"m=audio 4000 RTP/AVP 0\r\nc=IN IP4\r\n", "c=IN IP4"},
             {"m=audio 4000 RTP/AVP 0\r\nthis is not sdp\r\n", "this is not sdp"},
         }) {
        auto sdp = parse_sdp(offer_with(c.media));
        ASSERT_FALSE(sdp) << c.media;
        EXPECT_THAT(sdp.error().message, HasSubstr(c.shown)) << c.media;
    }
    EXPECT_FALSE(parse_sdp("v=0\r\no=- 1 IN IP4 10.0.0.1\r\n"));
    EXPECT_FALSE(parse_sdp("v=0\r\no=- 1 1 IN IP4 1.1.1.1\r\nt=now 0\r\n"));
}

TEST(SdpDirection, Helpers) {
    EXPECT_TRUE(may_send(Direction::sendrecv, Direction::sendrecv));
    EXPECT_FALSE(may_send(Direction::sendrecv, Direction::sendonly));
    EXPECT_TRUE(may_send(Direction::sendonly, Direction::recvonly));
    EXPECT_FALSE(may_send(Direction::recvonly, Direction::sendrecv));
    EXPECT_TRUE(expects_receive(Direction::recvonly, Direction::sendonly));
    EXPECT_FALSE(expects_receive(Direction::sendrecv, Direction::inactive));
    EXPECT_EQ(answer_direction(Direction::sendonly), Direction::recvonly);
    EXPECT_EQ(answer_direction(Direction::recvonly), Direction::sendonly);
    EXPECT_EQ(answer_direction(Direction::inactive), Direction::inactive);
    EXPECT_EQ(answer_direction(Direction::sendrecv), Direction::sendrecv);
    EXPECT_EQ(answer_direction(Direction::sendrecv, Direction::recvonly), Direction::recvonly);
    EXPECT_EQ(answer_direction(Direction::sendonly, Direction::sendonly), Direction::inactive);
    EXPECT_EQ(to_string(Direction::recvonly), "recvonly");
}

TEST(SdpOffer, DefaultOfferText) {
    OfferParams p;
    p.address = "10.1.2.3";
    p.rtp_port = 16384;
    p.session_id = 42;
    p.session_version = 7;
    EXPECT_EQ(build_offer(p),
              "v=0\r\n"
              "o=pbxbench 42 7 IN IP4 10.1.2.3\r\n"
              "s=pbxbench\r\n"
              "c=IN IP4 10.1.2.3\r\n"
              "t=0 0\r\n"
              "m=audio 16384 RTP/AVP 0 101\r\n"
              "a=rtpmap:0 PCMU/8000\r\n"
              "a=rtpmap:101 telephone-event/8000\r\n"
              "a=fmtp:101 0-16\r\n"
              "a=ptime:20\r\n"
              "a=sendrecv\r\n");
}

TEST(SdpOffer, Ipv6RtcpMuxAndDirectionRoundTrip) {
    OfferParams p;
    p.address = "2001:db8::10";
    p.rtp_port = 20000;
    p.direction = Direction::sendonly;
    p.rtcp_mux = true;
    p.codecs = {Codec{8, "PCMA", 8000, ""}};
    auto sdp = parse_sdp(build_offer(p));
    ASSERT_TRUE(sdp) << sdp.error().message;
    EXPECT_EQ(sdp->origin.addrtype, "IP6");
    EXPECT_EQ(sdp->connection->addrtype, "IP6");
    EXPECT_EQ(sdp->connection->address, "2001:db8::10");
    const MediaDescription& m = sdp->media.at(0);
    EXPECT_EQ(m.direction, Direction::sendonly);
    EXPECT_TRUE(m.rtcp_mux);
    ASSERT_EQ(m.formats.size(), 1u);
    EXPECT_EQ(m.formats[0].encoding, "PCMA");
    auto ep = remote_audio_endpoint(*sdp);
    ASSERT_TRUE(ep);
    EXPECT_EQ(ep->rtcp_port, 20000);
}

namespace {
AnswerParams answer_params() {
    AnswerParams p;
    p.address = "10.9.9.9";
    p.rtp_port = 40000;
    p.session_id = 5;
    p.session_version = 6;
    return p;
}
}  // namespace

TEST(SdpAnswer, SippOfferAcceptsStaticPcmu) {
    auto answer = build_answer(*parse_sdp(sipp_offer), answer_params());
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(*answer,
              "v=0\r\n"
              "o=pbxbench 5 6 IN IP4 10.9.9.9\r\n"
              "s=pbxbench\r\n"
              "c=IN IP4 10.9.9.9\r\n"
              "t=0 0\r\n"
              "m=audio 40000 RTP/AVP 0\r\n"
              "a=rtpmap:0 PCMU/8000\r\n"
              "a=ptime:20\r\n"
              "a=sendrecv\r\n");
}

TEST(SdpAnswer, CodecIntersectionKeepsOfferOrderAndDynamicEventType) {
    auto offer = parse_sdp(
        offer_with("m=audio 4000 RTP/AVP 18 8 0 96 97\r\n"
                   "a=rtpmap:18 G729/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n"
                   "a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-16\r\n"
                   "a=rtpmap:97 opus/48000/2\r\n"));
    ASSERT_TRUE(offer) << offer.error().message;
    auto answer = build_answer(*offer, answer_params());
    ASSERT_TRUE(answer) << answer.error().message;
    auto lines = lines_of(*answer);
    EXPECT_THAT(lines, ::testing::Contains("m=audio 40000 RTP/AVP 8 0 96"));
    EXPECT_THAT(lines, ::testing::Contains("a=rtpmap:96 telephone-event/8000"));
    EXPECT_THAT(lines, ::testing::Contains("a=fmtp:96 0-16"));
    EXPECT_THAT(*answer, ::testing::Not(HasSubstr("G729")));
    EXPECT_THAT(*answer, ::testing::Not(HasSubstr("opus")));

    auto parsed = parse_sdp(*answer);
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_EQ(parsed->media.at(0).formats.size(), 3u);
    EXPECT_EQ(parsed->media[0].formats[2].encoding, "telephone-event");
}

TEST(SdpAnswer, RtpengineOfferAnswer) {
    auto answer = build_answer(*parse_sdp(rtpengine_offer), answer_params());
    ASSERT_TRUE(answer) << answer.error().message;
    auto lines = lines_of(*answer);
    EXPECT_THAT(lines, ::testing::Contains("m=audio 40000 RTP/AVP 8 0 96"));
    EXPECT_THAT(lines, ::testing::Contains("a=fmtp:96 0-15"));
}

TEST(SdpAnswer, MirrorsDirection) {
    struct Case {
        const char* offered;
        const char* answered;
    };
    for (Case c : {Case{"a=sendonly", "a=recvonly"}, Case{"a=recvonly", "a=sendonly"},
                   Case{"a=inactive", "a=inactive"}, Case{"a=sendrecv", "a=sendrecv"}}) {
        auto offer =
            parse_sdp(offer_with("m=audio 4000 RTP/AVP 0\r\n" + std::string(c.offered) + "\r\n"));
        ASSERT_TRUE(offer);
        auto answer = build_answer(*offer, answer_params());
        ASSERT_TRUE(answer) << answer.error().message;
        EXPECT_THAT(lines_of(*answer), ::testing::Contains(c.answered)) << c.offered;
        auto parsed = parse_sdp(*answer);
        ASSERT_TRUE(parsed);
        EXPECT_EQ(parsed->media[0].direction, answer_direction(offer->media[0].direction));
    }
    // Session-level sendonly (music on hold) is inherited by the stream.
    auto hold = parse_sdp(offer_with("m=audio 4000 RTP/AVP 0\r\n", "a=sendonly\r\n"));
    ASSERT_TRUE(hold);
    EXPECT_THAT(*build_answer(*hold, answer_params()), HasSubstr("a=recvonly\r\n"));
}

TEST(SdpAnswer, RejectedStreamsKeepTheMediaLineCount) {
    auto offer =
        parse_sdp(offer_with("m=video 5000 RTP/AVP 31 34\r\n"
                             "m=audio 4000 RTP/SAVP 0\r\n"
                             "m=audio 4002 RTP/AVP 0\r\n"
                             "m=audio 4004 RTP/AVP 8\r\n"
                             "m=image 4006 udptl t38\r\n"));
    ASSERT_TRUE(offer) << offer.error().message;
    auto answer = build_answer(*offer, answer_params());
    ASSERT_TRUE(answer) << answer.error().message;
    auto parsed = parse_sdp(*answer);
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_EQ(parsed->media.size(), offer->media.size());
    EXPECT_EQ(parsed->media[0].port, 0);
    EXPECT_EQ(parsed->media[0].media, "video");
    EXPECT_EQ(parsed->media[1].port, 0);
    EXPECT_EQ(parsed->media[1].proto, "RTP/SAVP");
    EXPECT_EQ(parsed->media[2].port, 40000);
    EXPECT_EQ(parsed->media[3].port, 0);  // we run one audio stream
    EXPECT_EQ(parsed->media[4].port, 0);
    EXPECT_EQ(parsed->media[4].format_tokens, std::vector<std::string>{"t38"});
}

TEST(SdpAnswer, RtcpMuxAndTimingAreEchoed) {
    auto offer = parse_sdp(
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=3034423619 3042462419\r\n"
        "m=audio 4000 RTP/AVP 0\r\na=rtcp-mux\r\n");
    ASSERT_TRUE(offer);
    auto answer = build_answer(*offer, answer_params());
    ASSERT_TRUE(answer);
    EXPECT_THAT(*answer, HasSubstr("t=3034423619 3042462419\r\n"));
    EXPECT_THAT(*answer, HasSubstr("a=rtcp-mux\r\n"));
    AnswerParams no_mux = answer_params();
    no_mux.accept_rtcp_mux = false;
    EXPECT_THAT(*build_answer(*offer, no_mux), ::testing::Not(HasSubstr("rtcp-mux")));
}

TEST(SdpAnswer, NoCommonCodecIsAnError) {
    for (std::string media : {
             "m=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n",
             // telephone-event alone carries no audio.
             "m=audio 4000 RTP/AVP 101\r\na=rtpmap:101 telephone-event/8000\r\n",
             // PCMU at the wrong clock rate is not our PCMU.
             "m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 PCMU/16000\r\n",
             "m=audio 0 RTP/AVP 0\r\n",
             "m=video 4000 RTP/AVP 0\r\n",
         }) {
        auto offer = parse_sdp(offer_with(media));
        ASSERT_TRUE(offer) << offer.error().message;
        auto answer = build_answer(*offer, answer_params());
        ASSERT_FALSE(answer) << media;
        EXPECT_THAT(answer.error().message, HasSubstr("codec")) << media;
    }
}

TEST(SdpAnswer, Ipv6Answer) {
    AnswerParams p = answer_params();
    p.address = "fd00::5";
    auto answer = build_answer(*parse_sdp(sipp_offer), p);
    ASSERT_TRUE(answer);
    EXPECT_THAT(*answer, HasSubstr("c=IN IP6 fd00::5\r\n"));
    EXPECT_THAT(*answer, HasSubstr("o=pbxbench 5 6 IN IP6 fd00::5\r\n"));
}

TEST(SdpSsrc, OfferAnnouncesSsrcAndParsesBack) {
    OfferParams p;
    p.address = "10.1.2.3";
    p.rtp_port = 16384;
    p.ssrc = 0xDEADBEEF;
    p.cname = "gen1";
    const std::string text = build_offer(p);
    EXPECT_THAT(text, HasSubstr("a=ssrc:3735928559 cname:gen1\r\n"));
    auto sdp = parse_sdp(text);
    ASSERT_TRUE(sdp) << sdp.error().message;
    EXPECT_EQ(sdp->media.at(0).ssrc, 0xDEADBEEFu);
    auto ep = remote_audio_endpoint(*sdp);
    ASSERT_TRUE(ep);
    EXPECT_EQ(ep->ssrc, 0xDEADBEEFu);
    EXPECT_EQ(ep->direction, Direction::sendrecv);
    ASSERT_FALSE(ep->formats.empty());
    EXPECT_EQ(ep->formats[0].encoding, "PCMU");
}

TEST(SdpSsrc, AnswerAnnouncesItsOwnSsrc) {
    OfferParams o;
    o.address = "10.1.2.3";
    o.rtp_port = 16384;
    o.ssrc = 1;
    auto offer = parse_sdp(build_offer(o));
    ASSERT_TRUE(offer);
    AnswerParams a = answer_params();
    a.ssrc = 4294967295u;  // the largest SSRC
    auto answer = build_answer(*offer, a);
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_THAT(*answer, HasSubstr("a=ssrc:4294967295 cname:pbxbench\r\n"));
    auto parsed = parse_sdp(*answer);
    ASSERT_TRUE(parsed) << parsed.error().message;
    auto ep = remote_audio_endpoint(*parsed);
    ASSERT_TRUE(ep);
    EXPECT_EQ(ep->ssrc, 4294967295u);
}

TEST(SdpSsrc, AbsentUnlessAskedAndFirstOneWins) {
    OfferParams o;
    o.address = "10.1.2.3";
    o.rtp_port = 16384;
    EXPECT_THAT(build_offer(o), ::testing::Not(HasSubstr("a=ssrc")));
    auto plain = parse_sdp(build_offer(o));
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->media.at(0).ssrc);
    EXPECT_THAT(*build_answer(*plain, answer_params()), ::testing::Not(HasSubstr("a=ssrc")));

    // Browsers list several attributes per SSRC: the first line names the source.
    auto multi = parse_sdp(std::string(sipp_offer) +
                           "a=ssrc:42 cname:x\r\na=ssrc:42 msid:a b\r\na=ssrc:43 cname:y\r\n");
    ASSERT_TRUE(multi) << multi.error().message;
    EXPECT_EQ(multi->media.at(0).ssrc, 42u);
}

TEST(SdpSsrc, MalformedSsrcNamesTheLine) {
    for (const char* bad : {"a=ssrc:abc cname:x", "a=ssrc:4294967296 cname:x", "a=ssrc:"}) {
        auto sdp = parse_sdp(std::string(sipp_offer) + bad + "\r\n");
        ASSERT_FALSE(sdp) << bad;
        EXPECT_THAT(sdp.error().message, HasSubstr("ssrc")) << bad;
    }
}
