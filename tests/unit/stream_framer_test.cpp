// Unit tests for sip/stream_framer.hpp: framing SIP messages on a byte stream (RFC 3261 §18.3).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/message.hpp"
#include "sip/stream_framer.hpp"

namespace pbxbench::sip {
namespace {

using ::testing::HasSubstr;

// A small valid request over TCP with the given body and Content-Length header line.
std::string request(std::string_view call_id, std::string_view body,
                    std::string_view length_line = {}) {
    std::string m =
        "OPTIONS sip:uas.test.invalid SIP/2.0\r\n"
        "Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK-";
    m += call_id;
    m += "\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:uac@test.invalid>;tag=f1\r\n"
         "To: <sip:uas@test.invalid>\r\n"
         "Call-ID: ";
    m += call_id;
    m += "\r\nCSeq: 1 OPTIONS\r\n";
    if (length_line.empty()) {
        m += "Content-Length: " + std::to_string(body.size());
    } else {
        m += length_line;
    }
    m += "\r\n\r\n";
    m += body;
    return m;
}

// Drains every complete message; fails the test on a framing error.
std::vector<std::string> drain(StreamFramer& framer) {
    std::vector<std::string> out;
    for (;;) {
        auto next = framer.next();
        EXPECT_TRUE(next) << next.error().message;
        if (!next || !next->has_value()) return out;
        out.push_back(std::move(**next));
    }
}

TEST(StreamFramer, EmptyStreamYieldsNothing) {
    StreamFramer framer;
    auto next = framer.next();
    ASSERT_TRUE(next);
    EXPECT_FALSE(next->has_value());
    EXPECT_EQ(framer.buffered_bytes(), 0u);
}

TEST(StreamFramer, ByteByByteYieldsExactlyOneMessageAtTheEnd) {
    const std::string msg = request("bytewise-1", "v=0\r\n");
    StreamFramer framer;
    for (std::size_t i = 0; i < msg.size(); ++i) {
        framer.feed(msg.substr(i, 1));
        auto next = framer.next();
        ASSERT_TRUE(next) << "after byte " << i << ": " << next.error().message;
        if (i + 1 < msg.size()) {
            ASSERT_FALSE(next->has_value()) << "complete message yielded after only " << i + 1
                                            << " of " << msg.size() << " bytes";
        } else {
            ASSERT_TRUE(next->has_value()) << "no message after the last byte";
            EXPECT_EQ(**next, msg);
        }
    }
    EXPECT_EQ(framer.buffered_bytes(), 0u);
    auto after = framer.next();
    ASSERT_TRUE(after);
    EXPECT_FALSE(after->has_value());
}

TEST(StreamFramer, FramedMessageParses) {
    StreamFramer framer;
    framer.feed(request("parses-1", "hello"));
    auto next = framer.next();
    ASSERT_TRUE(next && next->has_value());
    auto m = Message::parse(**next);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->call_id(), "parses-1");
    EXPECT_EQ(m->body(), "hello");
}

TEST(StreamFramer, TwoMessagesInOneFeedYieldTwo) {
    const std::string a = request("two-a", "first body");
    const std::string b = request("two-b", "");
    StreamFramer framer;
    framer.feed(a + b);
    auto got = drain(framer);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], a);
    EXPECT_EQ(got[1], b);
    EXPECT_EQ(framer.buffered_bytes(), 0u);
}

TEST(StreamFramer, BodyLookingLikeHeadersIsNotFramedAsAMessage) {
    // The body ends in something that looks like a header section; the length governs.
    const std::string body = "X: y\r\n\r\n";
    const std::string a = request("tricky-a", body);
    const std::string b = request("tricky-b", "zz");
    StreamFramer framer;
    framer.feed(a + b);
    auto got = drain(framer);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], a);
    EXPECT_EQ(got[1], b);
}

TEST(StreamFramer, KeepAlivesBetweenMessagesAreSkipped) {
    const std::string a = request("ka-a", "abc");
    const std::string b = request("ka-b", "");
    StreamFramer framer;
    framer.feed("\r\n\r\n");
    auto ping = framer.next();
    ASSERT_TRUE(ping);
    EXPECT_FALSE(ping->has_value());
    EXPECT_EQ(framer.buffered_bytes(), 0u);

    framer.feed(a + "\r\n" + "\r\n\r\n" + b + "\r\n\r\n");
    auto got = drain(framer);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], a);
    EXPECT_EQ(got[1], b);
    EXPECT_EQ(framer.buffered_bytes(), 0u);
}

TEST(StreamFramer, IncompleteBodyWaitsForTheRest) {
    const std::string msg = request("partial-1", "0123456789");
    const std::size_t split = msg.size() - 4;
    StreamFramer framer;
    framer.feed(msg.substr(0, split));
    for (int i = 0; i < 3; ++i) {  // asking again does not consume anything
        auto next = framer.next();
        ASSERT_TRUE(next) << next.error().message;
        EXPECT_FALSE(next->has_value());
        EXPECT_EQ(framer.buffered_bytes(), split);
    }
    framer.feed(msg.substr(split));
    auto next = framer.next();
    ASSERT_TRUE(next) << next.error().message;
    ASSERT_TRUE(next->has_value());
    EXPECT_EQ(**next, msg);
}

TEST(StreamFramer, MessageFollowedByPartOfTheNext) {
    const std::string a = request("chunk-a", "A");
    const std::string b = request("chunk-b", "BB");
    StreamFramer framer;
    framer.feed(a + b.substr(0, 20));
    auto got = drain(framer);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], a);
    EXPECT_EQ(framer.buffered_bytes(), 20u);
    framer.feed(b.substr(20));
    got = drain(framer);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], b);
}

TEST(StreamFramer, CompactContentLengthIsRecognised) {
    const std::string msg = request("compact-1", "xyz", "l:   3");
    StreamFramer framer;
    framer.feed(msg + request("compact-2", ""));
    auto got = drain(framer);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], msg);
}

TEST(StreamFramer, MixedCaseContentLengthNameIsRecognised) {
    const std::string msg = request("case-1", "xyz", "cOnTeNt-LeNgTh  :  3 ");
    StreamFramer framer;
    framer.feed(msg);
    auto got = drain(framer);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], msg);
}

TEST(StreamFramer, MissingContentLengthIsAnError) {
    std::string msg = request("nocl-1", "");
    msg.replace(msg.find("Content-Length: 0\r\n"), 19, "");
    ASSERT_EQ(msg.find("Content-Length"), std::string::npos);
    StreamFramer framer;
    framer.feed(msg);
    auto next = framer.next();
    ASSERT_FALSE(next);
    EXPECT_THAT(next.error().message, HasSubstr("no Content-Length"));
}

TEST(StreamFramer, InvalidContentLengthIsAnError) {
    for (std::string_view line :
         {"Content-Length: abc", "Content-Length: -1", "Content-Length: 1 0",
          "Content-Length: 99999999", "Content-Length:", "l: 0x10"}) {
        StreamFramer framer;
        framer.feed(request("badcl", "", line));
        auto next = framer.next();
        ASSERT_FALSE(next) << line;
        EXPECT_THAT(next.error().message, HasSubstr("invalid Content-Length")) << line;
    }
}

TEST(StreamFramer, UnterminatedHeadersBeyondTheLimitAreAnError) {
    StreamFramer framer;
    std::string head = "OPTIONS sip:uas.test.invalid SIP/2.0\r\nX-Pad: ";
    framer.feed(head);
    framer.feed(std::string(max_message_bytes - head.size(), 'a'));
    auto at_limit = framer.next();
    ASSERT_TRUE(at_limit) << at_limit.error().message;  // exactly at the limit: still waiting
    EXPECT_FALSE(at_limit->has_value());
    framer.feed("a");
    auto over = framer.next();
    ASSERT_FALSE(over);
    EXPECT_THAT(over.error().message, HasSubstr("exceed"));
}

// Was a bug (fixed): the framer scans header lines without unfolding them, so a folded continuation
// line that happens to read "Content-Length: N" overrides the real Content-Length. Message::parse
// treats it as part of the Subject value, so the two disagree and the stream desynchronizes.
TEST(StreamFramer, FoldedContinuationLineIsNotAContentLength) {
    std::string a = request("fold-a", "");
    a.insert(a.find("\r\n\r\n") + 2, "Subject: framing\r\n Content-Length: 40\r\n");
    auto parsed = Message::parse(a);
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_EQ(parsed->body(), "");
    const std::string b = request("fold-b", "");
    StreamFramer framer;
    framer.feed(a + b);
    auto got = drain(framer);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], a);
    EXPECT_EQ(got[1], b);
}

// Was a bug (fixed): RFC 3261 §7.3.1 allows the value to start on a folded line
// ("Content-Length:\r\n 3"); the framer reads an empty value on the first line and fails the
// stream.
TEST(StreamFramer, FoldedContentLengthValueIsAccepted) {
    const std::string msg = request("fold-value", "abc", "Content-Length:\r\n 3");
    auto parsed = Message::parse(msg);
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_EQ(parsed->body(), "abc");
    StreamFramer framer;
    framer.feed(msg);
    auto next = framer.next();
    ASSERT_TRUE(next) << next.error().message;
    ASSERT_TRUE(next->has_value());
    EXPECT_EQ(**next, msg);
}

}  // namespace
}  // namespace pbxbench::sip
