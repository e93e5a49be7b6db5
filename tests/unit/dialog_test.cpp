// Dialogs (RFC 3261 §12): creation on both sides, route sets, and in-dialog requests.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sip/dialog.hpp"
#include "sip/message.hpp"

namespace pbxbench::sip {
namespace {

using ::testing::ElementsAre;

constexpr std::string_view invite_text =
    "INVITE sip:bob@example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKa1;rport\r\n"
    "Max-Forwards: 70\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=from1\r\n"
    "To: <sip:bob@example.com>\r\n"
    "Call-ID: dlg-1@10.0.0.1\r\n"
    "CSeq: 7 INVITE\r\n"
    "Contact: <sip:alice@10.0.0.1:5070>\r\n"
    "Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n"
    "Content-Length: 0\r\n\r\n";

constexpr std::string_view ok_text =
    "SIP/2.0 200 OK\r\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKa1;rport=5070\r\n"
    "Record-Route: <sip:p1.example.com;lr>\r\n"
    "Record-Route: <sip:p2.example.com;lr>\r\n"
    "From: \"Alice\" <sip:alice@example.com>;tag=from1\r\n"
    "To: <sip:bob@example.com>;tag=to9\r\n"
    "Call-ID: dlg-1@10.0.0.1\r\n"
    "CSeq: 7 INVITE\r\n"
    "Contact: <sip:bob@10.0.0.2:5080;transport=udp>\r\n"
    "Content-Length: 0\r\n\r\n";

Message parse(std::string_view text) {
    auto m = Message::parse(text);
    EXPECT_TRUE(m) << m.error().message;
    return std::move(*m);
}

TEST(DialogUac, TakesItsStateFromTheRequestAndThe2xx) {
    Message invite = parse(invite_text);
    Message ok = parse(ok_text);
    auto d = make_uac_dialog(invite, ok);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->call_id, "dlg-1@10.0.0.1");
    EXPECT_EQ(d->local_tag, "from1");
    EXPECT_EQ(d->remote_tag, "to9");
    EXPECT_EQ(d->local_seq, 7u);
    EXPECT_FALSE(d->remote_seq);
    EXPECT_EQ(d->remote_target, "sip:bob@10.0.0.2:5080;transport=udp");
    // The UAC reverses the Record-Route order.
    EXPECT_THAT(d->route_set, ElementsAre("<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"));
    EXPECT_EQ(next_hop_uri(*d), "sip:p2.example.com;lr");
}

TEST(DialogUac, NeedsAToTag) {
    Message invite = parse(invite_text);
    std::string no_tag(ok_text);
    no_tag.replace(no_tag.find(";tag=to9"), 8, "");
    Message ok = parse(no_tag);
    auto d = make_uac_dialog(invite, ok);
    ASSERT_FALSE(d);
    EXPECT_THAT(d.error().message, ::testing::HasSubstr("To tag"));
}

TEST(DialogUac, ByeUsesLooseRoutingAndTheNextCSeq) {
    auto d = make_uac_dialog(parse(invite_text), parse(ok_text));
    ASSERT_TRUE(d);
    std::string bye =
        build_in_dialog_request(*d, {"BYE", "10.0.0.1:5070", "z9hG4bKbye", {}, {}, {}});
    Message m = parse(bye);
    EXPECT_EQ(m.method(), Method::bye);
    EXPECT_EQ(m.request_uri(), "sip:bob@10.0.0.2:5080;transport=udp");
    EXPECT_EQ(m.cseq().number, 8u);
    EXPECT_EQ(m.from().tag(), "from1");
    EXPECT_EQ(m.to().tag(), "to9");
    EXPECT_EQ(m.call_id(), "dlg-1@10.0.0.1");
    std::vector<std::string> routes;
    m.for_each_element(HeaderId::route, [&](std::string_view r) { routes.emplace_back(r); });
    EXPECT_THAT(routes, ElementsAre("<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"));
    EXPECT_EQ(m.top_via().branch(), "z9hG4bKbye");
    EXPECT_EQ(d->local_seq, 8u);
}

TEST(DialogUac, AckKeepsTheInviteCSeq) {
    auto d = make_uac_dialog(parse(invite_text), parse(ok_text));
    ASSERT_TRUE(d);
    Message ack =
        parse(build_in_dialog_request(*d, {"ACK", "10.0.0.1:5070", "z9hG4bKack", 7u, {}, {}}));
    EXPECT_EQ(ack.cseq().number, 7u);
    EXPECT_EQ(ack.cseq().method_token, "ACK");
    EXPECT_EQ(d->local_seq, 7u) << "an ACK does not advance the local sequence";
}

TEST(DialogUac, StrictRouterPutsTheRouteInTheRequestUri) {
    std::string ok(ok_text);
    ok.replace(ok.find("<sip:p2.example.com;lr>"), 23, "<sip:p2.example.com>");
    auto d = make_uac_dialog(parse(invite_text), parse(ok));
    ASSERT_TRUE(d);
    Message bye =
        parse(build_in_dialog_request(*d, {"BYE", "10.0.0.1:5070", "z9hG4bKs", {}, {}, {}}));
    EXPECT_EQ(bye.request_uri(), "sip:p2.example.com");
    std::vector<std::string> routes;
    bye.for_each_element(HeaderId::route, [&](std::string_view r) { routes.emplace_back(r); });
    EXPECT_THAT(routes,
                ElementsAre("<sip:p1.example.com;lr>", "<sip:bob@10.0.0.2:5080;transport=udp>"));
}

TEST(DialogUas, TakesItsStateFromTheRequest) {
    auto d = make_uas_dialog(parse(invite_text), "uas5");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->local_tag, "uas5");
    EXPECT_EQ(d->remote_tag, "from1");
    EXPECT_EQ(d->remote_seq, 7u);
    EXPECT_EQ(d->remote_target, "sip:alice@10.0.0.1:5070");
    // The UAS keeps the Record-Route order.
    EXPECT_THAT(d->route_set, ElementsAre("<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"));
    Message bye =
        parse(build_in_dialog_request(*d, {"BYE", "10.0.0.2:5080", "z9hG4bKu", {}, {}, {}}));
    EXPECT_EQ(bye.from().tag(), "uas5");
    EXPECT_EQ(bye.to().tag(), "from1");
    EXPECT_EQ(bye.request_uri(), "sip:alice@10.0.0.1:5070");
    EXPECT_EQ(bye.cseq().number, 1u);
}

TEST(DialogUas, RejectsOutOfOrderRemoteCSeq) {
    auto d = make_uas_dialog(parse(invite_text), "uas5");
    ASSERT_TRUE(d);
    EXPECT_TRUE(accept_remote_cseq(*d, 8));
    EXPECT_FALSE(accept_remote_cseq(*d, 6));
    EXPECT_EQ(d->remote_seq, 8u);
}

TEST(DialogUas, NeedsAContact) {
    std::string text(invite_text);
    text.replace(text.find("Contact: <sip:alice@10.0.0.1:5070>\r\n"), 36, "");
    auto d = make_uas_dialog(parse(text), "x");
    ASSERT_FALSE(d);
    EXPECT_THAT(d.error().message, ::testing::HasSubstr("Contact"));
}

}  // namespace
}  // namespace pbxbench::sip
