// Unit tests for sip/text.hpp and sip/header_values.hpp: the small lexical helpers and the
// structured header parsers (Via, name-addr, CSeq). Several inputs are adapted from the
// header fields of RFC 4475 (SIP Torture Test Messages), with host names replaced.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sip/header_id.hpp"
#include "sip/header_values.hpp"
#include "sip/text.hpp"

namespace pbxbench::sip {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs params_of(const ParamList& params) {
    Pairs out;
    params.for_each([&](const ParamList::Param& p) { out.emplace_back(p.name, p.value); });
    return out;
}

std::vector<std::string> elements_of(std::string_view value) {
    std::vector<std::string> out;
    CommaList list(value);
    while (auto e = list.next()) out.emplace_back(*e);
    return out;
}

// ---------------------------------------------------------------------------------------------
// text.hpp

TEST(TextIequals, ComparesAsciiCaseInsensitively) {
    EXPECT_TRUE(iequals("Content-Length", "content-length"));
    EXPECT_TRUE(iequals("CALL-ID", "call-id"));
    EXPECT_TRUE(iequals("", ""));
    EXPECT_FALSE(iequals("Via", "Vias"));
    EXPECT_FALSE(iequals("Via", "Vie"));
    EXPECT_FALSE(iequals("To", ""));
    // '@' (0x40) and '`' (0x60) differ by 32 but are not letters: no false match.
    EXPECT_FALSE(iequals("@", "`"));
    EXPECT_FALSE(iequals("[", "{"));
}

TEST(TextTrim, StripsSpaceTabCrLfFromBothEnds) {
    EXPECT_EQ(trim("  \t value \r\n"), "value");
    EXPECT_EQ(trim("a b"), "a b");
    EXPECT_EQ(trim(" \t\r\n "), "");
    EXPECT_EQ(trim(""), "");
    EXPECT_EQ(trim("\tx"), "x");
    EXPECT_EQ(trim("x\n"), "x");
}

TEST(TextToken, AcceptsRfc3261TokenCharactersOnly) {
    EXPECT_TRUE(is_token("INVITE"));
    // RFC 4475 §3.1.1.2 (intmeth) uses every token character in a method name.
    EXPECT_TRUE(is_token("!interesting-Method0123456789_*+`.%indeed'~"));
    EXPECT_FALSE(is_token(""));
    EXPECT_FALSE(is_token("two words"));
    for (char c : std::string_view("()<>@,;:\\\"/[]?={} \t")) {
        EXPECT_FALSE(is_token_char(c)) << "separator '" << c << "'";
    }
    EXPECT_FALSE(is_token_char('\0'));
    EXPECT_FALSE(is_token_char(static_cast<char>(0xC3)));
}

TEST(TextParseUint, ParsesDigitsUpToTheLimit) {
    EXPECT_EQ(parse_uint("0"), 0u);
    EXPECT_EQ(parse_uint("0068"), 68u);
    EXPECT_EQ(parse_uint("4294967295"), 4294967295u);  // default max is UINT32_MAX
    EXPECT_EQ(parse_uint("4294967296"), std::nullopt);
    EXPECT_EQ(parse_uint("255", 255), 255u);
    EXPECT_EQ(parse_uint("256", 255), std::nullopt);
    EXPECT_EQ(parse_uint("65535", 65535), 65535u);
    EXPECT_EQ(parse_uint("65536", 65535), std::nullopt);
    EXPECT_EQ(parse_uint("18446744073709551615", UINT64_MAX), std::nullopt);  // 20 digits: refused
    EXPECT_EQ(parse_uint("9999999999999999999", UINT64_MAX), 9999999999999999999ull);
}

TEST(TextParseUint, RejectsNonDigitsAndOverflow) {
    EXPECT_EQ(parse_uint(""), std::nullopt);
    EXPECT_EQ(parse_uint("-1"), std::nullopt);
    EXPECT_EQ(parse_uint("+1"), std::nullopt);
    EXPECT_EQ(parse_uint(" 1"), std::nullopt);
    EXPECT_EQ(parse_uint("1 "), std::nullopt);
    EXPECT_EQ(parse_uint("12a"), std::nullopt);
    EXPECT_EQ(parse_uint("0x10"), std::nullopt);
    // 2**65 from RFC 4475 §3.1.2.3 (scalar02) must not wrap around.
    EXPECT_EQ(parse_uint("36893488147419103232", UINT64_MAX), std::nullopt);
    EXPECT_EQ(parse_uint("18446744073709551616", UINT64_MAX), std::nullopt);
}

TEST(TextAppendUint, WritesDecimal) {
    std::string s = "x=";
    append_uint(s, 0);
    s += ',';
    append_uint(s, 2147483647);
    s += ',';
    append_uint(s, UINT64_MAX);
    EXPECT_EQ(s, "x=0,2147483647,18446744073709551615");
}

TEST(TextFindUnquoted, SkipsQuotedStringsAndAngleBrackets) {
    EXPECT_EQ(find_unquoted("a,b", ','), 1u);
    EXPECT_EQ(find_unquoted("\"a,b\",c", ','), 5u);
    EXPECT_EQ(find_unquoted("<sip:a,b@h>,c", ','), 11u);
    // An escaped quote does not end the quoted string.
    EXPECT_EQ(find_unquoted(R"("a\",b",c)", ','), 7u);
    // An escaped backslash does end it.
    EXPECT_EQ(find_unquoted(R"("a\\",b)", ','), 5u);
    EXPECT_EQ(find_unquoted("\"unterminated,", ','), std::string_view::npos);
    EXPECT_EQ(find_unquoted("abc", ','), std::string_view::npos);
    EXPECT_EQ(find_unquoted("", ','), std::string_view::npos);
    EXPECT_EQ(find_unquoted("a;b;c", ';', 2), 3u);
    // Nested angle brackets are counted.
    EXPECT_EQ(find_unquoted("<<a;b>;c>;d", ';'), 9u);
}

TEST(TextUnquote, RemovesQuotesAndEscapes) {
    EXPECT_EQ(unquote("\"Alice\""), "Alice");
    EXPECT_EQ(unquote("  \"Alice\"  "), "Alice");
    EXPECT_EQ(unquote(R"("J Tortoise \\\"")"), R"(J Tortoise \")");
    EXPECT_EQ(unquote(R"("Quoted string \"\"")"), R"(Quoted string "")");
    EXPECT_EQ(unquote("\"\""), "");
    EXPECT_EQ(unquote("token"), "token");
    EXPECT_EQ(unquote("\"half"), "\"half");
    EXPECT_EQ(unquote("\""), "\"");
}

TEST(TextCommaList, SplitsOutsideQuotesAndBrackets) {
    EXPECT_THAT(elements_of("a, b ,c"), ElementsAre("a", "b", "c"));
    EXPECT_THAT(elements_of(R"("Doe, John" <sip:j@h>, <sip:x@y;p=a,b>;q=1)"),
                ElementsAre(R"("Doe, John" <sip:j@h>)", "<sip:x@y;p=a,b>;q=1"));
    // Empty elements are skipped (RFC 4475 §3.1.1.1's ";;,,;;,;").
    EXPECT_THAT(elements_of(";;,,;;,;"), ElementsAre(";;", ";;", ";"));
    EXPECT_THAT(elements_of(" , ,, "), ElementsAre());
    EXPECT_THAT(elements_of(""), ElementsAre());
    EXPECT_THAT(elements_of("single"), ElementsAre("single"));
}

TEST(TextCommaList, KeepsReturningNulloptAtTheEnd) {
    CommaList list("x");
    EXPECT_EQ(list.next(), std::optional<std::string_view>("x"));
    EXPECT_EQ(list.next(), std::nullopt);
    EXPECT_EQ(list.next(), std::nullopt);
}

TEST(TextParamList, GetsValuesFlagsAndAbsence) {
    ParamList p("transport=TCP; lr ;Maddr = 239.255.255.1;ttl=15");
    EXPECT_EQ(p.get("transport"), std::optional<std::string_view>("TCP"));
    EXPECT_EQ(p.get("TRANSPORT"), std::optional<std::string_view>("TCP"));
    EXPECT_EQ(p.get("lr"), std::optional<std::string_view>(""));
    EXPECT_TRUE(p.has("lr"));
    EXPECT_EQ(p.get("maddr"), std::optional<std::string_view>("239.255.255.1"));
    EXPECT_EQ(p.get("ttl"), std::optional<std::string_view>("15"));
    EXPECT_EQ(p.get("user"), std::nullopt);
    EXPECT_FALSE(p.has("l"));  // no prefix match
    EXPECT_EQ(p.raw(), "transport=TCP; lr ;Maddr = 239.255.255.1;ttl=15");
}

TEST(TextParamList, QuotedValuesMayContainSemicolons) {
    ParamList p(R"(+sip.instance="<urn:uuid:a;b>";note="x;y=z";after=1)");
    EXPECT_EQ(p.get("+sip.instance"), std::optional<std::string_view>(R"("<urn:uuid:a;b>")"));
    EXPECT_EQ(p.get("note"), std::optional<std::string_view>(R"("x;y=z")"));
    EXPECT_EQ(p.get("after"), std::optional<std::string_view>("1"));
    EXPECT_EQ(p.get("b"), std::nullopt);
    EXPECT_EQ(p.get("y"), std::nullopt);
}

TEST(TextParamList, ForEachVisitsInOrderAndSkipsEmpties) {
    EXPECT_EQ(params_of(ParamList(";;a=1;;b; c = 3 ;")),
              (Pairs{{"a", "1"}, {"b", ""}, {"c", "3"}}));
    EXPECT_EQ(params_of(ParamList()), Pairs{});
    // The first of two same-named parameters wins.
    EXPECT_EQ(ParamList("tag=1;tag=2").get("tag"), std::optional<std::string_view>("1"));
}

// ---------------------------------------------------------------------------------------------
// header_id.hpp

TEST(TextHeaderId, RecognisesFullAndCompactNamesCaseInsensitively) {
    EXPECT_EQ(header_id("Via"), HeaderId::via);
    EXPECT_EQ(header_id("vIA"), HeaderId::via);
    EXPECT_EQ(header_id("v"), HeaderId::via);
    EXPECT_EQ(header_id("V"), HeaderId::via);
    EXPECT_EQ(header_id("i"), HeaderId::call_id);
    EXPECT_EQ(header_id("CALL-id"), HeaderId::call_id);
    EXPECT_EQ(header_id("f"), HeaderId::from);
    EXPECT_EQ(header_id("t"), HeaderId::to);
    EXPECT_EQ(header_id("m"), HeaderId::contact);
    EXPECT_EQ(header_id("l"), HeaderId::content_length);
    EXPECT_EQ(header_id("c"), HeaderId::content_type);
    EXPECT_EQ(header_id("k"), HeaderId::supported);
    EXPECT_EQ(header_id("s"), HeaderId::subject);
    EXPECT_EQ(header_id("e"), HeaderId::content_encoding);
    EXPECT_EQ(header_id("o"), HeaderId::event);
    EXPECT_EQ(header_id("MaX-fOrWaRdS"), HeaderId::max_forwards);
    EXPECT_EQ(header_id("X-Unknown"), HeaderId::other);
    EXPECT_EQ(header_id("x"), HeaderId::other);
    EXPECT_EQ(header_id(""), HeaderId::other);
    EXPECT_EQ(header_id("Vias"), HeaderId::other);
    EXPECT_EQ(header_name(HeaderId::call_id), "Call-ID");
    EXPECT_EQ(header_name(HeaderId::cseq), "CSeq");
}

TEST(TextHeaderId, MethodsAreCaseSensitive) {
    EXPECT_EQ(method_from("INVITE"), Method::invite);
    EXPECT_EQ(method_from("REGISTER"), Method::register_);
    EXPECT_EQ(method_from("invite"), Method::other);
    EXPECT_EQ(method_from("RE%47IST%45R"), Method::other);  // RFC 4475 §3.1.1.5 (esc02)
    EXPECT_EQ(method_name(Method::prack), "PRACK");
    EXPECT_EQ(method_name(Method::other), "");
    EXPECT_TRUE(is_single_valued(HeaderId::cseq));
    EXPECT_TRUE(is_single_valued(HeaderId::content_length));
    EXPECT_FALSE(is_single_valued(HeaderId::via));
    EXPECT_FALSE(is_single_valued(HeaderId::contact));
}

// ---------------------------------------------------------------------------------------------
// parse_via

TEST(HeaderValuesVia, ParsesAPlainVia) {
    auto via = parse_via("SIP/2.0/UDP pc33.atlanta.test:5066;branch=z9hG4bK776asdhds;rport");
    ASSERT_TRUE(via) << via.error().message;
    EXPECT_EQ(via->transport, "UDP");
    EXPECT_EQ(via->host, "pc33.atlanta.test");
    EXPECT_EQ(via->port, std::optional<std::uint16_t>(5066));
    EXPECT_EQ(via->sent_by, "pc33.atlanta.test:5066");
    EXPECT_EQ(via->branch(), "z9hG4bK776asdhds");
    EXPECT_TRUE(via->has_rfc3261_branch());
    EXPECT_TRUE(via->params.has("rport"));
    EXPECT_EQ(via->params.get("rport"), std::optional<std::string_view>(""));
}

TEST(HeaderValuesVia, AllowsLwsAroundSlashesAndParams) {
    // After line folding, RFC 4475 §3.1.1.1 (wsinv) gives Via values like these.
    auto via = parse_via("SIP  /   2.0    /UDP      192.0.2.2;branch=390skdjuw");
    ASSERT_TRUE(via) << via.error().message;
    EXPECT_EQ(via->transport, "UDP");
    EXPECT_EQ(via->host, "192.0.2.2");
    EXPECT_EQ(via->port, std::nullopt);
    EXPECT_EQ(via->branch(), "390skdjuw");
    EXPECT_FALSE(via->has_rfc3261_branch());

    auto v2 =
        parse_via("SIP  / 2.0  / TCP     spindle.test.invalid   ;   branch  =   z9hG4bK9ikj8");
    ASSERT_TRUE(v2) << v2.error().message;
    EXPECT_EQ(v2->transport, "TCP");
    EXPECT_EQ(v2->host, "spindle.test.invalid");
    EXPECT_EQ(v2->sent_by, "spindle.test.invalid");
    EXPECT_EQ(v2->branch(), "z9hG4bK9ikj8");
    EXPECT_TRUE(v2->has_rfc3261_branch());

    auto v3 = parse_via("SIP/2.0/UDP host.test.invalid : 5070 ;branch=z9hG4bKx");
    ASSERT_TRUE(v3) << v3.error().message;
    EXPECT_EQ(v3->host, "host.test.invalid");
    EXPECT_EQ(v3->port, std::optional<std::uint16_t>(5070));
}

TEST(HeaderValuesVia, AcceptsUnusualTransports) {
    // RFC 4475 §3.1.1.10 (transports).
    for (std::string_view t : {"SCTP", "TLS", "UNKNOWN", "TLS-SCTP", "WSS"}) {
        std::string text = "SIP/2.0/" + std::string(t) + " t.test.invalid;branch=z9hG4bKa";
        auto via = parse_via(text);
        ASSERT_TRUE(via) << text << ": " << via.error().message;
        EXPECT_EQ(via->transport, t);
    }
    // The protocol name is case-insensitive.
    auto lower = parse_via("sip/2.0/udp h.test.invalid");
    ASSERT_TRUE(lower) << lower.error().message;
    EXPECT_EQ(lower->transport, "udp");
}

TEST(HeaderValuesVia, ParsesIpv6SentBy) {
    auto via =
        parse_via("SIP/2.0/TCP [2001:db8::9:1]:5070;branch=z9hG4bKk;received=[2001:db8::9:255]");
    ASSERT_TRUE(via) << via.error().message;
    EXPECT_EQ(via->transport, "TCP");
    EXPECT_EQ(via->host, "[2001:db8::9:1]");
    EXPECT_EQ(via->port, std::optional<std::uint16_t>(5070));
    EXPECT_EQ(via->sent_by, "[2001:db8::9:1]:5070");
    EXPECT_EQ(via->params.get("received"), std::optional<std::string_view>("[2001:db8::9:255]"));

    auto no_port = parse_via("SIP/2.0/UDP [2001:db8::10];branch=z9hG4bKa");
    ASSERT_TRUE(no_port) << no_port.error().message;
    EXPECT_EQ(no_port->host, "[2001:db8::10]");
    EXPECT_EQ(no_port->port, std::nullopt);
}

TEST(HeaderValuesVia, ReadsRportReceivedAndOtherParams) {
    auto via = parse_via(
        "SIP/2.0/UDP 10.0.0.1:5060;rport=50123;received=198.51.100.7;maddr=224.2.0.1;ttl=16;"
        "branch=z9hG4bK-abc");
    ASSERT_TRUE(via) << via.error().message;
    EXPECT_EQ(via->params.get("rport"), std::optional<std::string_view>("50123"));
    EXPECT_EQ(via->params.get("received"), std::optional<std::string_view>("198.51.100.7"));
    EXPECT_EQ(via->params.get("maddr"), std::optional<std::string_view>("224.2.0.1"));
    EXPECT_EQ(via->params.get("TTL"), std::optional<std::string_view>("16"));
    EXPECT_EQ(via->branch(), "z9hG4bK-abc");

    auto no_branch = parse_via("SIP/2.0/UDP 192.0.2.15");  // RFC 2543 style (inv2543)
    ASSERT_TRUE(no_branch) << no_branch.error().message;
    EXPECT_EQ(no_branch->branch(), "");
    EXPECT_FALSE(no_branch->has_rfc3261_branch());
    EXPECT_FALSE(no_branch->params.has("rport"));
}

TEST(HeaderValuesVia, BranchCookieIsCaseSensitiveAndMustBeAPrefix) {
    auto lower = parse_via("SIP/2.0/UDP h.test.invalid;branch=z9hg4bk123");
    ASSERT_TRUE(lower);
    EXPECT_FALSE(lower->has_rfc3261_branch());
    auto inner = parse_via("SIP/2.0/UDP h.test.invalid;branch=xz9hG4bK123");
    ASSERT_TRUE(inner);
    EXPECT_FALSE(inner->has_rfc3261_branch());
    auto bare = parse_via("SIP/2.0/UDP h.test.invalid;branch=z9hG4bK");
    ASSERT_TRUE(bare);
    EXPECT_TRUE(bare->has_rfc3261_branch());
    auto short_branch = parse_via("SIP/2.0/UDP h.test.invalid;branch=z9h");
    ASSERT_TRUE(short_branch);
    EXPECT_FALSE(short_branch->has_rfc3261_branch());
}

TEST(HeaderValuesVia, RejectsOtherProtocolVersions) {
    auto v3 = parse_via("SIP/3.0/UDP h.test.invalid;branch=z9hG4bKa");
    ASSERT_FALSE(v3);
    EXPECT_THAT(v3.error().message, HasSubstr("SIP/2.0"));
    auto http = parse_via("HTTP/2.0/TCP h.test.invalid");
    ASSERT_FALSE(http);
    EXPECT_THAT(http.error().message, HasSubstr("SIP/2.0"));
    EXPECT_FALSE(parse_via("SIP/2.00/UDP h.test.invalid"));
}

TEST(HeaderValuesVia, RejectsMalformedSentProtocol) {
    auto no_slash = parse_via("SIP 2.0/UDP h.test.invalid");
    ASSERT_FALSE(no_slash);
    EXPECT_THAT(no_slash.error().message, HasSubstr("'/'"));
    auto no_transport = parse_via("SIP/2.0/ h.test.invalid");
    // "h.test.invalid" is taken as the transport, leaving no host.
    ASSERT_FALSE(no_transport);
    auto empty = parse_via("");
    ASSERT_FALSE(empty);
    EXPECT_THAT(empty.error().message, HasSubstr("sent-protocol"));
    EXPECT_FALSE(parse_via("SIP/2.0"));
    EXPECT_FALSE(parse_via("SIP//2.0/UDP h"));
}

TEST(HeaderValuesVia, RejectsMissingOrBadHost) {
    auto missing = parse_via("SIP/2.0/UDP");
    ASSERT_FALSE(missing);
    EXPECT_THAT(missing.error().message, HasSubstr("sent-by"));
    auto only_params = parse_via("SIP/2.0/UDP ;branch=z9hG4bKa");
    ASSERT_FALSE(only_params);
    EXPECT_THAT(only_params.error().message, HasSubstr("sent-by"));
    auto port_only = parse_via("SIP/2.0/UDP :5060;branch=z9hG4bKa");
    ASSERT_FALSE(port_only);
    EXPECT_THAT(port_only.error().message, HasSubstr("host"));
    auto bad_char = parse_via("SIP/2.0/UDP bad/host;branch=z9hG4bKa");
    ASSERT_FALSE(bad_char);
    EXPECT_THAT(bad_char.error().message, HasSubstr("host"));
    auto bad_ipv6 = parse_via("SIP/2.0/UDP [2001:db8::1;branch=z9hG4bKa");
    ASSERT_FALSE(bad_ipv6);
    EXPECT_THAT(bad_ipv6.error().message, HasSubstr("IPv6"));
    auto junk = parse_via("SIP/2.0/UDP [2001:db8::1]x:5060");
    ASSERT_FALSE(junk);
    EXPECT_THAT(junk.error().message, HasSubstr("junk"));
}

// Was a bug (fixed): parse_via checks the characters of a host name but not of an IPv6 reference,
// so any bracketed text is accepted as a sent-by host, even one with spaces or letters beyond hex.
// parse_uri rejects the same hosts ("malformed IPv6 reference").
TEST(HeaderValuesVia, Ipv6SentByContentIsValidated) {
    for (std::string_view text :
         {"SIP/2.0/UDP [evil host]:5060;branch=z9hG4bKa",
          "SIP/2.0/UDP [not-an-address];branch=z9hG4bKa", "SIP/2.0/UDP []"}) {
        auto via = parse_via(text);
        EXPECT_FALSE(via) << text << " accepted with host '" << via->host << "'";
    }
}

TEST(HeaderValuesVia, RejectsBadPorts) {
    auto big = parse_via("SIP/2.0/UDP h.test.invalid:65536");
    ASSERT_FALSE(big);
    EXPECT_THAT(big.error().message, HasSubstr("port"));
    auto empty = parse_via("SIP/2.0/UDP h.test.invalid:;branch=z9hG4bKa");
    ASSERT_FALSE(empty);
    EXPECT_THAT(empty.error().message, HasSubstr("port"));
    auto empty6 = parse_via("SIP/2.0/UDP [::1]:");
    ASSERT_FALSE(empty6);
    EXPECT_THAT(empty6.error().message, HasSubstr("port"));
    EXPECT_FALSE(parse_via("SIP/2.0/UDP h.test.invalid:50a0"));
    EXPECT_FALSE(parse_via("SIP/2.0/UDP h.test.invalid:5060:5061"));
    auto max = parse_via("SIP/2.0/UDP h.test.invalid:65535");
    ASSERT_TRUE(max);
    EXPECT_EQ(max->port, std::optional<std::uint16_t>(65535));
}

// ---------------------------------------------------------------------------------------------
// parse_name_addr

TEST(HeaderValuesNameAddr, QuotedDisplayNameWithEscapedQuotes) {
    // RFC 4475 §3.1.1.1 (wsinv) From, after folding.
    auto na = parse_name_addr(
        R"("J Tortoise \\\""       <sip:jt@caller.test.invalid>   ;   tag = 98asjd8)");
    ASSERT_TRUE(na) << na.error().message;
    EXPECT_EQ(na->display_name, R"("J Tortoise \\\"")");
    EXPECT_EQ(unquote(na->display_name), R"(J Tortoise \")");
    EXPECT_EQ(na->uri, "sip:jt@caller.test.invalid");
    EXPECT_EQ(na->tag(), "98asjd8");
    EXPECT_FALSE(na->wildcard);
}

TEST(HeaderValuesNameAddr, AngleBracketInsideQuotesDoesNotOpenTheUri) {
    auto na = parse_name_addr(R"("Eve <sip:fake@evil.test>" <sip:eve@real.test.invalid>;tag=e1)");
    ASSERT_TRUE(na) << na.error().message;
    EXPECT_EQ(na->display_name, R"("Eve <sip:fake@evil.test>")");
    EXPECT_EQ(na->uri, "sip:eve@real.test.invalid");
    EXPECT_EQ(na->tag(), "e1");

    auto comma = parse_name_addr(R"("Doe, John" <sip:john@h.test.invalid>)");
    ASSERT_TRUE(comma) << comma.error().message;
    EXPECT_EQ(comma->display_name, R"("Doe, John")");
    EXPECT_EQ(comma->tag(), "");
}

TEST(HeaderValuesNameAddr, TokenDisplayNames) {
    auto na = parse_name_addr("Caller <sip:caller@test.invalid>;tag=323");
    ASSERT_TRUE(na) << na.error().message;
    EXPECT_EQ(na->display_name, "Caller");
    EXPECT_EQ(na->uri, "sip:caller@test.invalid");
    EXPECT_EQ(na->tag(), "323");

    // RFC 4475 §3.1.1.6 (lwsdisp): no LWS between display name and '<'.
    auto tight = parse_name_addr("caller<sip:caller@test.invalid>;tag=323");
    ASSERT_TRUE(tight) << tight.error().message;
    EXPECT_EQ(tight->display_name, "caller");
    EXPECT_EQ(tight->uri, "sip:caller@test.invalid");

    auto multi = parse_name_addr("Mr Big Caller <sip:caller@test.invalid>");
    ASSERT_TRUE(multi) << multi.error().message;
    EXPECT_EQ(multi->display_name, "Mr Big Caller");

    auto none = parse_name_addr("<sip:caller@test.invalid;lr>");
    ASSERT_TRUE(none) << none.error().message;
    EXPECT_EQ(none->display_name, "");
    EXPECT_EQ(none->uri, "sip:caller@test.invalid;lr");
    EXPECT_TRUE(none->params.raw().empty());
}

TEST(HeaderValuesNameAddr, UriParametersStayInsideAngleBrackets) {
    auto na = parse_name_addr("<sip:bob@b.test.invalid;transport=tcp>;tag=9;expires=60");
    ASSERT_TRUE(na) << na.error().message;
    EXPECT_EQ(na->uri, "sip:bob@b.test.invalid;transport=tcp");
    EXPECT_EQ(na->tag(), "9");
    EXPECT_EQ(na->params.get("expires"), std::optional<std::string_view>("60"));
    EXPECT_FALSE(na->params.has("transport"));
}

TEST(HeaderValuesNameAddr, AddrSpecSemicolonParamsBelongToTheHeader) {
    // RFC 4475 §3.1.1.1: "sip:vivekg@... ;   tag    = 1918181833n" in addr-spec form.
    auto na = parse_name_addr("sip:alice@pbx.test.invalid ;   tag    = 1918181833n");
    ASSERT_TRUE(na) << na.error().message;
    EXPECT_EQ(na->display_name, "");
    EXPECT_EQ(na->uri, "sip:alice@pbx.test.invalid");
    EXPECT_EQ(na->tag(), "1918181833n");

    auto escaped = parse_name_addr("sip:%75se%72@test.invalid");  // RFC 4475 §3.1.1.3 (esc01) To
    ASSERT_TRUE(escaped) << escaped.error().message;
    EXPECT_EQ(escaped->uri, "sip:%75se%72@test.invalid");
    EXPECT_EQ(escaped->tag(), "");

    auto two = parse_name_addr("sip:caller@test.invalid;;tag=134161461246");
    ASSERT_TRUE(two) << two.error().message;
    EXPECT_EQ(two->uri, "sip:caller@test.invalid");
    EXPECT_EQ(two->tag(), "134161461246");
}

TEST(HeaderValuesNameAddr, NonSipSchemesAreAccepted) {
    // RFC 4475 "unksm2": unknown schemes in From/To/Contact.
    auto isbn = parse_name_addr("isbn:2983792873");
    ASSERT_TRUE(isbn) << isbn.error().message;
    EXPECT_EQ(isbn->uri, "isbn:2983792873");
    auto http = parse_name_addr("<http://www.test.invalid>;tag=3234233");
    ASSERT_TRUE(http) << http.error().message;
    EXPECT_EQ(http->uri, "http://www.test.invalid");
    EXPECT_EQ(http->tag(), "3234233");
    auto tel = parse_name_addr("\"Office\" <tel:+1-201-555-0123>");
    ASSERT_TRUE(tel) << tel.error().message;
    EXPECT_EQ(tel->uri, "tel:+1-201-555-0123");
}

TEST(HeaderValuesNameAddr, Wildcard) {
    auto star = parse_name_addr("*");
    ASSERT_TRUE(star) << star.error().message;
    EXPECT_TRUE(star->wildcard);
    EXPECT_EQ(star->uri, "");
    auto spaced = parse_name_addr("  *  ");
    ASSERT_TRUE(spaced);
    EXPECT_TRUE(spaced->wildcard);
    auto not_star = parse_name_addr("<sip:a@test.invalid>");
    ASSERT_TRUE(not_star);
    EXPECT_FALSE(not_star->wildcard);
}

TEST(HeaderValuesNameAddr, RejectsMissingClosingBracket) {
    auto na = parse_name_addr("Bob <sip:bob@test.invalid;tag=1");
    ASSERT_FALSE(na);
    EXPECT_THAT(na.error().message, HasSubstr("'>'"));
}

TEST(HeaderValuesNameAddr, RejectsUnterminatedQuotedDisplayName) {
    // RFC 4475 §3.1.2.5 (quotbal).
    auto na = parse_name_addr(R"("Mr. J. User <sip:j.user@test.invalid>)");
    ASSERT_FALSE(na);
    EXPECT_THAT(na.error().message, HasSubstr("unterminated"));
    auto escaped_end = parse_name_addr(R"("ends in escape\" <sip:a@test.invalid>)");
    ASSERT_FALSE(escaped_end);
    EXPECT_THAT(escaped_end.error().message, HasSubstr("unterminated"));
}

TEST(HeaderValuesNameAddr, RejectsJunkAndEmptyUris) {
    auto junk = parse_name_addr("<sip:a@test.invalid> junk");
    ASSERT_FALSE(junk);
    EXPECT_THAT(junk.error().message, HasSubstr("junk"));
    auto second = parse_name_addr("<sip:a@test.invalid>, <sip:b@test.invalid>");
    ASSERT_FALSE(second);
    auto empty = parse_name_addr("");
    ASSERT_FALSE(empty);
    EXPECT_THAT(empty.error().message, HasSubstr("empty URI"));
    auto empty_brackets = parse_name_addr("\"Nobody\" <>");
    ASSERT_FALSE(empty_brackets);
    EXPECT_THAT(empty_brackets.error().message, HasSubstr("empty URI"));
    auto quoted_addr_spec = parse_name_addr("\"Bob\" sip:bob@test.invalid");
    ASSERT_FALSE(quoted_addr_spec);
    EXPECT_THAT(quoted_addr_spec.error().message, HasSubstr("neither"));
    auto spaced = parse_name_addr("sip:a@test.invalid, sip:b@test.invalid");
    ASSERT_FALSE(spaced);
}

TEST(HeaderValuesNameAddr, RejectsInvalidUris) {
    // RFC 4475 §3.1.2.6 style: the URI inside <> must itself parse.
    auto no_scheme = parse_name_addr("<alice@test.invalid>");
    ASSERT_FALSE(no_scheme);
    EXPECT_THAT(no_scheme.error().message, HasSubstr("scheme"));
    auto bad_port = parse_name_addr("<sip:alice@test.invalid:99999>;tag=1");
    ASSERT_FALSE(bad_port);
    EXPECT_THAT(bad_port.error().message, HasSubstr("port"));
}

// ---------------------------------------------------------------------------------------------
// parse_cseq

TEST(HeaderValuesCSeq, ParsesNumberAndMethod) {
    auto c = parse_cseq("4711 INVITE");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->number, 4711u);
    EXPECT_EQ(c->method_token, "INVITE");
    EXPECT_EQ(c->method, Method::invite);

    auto spaced = parse_cseq("   0009 \t  ACK   ");
    ASSERT_TRUE(spaced) << spaced.error().message;
    EXPECT_EQ(spaced->number, 9u);
    EXPECT_EQ(spaced->method_token, "ACK");
    EXPECT_EQ(spaced->method, Method::ack);

    auto zero = parse_cseq("0 BYE");
    ASSERT_TRUE(zero);
    EXPECT_EQ(zero->number, 0u);

    auto unknown = parse_cseq("139122385 !interesting-Method0123456789_*+`.%indeed'~");
    ASSERT_TRUE(unknown) << unknown.error().message;
    EXPECT_EQ(unknown->number, 139122385u);
    EXPECT_EQ(unknown->method, Method::other);
    EXPECT_EQ(unknown->method_token, "!interesting-Method0123456789_*+`.%indeed'~");
}

TEST(HeaderValuesCSeq, AcceptsTheLargestNumberBelowTwoToThe31) {
    auto c = parse_cseq("2147483647 OPTIONS");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->number, 2147483647u);
    EXPECT_EQ(c->method, Method::options);
}

TEST(HeaderValuesCSeq, RejectsTooLargeNumbers) {
    for (std::string_view text :
         {"2147483648 INVITE", "4294967296 INVITE", "36893488147419103232 REGISTER",
          "99999999999999999999999 INVITE"}) {
        auto c = parse_cseq(text);
        ASSERT_FALSE(c) << text;
        EXPECT_THAT(c.error().message, HasSubstr("sequence number")) << text;
    }
}

TEST(HeaderValuesCSeq, RejectsMissingOrNonNumericNumbers) {
    for (std::string_view text : {"INVITE", "-1 INVITE", "one INVITE", "+1 INVITE", ""}) {
        auto c = parse_cseq(text);
        ASSERT_FALSE(c) << text;
        EXPECT_THAT(c.error().message, HasSubstr("sequence number")) << text;
    }
}

TEST(HeaderValuesCSeq, RejectsMissingOrBadMethod) {
    for (std::string_view text :
         {"1", "1   ", "1INVITE", "1 INVITE extra", "1 INV,ITE", "1 <INVITE>"}) {
        auto c = parse_cseq(text);
        ASSERT_FALSE(c) << text;
        EXPECT_THAT(c.error().message, HasSubstr("method")) << text;
    }
}

}  // namespace
}  // namespace pbxbench::sip
