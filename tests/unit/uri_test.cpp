// Unit tests for sip/uri.hpp: SIP/SIPS URIs (RFC 3261 §19.1) and opaque other schemes.
// Several inputs are adapted from RFC 4475 (SIP Torture Test Messages), hosts renamed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "sip/uri.hpp"

namespace pbxbench::sip {
namespace {

using ::testing::HasSubstr;

Uri must_parse(std::string_view text) {
    auto uri = parse_uri(text);
    EXPECT_TRUE(uri) << text << ": " << (uri ? "" : uri.error().message);
    return uri ? *uri : Uri{};
}

std::string error_of(std::string_view text) {
    auto uri = parse_uri(text);
    EXPECT_FALSE(uri) << text << " parsed but should not have (host '" << (uri ? uri->host : "")
                      << "')";
    return uri ? std::string{} : uri.error().message;
}

TEST(UriSip, HostOnly) {
    Uri u = must_parse("sip:pbx.test.invalid");
    EXPECT_EQ(u.scheme, "sip");
    EXPECT_TRUE(u.is_sip());
    EXPECT_FALSE(u.is_sips());
    EXPECT_EQ(u.user, "");
    EXPECT_EQ(u.password, "");
    EXPECT_EQ(u.host, "pbx.test.invalid");
    EXPECT_EQ(u.port, std::nullopt);
    EXPECT_EQ(u.params.raw(), "");
    EXPECT_EQ(u.headers, "");
    EXPECT_EQ(u.opaque, "");
    EXPECT_EQ(u.port_or_default(), 5060);
}

TEST(UriSip, UserPasswordHostPortParamsHeaders) {
    Uri u = must_parse(
        "sip:alice:s3cret@atlanta.test.invalid:5070;transport=tcp;lr;maddr=239.255.255.1;"
        "x-flag?subject=project%20x&priority=urgent");
    EXPECT_EQ(u.user, "alice");
    EXPECT_EQ(u.password, "s3cret");
    EXPECT_EQ(u.host, "atlanta.test.invalid");
    EXPECT_EQ(u.port, std::optional<std::uint16_t>(5070));
    EXPECT_EQ(u.port_or_default(), 5070);
    EXPECT_EQ(u.params.get("transport"), std::optional<std::string_view>("tcp"));
    EXPECT_TRUE(u.params.has("lr"));
    EXPECT_EQ(u.params.get("lr"), std::optional<std::string_view>(""));
    EXPECT_EQ(u.params.get("maddr"), std::optional<std::string_view>("239.255.255.1"));
    EXPECT_TRUE(u.params.has("x-flag"));
    EXPECT_FALSE(u.params.has("subject"));
    EXPECT_EQ(u.headers, "subject=project%20x&priority=urgent");
}

TEST(UriSip, SchemeIsCaseInsensitive) {
    Uri u = must_parse("SIP:Bob@Biloxi.Test.Invalid");
    EXPECT_TRUE(u.is_sip());
    EXPECT_EQ(u.user, "Bob");
    EXPECT_EQ(u.host, "Biloxi.Test.Invalid");
    Uri s = must_parse("SiPs:bob@biloxi.test.invalid");
    EXPECT_TRUE(s.is_sips());
    EXPECT_EQ(s.port_or_default(), 5061);
}

TEST(UriSip, SipsDefaultsTo5061) {
    Uri u = must_parse("sips:bob@biloxi.test.invalid");
    EXPECT_TRUE(u.is_sip());
    EXPECT_TRUE(u.is_sips());
    EXPECT_EQ(u.port, std::nullopt);
    EXPECT_EQ(u.port_or_default(), 5061);
    Uri p = must_parse("sips:bob@biloxi.test.invalid:6000");
    EXPECT_EQ(p.port_or_default(), 6000);
}

TEST(UriSip, Ipv4Host) {
    Uri u = must_parse("sip:carol@192.0.2.4:5080;transport=udp");
    EXPECT_EQ(u.host, "192.0.2.4");
    EXPECT_EQ(u.host_bare(), "192.0.2.4");
    EXPECT_EQ(u.port, std::optional<std::uint16_t>(5080));
    EXPECT_EQ(u.params.get("transport"), std::optional<std::string_view>("udp"));
}

TEST(UriSip, Ipv6ReferenceWithPort) {
    Uri u = must_parse("sip:[2001:db8::10]:5070;transport=tcp");
    EXPECT_EQ(u.user, "");
    EXPECT_EQ(u.host, "[2001:db8::10]");
    EXPECT_EQ(u.host_bare(), "2001:db8::10");
    EXPECT_EQ(u.port, std::optional<std::uint16_t>(5070));
    EXPECT_EQ(u.params.get("transport"), std::optional<std::string_view>("tcp"));
}

TEST(UriSip, Ipv6ReferenceWithoutPort) {
    Uri u = must_parse("sips:dave@[2001:DB8::9:1]");
    EXPECT_EQ(u.user, "dave");
    EXPECT_EQ(u.host, "[2001:DB8::9:1]");
    EXPECT_EQ(u.host_bare(), "2001:DB8::9:1");
    EXPECT_EQ(u.port, std::nullopt);
    EXPECT_EQ(u.port_or_default(), 5061);

    Uri v4mapped = must_parse("sip:[::ffff:192.0.2.1];lr");
    EXPECT_EQ(v4mapped.host_bare(), "::ffff:192.0.2.1");
    EXPECT_TRUE(v4mapped.params.has("lr"));
    Uri any = must_parse("sip:[::]");
    EXPECT_EQ(any.host_bare(), "::");
}

TEST(UriSip, PortBoundaries) {
    EXPECT_EQ(must_parse("sip:h.test.invalid:65535").port, std::optional<std::uint16_t>(65535));
    EXPECT_EQ(must_parse("sip:h.test.invalid:1").port, std::optional<std::uint16_t>(1));
    EXPECT_THAT(error_of("sip:h.test.invalid:65536"), HasSubstr("port"));
    EXPECT_THAT(error_of("sip:h.test.invalid:4294967301"), HasSubstr("port"));
    EXPECT_THAT(error_of("sip:[::1]:70000"), HasSubstr("port"));
    EXPECT_THAT(error_of("sip:h.test.invalid:-1"), HasSubstr("port"));
    EXPECT_THAT(error_of("sip:h.test.invalid:5o60"), HasSubstr("port"));
    EXPECT_THAT(error_of("sip:h.test.invalid:"), HasSubstr("port"));
    EXPECT_THAT(error_of("sip:[::1]:"), HasSubstr("port"));
}

TEST(UriSip, EscapedUserParts) {
    // RFC 4475 §3.1.1.3 (esc01) and §3.1.1.4 (escnull).
    Uri spaces = must_parse("sip:I%20have%20spaces@test.invalid");
    EXPECT_EQ(spaces.user, "I%20have%20spaces");  // kept escaped, as received
    EXPECT_EQ(spaces.host, "test.invalid");
    Uri nested = must_parse("sip:sips%3Auser%40test.invalid@other.test.invalid");
    EXPECT_EQ(nested.user, "sips%3Auser%40test.invalid");
    EXPECT_EQ(nested.host, "other.test.invalid");
    Uri null = must_parse("sip:null-%00-null@test.invalid");
    EXPECT_EQ(null.user, "null-%00-null");
    Uri at_end = must_parse("sip:ab%4A@test.invalid");
    EXPECT_EQ(at_end.user, "ab%4A");
    Uri pw = must_parse("sip:u:p%41ss@test.invalid");
    EXPECT_EQ(pw.password, "p%41ss");
}

TEST(UriSip, MalformedEscapesAreRejected) {
    EXPECT_THAT(error_of("sip:alice%2@test.invalid"), HasSubstr("%-escape"));
    EXPECT_THAT(error_of("sip:%zzalice@test.invalid"), HasSubstr("%-escape"));
    EXPECT_THAT(error_of("sip:alice%@test.invalid"), HasSubstr("%-escape"));
    EXPECT_THAT(error_of("sip:al%g1ce@test.invalid"), HasSubstr("%-escape"));
    EXPECT_THAT(error_of("sip:alice:pw%4@test.invalid"), HasSubstr("%-escape"));
}

TEST(UriSip, UserPartMayHoldSemicolonsAndQuestionMarks) {
    // RFC 4475 §3.1.1.9 (semiuri): the ';' belongs to the user part, not to URI params.
    Uri u = must_parse("sip:user;par=u%40test.invalid@host.test.invalid");
    EXPECT_EQ(u.user, "user;par=u%40test.invalid");
    EXPECT_EQ(u.host, "host.test.invalid");
    EXPECT_FALSE(u.params.has("par"));

    // RFC 4475 §3.1.1.2 (intmeth): a user and password full of unusual characters.
    Uri w = must_parse(
        "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/"
        ";;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)"
        "@test.invalid");
    EXPECT_EQ(w.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    EXPECT_EQ(w.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    EXPECT_EQ(w.host, "test.invalid");
    EXPECT_EQ(w.headers, "");
}

// Was a bug (fixed): parse_uri promises SIP URIs are "checked in full", and it does check the host,
// but it never checks the characters of the user and password parts: raw control characters (NUL,
// 0x01, DEL) are accepted, although RFC 3261 §25.1 only allows them %-escaped (RFC 4475
// "escnull" sends NUL as %00 for this reason).
TEST(UriSip, ControlCharactersInUserinfoAreRejected) {
    const std::string cases[] = {std::string("sip:nul\0byte@test.invalid", 25),
                                 "sip:soh\x01"
                                 "byte@test.invalid",
                                 "sip:del\x7F"
                                 "byte@test.invalid",
                                 "sip:user:pass\x01"
                                 "word@test.invalid"};
    for (const std::string& text : cases) {
        ASSERT_NE(text.find_first_of(std::string("\0\x01\x7F", 3)), std::string::npos);
        auto uri = parse_uri(text);
        EXPECT_FALSE(uri) << "accepted a URI with a raw control character, user '" << uri->user
                          << "'";
    }
}

TEST(UriSip, EscapedHeadersAfterQuestionMark) {
    // RFC 4475 "regescrt": a Contact URI carrying an escaped Route header.
    Uri u = must_parse("sip:user@host.test.invalid?Route=%3Csip:proxy.test.invalid%3E");
    EXPECT_EQ(u.host, "host.test.invalid");
    EXPECT_EQ(u.headers, "Route=%3Csip:proxy.test.invalid%3E");
    EXPECT_EQ(u.params.raw(), "");
    Uri both = must_parse("sip:h.test.invalid;lr?a=b;c");
    EXPECT_EQ(both.host, "h.test.invalid");
    EXPECT_TRUE(both.params.has("lr"));
    EXPECT_EQ(both.headers, "a=b;c");
}

TEST(UriSip, EmptyHostIsRejected) {
    EXPECT_THAT(error_of("sip:"), HasSubstr("no host"));
    EXPECT_THAT(error_of("sip:alice@"), HasSubstr("no host"));
    EXPECT_THAT(error_of("sip:alice@;transport=udp"), HasSubstr("no host"));
    EXPECT_THAT(error_of("sip::5060"), HasSubstr("no host"));
    EXPECT_THAT(error_of("sips:?subject=x"), HasSubstr("no host"));
}

TEST(UriSip, EmptyUserIsRejected) {
    EXPECT_THAT(error_of("sip:@test.invalid"), HasSubstr("empty user"));
    EXPECT_THAT(error_of("sip::pw@test.invalid"), HasSubstr("empty user"));
}

TEST(UriSip, InvalidHostCharactersAreRejected) {
    EXPECT_THAT(error_of("sip:alice@exa!mple.test"), HasSubstr("host"));
    EXPECT_THAT(error_of("sip:alice@exa,mple.test"), HasSubstr("host"));
    EXPECT_THAT(error_of("sip:alice@host/path"), HasSubstr("host"));
}

TEST(UriSip, Ipv6ReferencesMustBeWellFormed) {
    EXPECT_THAT(error_of("sip:[2001:db8::10"), HasSubstr("unterminated IPv6"));
    EXPECT_THAT(error_of("sip:alice@[2001:db8::10;transport=tcp"), HasSubstr("unterminated IPv6"));
    EXPECT_THAT(error_of("sip:[2001:db8::10]5060"), HasSubstr("junk"));
    EXPECT_THAT(error_of("sip:[2001:db8::g]"), HasSubstr("malformed IPv6"));
    EXPECT_THAT(error_of("sip:[]"), HasSubstr("IPv6"));
    EXPECT_THAT(error_of("sip:[:]"), HasSubstr("IPv6"));
}

TEST(UriSip, WhitespaceAndAngleBracketsAreRejected) {
    // RFC 4475 §3.1.2.6 (ltgtruri) and §3.1.2.7 (lwsruri).
    EXPECT_THAT(error_of("sip:user@test.invalid; lr"), HasSubstr("whitespace"));
    EXPECT_THAT(error_of("sip:user@test.invalid>"), HasSubstr("whitespace"));
    EXPECT_THAT(error_of("sip:us\"er@test.invalid"), HasSubstr("whitespace"));
    EXPECT_THAT(error_of("sip:user@test.invalid\r\n"), HasSubstr("whitespace"));
    EXPECT_THAT(error_of("sip:user@test\t.invalid"), HasSubstr("whitespace"));
    EXPECT_THAT(error_of("<sip:user@test.invalid>"), HasSubstr("scheme"));
}

TEST(UriOther, TelAndOtherSchemesAreOpaque) {
    Uri tel = must_parse("tel:+1-201-555-0123;phone-context=test.invalid");
    EXPECT_EQ(tel.scheme, "tel");
    EXPECT_EQ(tel.opaque, "+1-201-555-0123;phone-context=test.invalid");
    EXPECT_FALSE(tel.is_sip());
    EXPECT_FALSE(tel.is_sips());
    EXPECT_EQ(tel.host, "");
    EXPECT_EQ(tel.user, "");

    // RFC 4475 "unksm" and "novelsc": unknown and atypical schemes are syntactically fine.
    Uri unknown = must_parse("nobodyKnowsThisScheme:totallyopaquecontent");
    EXPECT_EQ(unknown.scheme, "nobodyKnowsThisScheme");
    EXPECT_EQ(unknown.opaque, "totallyopaquecontent");
    Uri novel = must_parse("soap.beep://192.0.2.103:3002");
    EXPECT_EQ(novel.scheme, "soap.beep");
    EXPECT_EQ(novel.opaque, "//192.0.2.103:3002");
    EXPECT_EQ(novel.port, std::nullopt);
    Uri urn = must_parse("urn:service:sos");
    EXPECT_EQ(urn.scheme, "urn");
    EXPECT_EQ(urn.opaque, "service:sos");
    Uri mailto = must_parse("mailto:someone@test.invalid");
    EXPECT_EQ(mailto.opaque, "someone@test.invalid");
    EXPECT_EQ(mailto.user, "");
}

TEST(UriOther, EmptyOpaquePartIsRejected) {
    EXPECT_THAT(error_of("tel:"), HasSubstr("empty after the scheme"));
    EXPECT_THAT(error_of("tel:+1 555 0123"), HasSubstr("whitespace"));
}

TEST(UriScheme, MissingOrInvalidSchemeIsRejected) {
    EXPECT_THAT(error_of("alice@test.invalid"), HasSubstr("no scheme"));
    EXPECT_THAT(error_of(""), HasSubstr("no scheme"));
    EXPECT_THAT(error_of(":alice@test.invalid"), HasSubstr("no scheme"));
    EXPECT_THAT(error_of("1sip:alice@test.invalid"), HasSubstr("no scheme"));
    EXPECT_THAT(error_of("s_p:alice@test.invalid"), HasSubstr("no scheme"));
    EXPECT_THAT(error_of("//test.invalid:5060"), HasSubstr("no scheme"));
}

TEST(UriHostBare, StripsOnlyIpv6Brackets) {
    Uri u;
    u.host = "[::1]";
    EXPECT_EQ(u.host_bare(), "::1");
    u.host = "example.test";
    EXPECT_EQ(u.host_bare(), "example.test");
    u.host = "";
    EXPECT_EQ(u.host_bare(), "");
}

TEST(UriViews, PointIntoTheCallersText) {
    std::string text = "sip:alice@test.invalid:5062;lr";
    auto uri = parse_uri(text);
    ASSERT_TRUE(uri) << uri.error().message;
    EXPECT_EQ(uri->user.data(), text.data() + 4);
    EXPECT_EQ(uri->host.data(), text.data() + 10);
    EXPECT_EQ(uri->port, std::optional<std::uint16_t>(5062));
}

}  // namespace
}  // namespace pbxbench::sip
