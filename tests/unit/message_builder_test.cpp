// The message builder: responses and requests it builds parse back with the right fields.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "tests/unit/support/message_samples.hpp"

namespace pbxbench::sip {
namespace {

// =============================================================================================
// MessageBuilder and response_to round trips

std::string built_invite(std::string_view to = "<sip:bob@uas.test.invalid>") {
    return MessageBuilder()
        .request_line("INVITE", "sip:bob@uas.test.invalid:5080")
        .header("Via", "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-1;rport")
        .header("Via",
                "SIP/2.0/UDP 192.0.2.20;branch=z9hG4bK-2, SIP/2.0/TCP 192.0.2.30;branch=z9hG4bK-3")
        .header("Max-Forwards", 70)
        .header("From", "\"Alice\" <sip:alice@uac.test.invalid>;tag=", "a1")
        .header("To", to)
        .header("Call-ID", "rt-", 1u, '@', "192.0.2.10")
        .header("CSeq", std::uint32_t{2147483647}, ' ', "INVITE")
        .header("Contact", "<sip:alice@192.0.2.10:5060>")
        .finish(sdp_body);
}

TEST(MessageBuilderRoundTrip, RequestParsesBack) {
    const std::string bytes = built_invite();
    EXPECT_THAT(bytes, StartsWith("INVITE sip:bob@uas.test.invalid:5080 SIP/2.0\r\nVia: "));
    Message m = must_parse(bytes);
    EXPECT_EQ(m.method(), Method::invite);
    EXPECT_EQ(m.request_uri(), "sip:bob@uas.test.invalid:5080");
    EXPECT_EQ(m.header(HeaderId::max_forwards), "70");
    EXPECT_EQ(m.from().tag(), "a1");
    EXPECT_EQ(m.call_id(), "rt-1@192.0.2.10");
    EXPECT_EQ(m.cseq().number, 2147483647u);
    EXPECT_EQ(m.header(HeaderId::content_type), "application/sdp");
    EXPECT_EQ(m.header(HeaderId::content_length), std::to_string(sdp_body.size()));
    EXPECT_EQ(m.body(), sdp_body);
    EXPECT_EQ(m.top_via().port, std::optional<std::uint16_t>(5060));
    EXPECT_TRUE(m.top_via().params.has("rport"));
    EXPECT_EQ(elements(m, HeaderId::via).size(), 3u);
}

TEST(MessageBuilderRoundTrip, FinishWithoutBodyHasNoContentType) {
    const std::string bytes = MessageBuilder()
                                  .request_line("OPTIONS", "sip:uas.test.invalid")
                                  .header("Via", "SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKo")
                                  .header("From", "<sip:a@test.invalid>;tag=1")
                                  .header("To", "<sip:b@test.invalid>")
                                  .header("Call-ID", "opt@test.invalid")
                                  .header("CSeq", 1u, " OPTIONS")
                                  .finish();
    EXPECT_EQ(bytes.substr(bytes.size() - 21), "Content-Length: 0\r\n\r\n");
    Message m = must_parse(bytes);
    EXPECT_FALSE(m.has(HeaderId::content_type));
    EXPECT_EQ(m.body(), "");

    const std::string text = MessageBuilder()
                                 .request_line("MESSAGE", "sip:uas.test.invalid")
                                 .header("Via", "SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKm")
                                 .header("From", "<sip:a@test.invalid>;tag=1")
                                 .header("To", "<sip:b@test.invalid>")
                                 .header("Call-ID", "msg@test.invalid")
                                 .header("CSeq", 2u, " MESSAGE")
                                 .finish("hi there", "text/plain");
    Message t = must_parse(text);
    EXPECT_EQ(t.header(HeaderId::content_type), "text/plain");
    EXPECT_EQ(t.body(), "hi there");
    EXPECT_EQ(t.header(HeaderId::content_length), "8");
}

TEST(MessageBuilderRoundTrip, IntegerParts) {
    const std::string bytes =
        MessageBuilder()
            .status_line(200)
            .header("X-Ints", -42, ' ', 0, ' ', std::uint64_t{18446744073709551615ull}, ' ',
                    std::uint16_t{65535})
            .finish();
    EXPECT_THAT(bytes, HasSubstr("X-Ints: -42 0 18446744073709551615 65535\r\n"));
    EXPECT_THAT(bytes, StartsWith("SIP/2.0 200 OK\r\n"));
}

TEST(MessageBuilderRoundTrip, ReasonPhrases) {
    EXPECT_EQ(reason_phrase(100), "Trying");
    EXPECT_EQ(reason_phrase(180), "Ringing");
    EXPECT_EQ(reason_phrase(200), "OK");
    EXPECT_EQ(reason_phrase(481), "Call/Transaction Does Not Exist");
    EXPECT_EQ(reason_phrase(486), "Busy Here");
    EXPECT_EQ(reason_phrase(299), "Unknown");
    EXPECT_THAT(MessageBuilder().status_line(486).finish(),
                StartsWith("SIP/2.0 486 Busy Here\r\n"));
    EXPECT_THAT(MessageBuilder().status_line(486, "Gone Fishing").finish(),
                StartsWith("SIP/2.0 486 Gone Fishing\r\n"));
}

TEST(MessageBuilderRoundTrip, ResponseAddsToTagOnceAndCopiesViasInOrder) {
    Message req = must_parse(built_invite());
    const std::string bytes = response_to(req, 180, "b2").finish();
    Message r = must_parse(bytes);
    EXPECT_TRUE(r.is_response());
    EXPECT_EQ(r.status(), 180);
    EXPECT_EQ(r.reason(), "Ringing");
    EXPECT_EQ(r.to().tag(), "b2");
    EXPECT_EQ(r.to().uri, "sip:bob@uas.test.invalid");
    std::string_view to = r.header(HeaderId::to);
    std::size_t tags = 0;
    for (std::size_t p = to.find("tag="); p != std::string_view::npos; p = to.find("tag=", p + 1))
        ++tags;
    EXPECT_EQ(tags, 1u) << to;
    EXPECT_EQ(r.from().tag(), "a1");
    EXPECT_EQ(r.header(HeaderId::from), req.header(HeaderId::from));
    EXPECT_EQ(r.call_id(), req.call_id());
    EXPECT_EQ(r.cseq().number, req.cseq().number);
    EXPECT_EQ(r.cseq().method_token, "INVITE");
    EXPECT_EQ(r.count(HeaderId::via), 2u);
    EXPECT_EQ(elements(r, HeaderId::via), elements(req, HeaderId::via));
    EXPECT_EQ(r.header(HeaderId::content_length), "0");
    EXPECT_EQ(r.body(), "");
    EXPECT_FALSE(r.has(HeaderId::contact));
    EXPECT_FALSE(r.has(HeaderId::max_forwards));
}

TEST(MessageBuilderRoundTrip, ExistingToTagIsKept) {
    Message req = must_parse(built_invite("<sip:bob@uas.test.invalid>;tag=existing"));
    Message r = must_parse(response_to(req, 200, "new").finish());
    EXPECT_EQ(r.to().tag(), "existing");
    EXPECT_EQ(r.header(HeaderId::to).find("new"), std::string_view::npos) << r.header(HeaderId::to);
}

TEST(MessageBuilderRoundTrip, TryingGetsNoToTag) {
    Message req = must_parse(built_invite());
    Message r = must_parse(response_to(req, 100, "b2").finish());
    EXPECT_EQ(r.status(), 100);
    EXPECT_EQ(r.reason(), "Trying");
    EXPECT_EQ(r.to().tag(), "");
    EXPECT_EQ(r.header(HeaderId::to), "<sip:bob@uas.test.invalid>");
}

TEST(MessageBuilderRoundTrip, EmptyToTagAddsNothing) {
    Message req = must_parse(built_invite());
    Message r = must_parse(response_to(req, 486, "").finish());
    EXPECT_EQ(r.to().tag(), "");
    EXPECT_EQ(r.reason(), "Busy Here");
}

TEST(MessageBuilderRoundTrip, AddrSpecToGetsAHeaderTag) {
    Message req = must_parse(built_invite("sip:bob@uas.test.invalid"));
    Message r = must_parse(response_to(req, 404, "nf").finish());
    EXPECT_EQ(r.to().uri, "sip:bob@uas.test.invalid");
    EXPECT_EQ(r.to().tag(), "nf");
}

TEST(MessageBuilderRoundTrip, ResponseWithBodyCustomReasonAndExtraHeaders) {
    Message req = must_parse(built_invite());
    const std::string bytes = response_to(req, 200, "b2", "Fine Thanks")
                                  .header("Contact", "<sip:bob@192.0.2.20>")
                                  .finish(sdp_body);
    Message r = must_parse(bytes);
    EXPECT_EQ(r.status(), 200);
    EXPECT_EQ(r.reason(), "Fine Thanks");
    EXPECT_EQ(r.header(HeaderId::contact), "<sip:bob@192.0.2.20>");
    EXPECT_EQ(r.body(), sdp_body);
    EXPECT_EQ(r.header(HeaderId::content_length), std::to_string(sdp_body.size()));
    EXPECT_EQ(r.header(HeaderId::content_type), "application/sdp");
}

TEST(MessageBuilderRoundTrip, ResponseToCompactFormRequest) {
    Message req = must_parse(
        join({"BYE sip:bob@uas.test.invalid SIP/2.0", "v: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKc1",
              "f: <sip:alice@uac.test.invalid>;tag=a1", "t: <sip:bob@uas.test.invalid>;tag=b1",
              "i: compact@192.0.2.10", "CSeq: 3 BYE", "v: SIP/2.0/UDP 192.0.2.11;branch=z9hG4bKc2",
              "l: 0"}));
    const std::string bytes = response_to(req, 200, "ignored").finish();
    EXPECT_THAT(bytes, HasSubstr("\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKc1\r\n"
                                 "Via: SIP/2.0/UDP 192.0.2.11;branch=z9hG4bKc2\r\n"));
    EXPECT_THAT(bytes, HasSubstr("\r\nCall-ID: compact@192.0.2.10\r\n"));
    EXPECT_THAT(bytes, HasSubstr("\r\nCSeq: 3 BYE\r\n"));
    Message r = must_parse(bytes);
    EXPECT_EQ(r.to().tag(), "b1");
    EXPECT_EQ(r.cseq().method, Method::bye);
}

}  // namespace
}  // namespace pbxbench::sip
