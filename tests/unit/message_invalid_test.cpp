// The SIP message codec: invalid messages are rejected with an error naming the problem
// (RFC 4475 §3.1.2 style), and no truncation or mutation crashes the parser.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "tests/unit/support/message_samples.hpp"

namespace pbxbench::sip {
namespace {

// =============================================================================================
// Invalid messages (RFC 4475 §3.1.2 and §3.3)

TEST(MessageInvalid, ContentLengthLargerThanTheBody) {
    // RFC 4475 §3.1.2.2 "clerr".
    Draft d = invite();
    d.body = std::string(sdp_body);
    d.set("Content-Length", "9999");
    EXPECT_THAT(error_of(d.str()), HasSubstr("Content-Length 9999 exceeds"));
    d.set("Content-Length", std::to_string(sdp_body.size() + 1));
    EXPECT_THAT(error_of(d.str()), HasSubstr("exceeds"));
}

TEST(MessageInvalid, AWildcardFromOrToIsNoAddress) {
    // Found by fuzz_sip_message: "To: *" parsed, and the 200 we built from it ("To: *;tag=")
    // did not. "*" belongs to a REGISTER's Contact only.
    for (std::string_view name : {"To", "From"}) {
        Draft d = invite();
        d.set(name, " * ");
        EXPECT_THAT(error_of(d.str()), HasSubstr("'*' is not an address")) << name;
    }
}

TEST(MessageInvalid, NegativeContentLength) {
    // RFC 4475 "ncl".
    Draft d = invite();
    d.body = std::string(sdp_body);
    d.set("Content-Length", "-999");
    EXPECT_THAT(error_of(d.str()), HasSubstr("Content-Length"));
}

TEST(MessageInvalid, NonNumericOrHugeContentLength) {
    for (std::string_view v : {"ten", "", "1 0", "0x10", "+5", "65536", "36893488147419103232"}) {
        Draft d = invite();
        d.set("Content-Length", v);
        d.body = "x";
        EXPECT_THAT(error_of(d.str()), HasSubstr("invalid Content-Length")) << "'" << v << "'";
    }
}

TEST(MessageInvalid, MissingMandatoryHeaders) {
    // RFC 4475 "insuf" (missing Call-ID, From, To) and also CSeq and Via.
    for (std::string_view name : {"Call-ID", "From", "To", "CSeq", "Via"}) {
        Draft d = invite();
        d.drop(name);
        EXPECT_THAT(error_of(d.str()), HasSubstr("missing " + std::string(name))) << name;
    }
}

TEST(MessageInvalid, MissingHeadersInAResponse) {
    const std::string bytes =
        join({"SIP/2.0 200 OK", "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1",
              "From: <sip:a@test.invalid>;tag=1", "To: <sip:b@test.invalid>;tag=2",
              "CSeq: 1 INVITE", "Content-Length: 0"});
    EXPECT_THAT(error_of(bytes), HasSubstr("missing Call-ID"));
}

TEST(MessageInvalid, EmptyMandatoryValues) {
    Draft d = invite();
    d.set("Call-ID", "");
    EXPECT_THAT(error_of(d.str()), HasSubstr("empty Call-ID"));
    d = invite();
    d.set("Via", " , ");
    EXPECT_THAT(error_of(d.str()), HasSubstr("empty Via"));
    d = invite();
    d.set("From", "");
    EXPECT_THAT(error_of(d.str()), StartsWith("From: "));
    d = invite();
    d.set("CSeq", "");
    EXPECT_THAT(error_of(d.str()), HasSubstr("CSeq"));
}

TEST(MessageInvalid, DuplicateSingleValuedHeaders) {
    // RFC 4475 §3.1.2.19-style "multi01" and "mcl01" (compact and full names both count).
    struct Case {
        std::string_view extra;
        std::string_view name;
    };
    for (const Case& c :
         {Case{"From: <sip:eve@test.invalid>;tag=2", "From"},
          Case{"f: <sip:eve@test.invalid>;tag=2", "From"},
          Case{"To: <sip:other@test.invalid>", "To"}, Case{"t: <sip:other@test.invalid>", "To"},
          Case{"CSeq: 314159 INVITE", "CSeq"}, Case{"Call-ID: another@test.invalid", "Call-ID"},
          Case{"i: another@test.invalid", "Call-ID"}, Case{"l: 0", "Content-Length"},
          Case{"Content-Length: 0", "Content-Length"}, Case{"Max-Forwards: 5", "Max-Forwards"}}) {
        Draft d = invite();
        d.add(std::string(c.extra));
        EXPECT_THAT(error_of(d.str()), HasSubstr("more than one " + std::string(c.name)))
            << c.extra;
    }
}

TEST(MessageInvalid, CSeqMethodMustMatchTheRequestMethod) {
    // RFC 4475 "mismatch01" and "mismatch02".
    Draft d = invite();
    d.set("CSeq", "314159 OPTIONS");
    EXPECT_THAT(error_of(d.str()), HasSubstr("does not match"));
    d = invite();
    d.start = "NEWMETHOD sip:user@test.invalid SIP/2.0";
    EXPECT_THAT(error_of(d.str()), HasSubstr("does not match"));
    d = invite();
    d.set("CSeq", "314159 invite");  // methods are case-sensitive
    EXPECT_THAT(error_of(d.str()), HasSubstr("does not match"));
}

TEST(MessageInvalid, CSeqNumberMustBeBelowTwoToThe31) {
    // RFC 4475 §3.1.2.3 "scalar02".
    for (std::string_view v :
         {"2147483648 INVITE", "4294967296 INVITE", "36893488147419103232 INVITE"}) {
        Draft d = invite();
        d.set("CSeq", v);
        EXPECT_THAT(error_of(d.str()), HasSubstr("sequence number")) << v;
    }
}

TEST(MessageInvalid, CSeqWithoutMethod) {
    Draft d = invite();
    d.set("CSeq", "1");
    EXPECT_THAT(error_of(d.str()), HasSubstr("invalid method"));
}

TEST(MessageInvalid, MaxForwardsOutOfRange) {
    // RFC 4475 §3.1.2.3 "scalar02" uses 300.
    for (std::string_view v : {"256", "300", "-1", "ten", "", "4294967296"}) {
        Draft d = invite();
        d.set("Max-Forwards", v);
        EXPECT_THAT(error_of(d.str()), HasSubstr("Max-Forwards")) << "'" << v << "'";
    }
}

TEST(MessageInvalid, RequestLineWithExtraSpaces) {
    // RFC 4475 "lwsstart" (multiple SP), "trws" (trailing SP) and "lwsruri" (LWS in the URI).
    for (std::string_view start : {"INVITE  sip:bob@biloxi.test.invalid  SIP/2.0",
                                   "INVITE sip:bob@biloxi.test.invalid  SIP/2.0",
                                   "INVITE sip:bob@biloxi.test.invalid SIP/2.0 ",
                                   " INVITE sip:bob@biloxi.test.invalid SIP/2.0",
                                   "INVITE sip:bob@biloxi.test.invalid; lr SIP/2.0"}) {
        Draft d = invite();
        d.start = start;
        EXPECT_THAT(error_of(d.str()), HasSubstr("request line")) << "'" << start << "'";
    }
}

TEST(MessageInvalid, RequestLineWithoutVersion) {
    Draft d = invite();
    d.start = "INVITE sip:bob@biloxi.test.invalid";
    EXPECT_THAT(error_of(d.str()), HasSubstr("request line"));
    d.start = "INVITE";
    EXPECT_THAT(error_of(d.str()), HasSubstr("request line"));
}

TEST(MessageInvalid, UnsupportedVersion) {
    // RFC 4475 "badvers".
    for (std::string_view version : {"SIP/7.0", "SIP/2.1", "SIP/20", "HTTP/1.1", "SIP/2.0x"}) {
        Draft d = invite();
        d.start = "INVITE sip:bob@biloxi.test.invalid " + std::string(version);
        EXPECT_THAT(error_of(d.str()), HasSubstr("unsupported SIP version")) << version;
    }
}

TEST(MessageInvalid, InvalidMethodToken) {
    Draft d = invite();
    d.start = "INV@ITE sip:bob@biloxi.test.invalid SIP/2.0";
    EXPECT_THAT(error_of(d.str()), HasSubstr("invalid method"));
}

TEST(MessageInvalid, BadRequestUri) {
    Draft d = invite();
    d.start = "INVITE <sip:bob@biloxi.test.invalid> SIP/2.0";  // RFC 4475 "ltgtruri"
    EXPECT_THAT(error_of(d.str()), HasSubstr("scheme"));
    d.start = "INVITE sip:[2001:db8::10 SIP/2.0";
    EXPECT_THAT(error_of(d.str()), HasSubstr("unterminated IPv6"));
    d.start = "INVITE sip:bob@[2001:db8::10:5060 SIP/2.0";
    EXPECT_THAT(error_of(d.str()), HasSubstr("unterminated IPv6"));
    d.start = "INVITE bob@biloxi.test.invalid SIP/2.0";
    EXPECT_THAT(error_of(d.str()), HasSubstr("scheme"));
    d.start = "INVITE sip:bob@biloxi.test.invalid:70000 SIP/2.0";
    EXPECT_THAT(error_of(d.str()), HasSubstr("port"));
    d.start = "INVITE sip:bob%4@biloxi.test.invalid SIP/2.0";
    EXPECT_THAT(error_of(d.str()), HasSubstr("%-escape"));
}

TEST(MessageInvalid, StatusCodeOutOfRange) {
    auto response = [](std::string_view status_line) {
        return join({status_line, "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1",
                     "Call-ID: sc@test.invalid", "CSeq: 1 INVITE",
                     "From: <sip:a@test.invalid>;tag=1", "To: <sip:b@test.invalid>;tag=2",
                     "Content-Length: 0"});
    };
    for (std::string_view line : {"SIP/2.0 099 Too Low", "SIP/2.0 000 Zero", "SIP/2.0 700 Too High",
                                  "SIP/2.0 999 Way Too High"}) {
        EXPECT_THAT(error_of(response(line)), HasSubstr("outside 100-699")) << line;
    }
    // RFC 4475 §3.1.2.18 "bigcode" and other non-3-digit codes.
    for (std::string_view line :
         {"SIP/2.0 4294967301 better not break the receiver", "SIP/2.0 20 OK", "SIP/2.0 2000 OK",
          "SIP/2.0 2x0 OK", "SIP/2.0 200OK", "SIP/2.0  200 OK", "SIP/2.0 ", "SIP/2.0 -200 OK"}) {
        EXPECT_THAT(error_of(response(line)), HasSubstr("3-digit")) << line;
    }
}

TEST(MessageInvalid, HeaderLineWithoutColon) {
    Draft d = invite();
    d.add("This line has no colon");
    EXPECT_THAT(error_of(d.str()), HasSubstr("no ':'"));
}

TEST(MessageInvalid, InvalidHeaderName) {
    for (std::string_view line :
         {"Bad Name: value", ": no name", "Via@: x", "[x]: y", "X-\"q\": y", "X/Y: z"}) {
        Draft d = invite();
        d.add(std::string(line));
        EXPECT_THAT(error_of(d.str()), HasSubstr("invalid header name")) << line;
    }
}

TEST(MessageInvalid, ContinuationBeforeAnyHeader) {
    const std::string bytes = "INVITE sip:bob@biloxi.test.invalid SIP/2.0\r\n continued\r\n" +
                              invite().str().substr(invite().start.size() + 2);
    EXPECT_THAT(error_of(bytes), HasSubstr("continuation"));
}

TEST(MessageInvalid, UnterminatedQuotedDisplayName) {
    // RFC 4475 §3.1.2.5 "quotbal".
    Draft d = invite();
    d.set("To", "\"Mr. J. User <sip:j.user@test.invalid>");
    std::string e = error_of(d.str());
    EXPECT_THAT(e, StartsWith("To: "));
    EXPECT_THAT(e, HasSubstr("unterminated"));
}

TEST(MessageInvalid, FromWithInvalidUri) {
    Draft d = invite();
    d.set("From", "<alice.atlanta.test.invalid>;tag=1");
    std::string e = error_of(d.str());
    EXPECT_THAT(e, StartsWith("From: "));
    EXPECT_THAT(e, HasSubstr("scheme"));
    d.set("From", "<sip:alice@atlanta.test.invalid;tag=1");
    EXPECT_THAT(error_of(d.str()), HasSubstr("'>'"));
}

TEST(MessageInvalid, TopViaWithOtherProtocolVersion) {
    Draft d = invite();
    d.set("Via", "SIP/3.0/UDP pc33.atlanta.test.invalid;branch=z9hG4bKnashds8");
    EXPECT_THAT(error_of(d.str()), HasSubstr("SIP/2.0"));
    d.set("Via", "SIP/2.0/UDP ;branch=z9hG4bKnashds8");
    EXPECT_THAT(error_of(d.str()), HasSubstr("sent-by"));
}

TEST(MessageInvalid, EmptyMessage) {
    EXPECT_THAT(error_of(""), HasSubstr("empty message"));
    EXPECT_THAT(error_of("\r\n\r\n"), HasSubstr("empty message"));
    EXPECT_THAT(error_of("\n"), HasSubstr("empty message"));
}

TEST(MessageInvalid, OversizedMessage) {
    Draft d = invite();
    const std::size_t base = d.str().size() + std::string_view("X-Pad: \r\n").size();
    d.add("X-Pad: " + std::string(max_message_bytes + 1 - base, 'p'));
    const std::string bytes = d.str();
    ASSERT_EQ(bytes.size(), max_message_bytes + 1);
    EXPECT_THAT(error_of(bytes), HasSubstr("exceeds the 65535-byte limit"));
    EXPECT_THAT(error_of(std::string(200000, '\r')), HasSubstr("exceeds"));
}

// Was a bug (fixed): From (and To) are single-valued, but a second comma-separated value in the
// same header line is accepted, and its text ends up inside the tag: tag() == "1,
// <sip:eve@evil.test.invalid>".
TEST(MessageInvalid, TwoFromValuesInOneHeaderLine) {
    Draft d = invite();
    d.set("From", "<sip:alice@atlanta.test.invalid>;tag=1, <sip:eve@evil.test.invalid>;tag=2");
    auto m = Message::parse(d.str());
    EXPECT_FALSE(m) << "accepted; From tag read as '" << m->from().tag() << "'";
}

// =============================================================================================
// Robustness: truncations and mutations must give a value or an error, never a crash.

// A valid INVITE whose Content-Length comes first, so that every strict prefix is invalid:
// either a mandatory header is missing or the body is shorter than Content-Length.
std::string sweep_invite() {
    Draft d = invite();
    d.drop("Content-Length");
    d.headers.insert(d.headers.begin(), "Content-Length: " + std::to_string(sdp_body.size()));
    d.set("Content-Type", "application/sdp");
    d.body = std::string(sdp_body);
    return d.str();
}

// Checks the invariants every accepted message must hold.
void expect_sane(const Message& m, std::string_view context) {
    EXPECT_FALSE(m.call_id().empty()) << context;
    EXPECT_FALSE(m.top_via().host.empty()) << context;
    EXPECT_FALSE(m.top_via().transport.empty()) << context;
    EXPECT_LT(m.cseq().number, 0x80000000u) << context;
    EXPECT_LE(m.body().size(), m.raw().size()) << context;
    if (m.is_response()) {
        EXPECT_GE(m.status(), 100) << context;
        EXPECT_LE(m.status(), 699) << context;
    } else {
        EXPECT_TRUE(is_token(m.method_token())) << context;
        EXPECT_EQ(m.cseq().method_token, m.method_token()) << context;
    }
    EXPECT_TRUE(m.from().wildcard || !m.from().uri.empty()) << context;
    EXPECT_TRUE(m.to().wildcard || !m.to().uri.empty()) << context;
}

TEST(MessageRobustness, EveryTruncationIsRejected) {
    for (const std::string& full : {sweep_invite(), tortuous_invite()}) {
        ASSERT_TRUE(Message::parse(full)) << full;
        for (std::size_t n = 0; n < full.size(); ++n) {
            auto m = Message::parse(std::string_view(full).substr(0, n));
            EXPECT_FALSE(m) << "prefix of " << n << " bytes accepted:\n" << full.substr(0, n);
        }
    }
}

TEST(MessageRobustness, SingleByteMutationsNeverCrash) {
    const std::string full = sweep_invite();
    ASSERT_TRUE(Message::parse(full));
    const char replacements[] = {'\0', ':',  ' ', '\r', '\n', '"',
                                 '<',  '>',  ',', ';',  '%',  '[',
                                 '\t', '\\', '/', '9',  'x',  static_cast<char>(0xFF)};
    std::size_t total = 0;
    std::size_t rejected = 0;
    for (std::size_t i = 0; i < full.size(); ++i) {
        for (char r : replacements) {
            if (full[i] == r) continue;
            std::string mutated = full;
            mutated[i] = r;
            ++total;
            auto m = Message::parse(mutated);
            if (!m) {
                ++rejected;
                EXPECT_FALSE(m.error().message.empty());
            } else {
                expect_sane(*m, "byte " + std::to_string(i) + " -> " +
                                    std::to_string(static_cast<unsigned char>(r)));
            }
        }
    }
    // The headers are dense with syntax, the SDP body is not: a good share must be refused.
    EXPECT_GT(rejected, total * 3 / 10) << rejected << " of " << total << " mutations rejected";
    EXPECT_LT(rejected, total) << "some mutations (e.g. inside the body) must still parse";
}

TEST(MessageRobustness, TortuousMutationsNeverCrash) {
    const std::string full = tortuous_invite();
    ASSERT_TRUE(Message::parse(full));
    std::size_t rejected = 0;
    std::size_t total = 0;
    for (std::size_t i = 0; i < full.size(); ++i) {
        for (char r : {'\0', ':', ' ', '\r', '\n', '"', '<', ','}) {
            if (full[i] == r) continue;
            std::string mutated = full;
            mutated[i] = r;
            ++total;
            auto m = Message::parse(mutated);
            if (m) {
                expect_sane(*m, "byte " + std::to_string(i));
            } else {
                ++rejected;
            }
        }
    }
    EXPECT_GT(rejected, total * 3 / 10) << rejected << " of " << total;
}

TEST(MessageRobustness, RandomMultiByteMutationsNeverCrash) {
    const std::string full = sweep_invite();
    std::mt19937 rng(4475);
    std::uniform_int_distribution<std::size_t> pos(0, full.size() - 1);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> count(2, 8);
    std::size_t rejected = 0;
    const int rounds = 3000;
    for (int round = 0; round < rounds; ++round) {
        std::string mutated = full;
        for (int k = count(rng); k > 0; --k) mutated[pos(rng)] = static_cast<char>(byte(rng));
        if (round % 3 == 0) mutated.resize(pos(rng));
        auto m = Message::parse(mutated);
        if (m) {
            expect_sane(*m, "round " + std::to_string(round));
        } else {
            ++rejected;
        }
    }
    EXPECT_GT(rejected, static_cast<std::size_t>(rounds * 3 / 4));
}

}  // namespace
}  // namespace pbxbench::sip
