// The SIP message codec: valid messages (RFC 4475 §3.1.1 style) and builder round trips.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "tests/unit/support/message_samples.hpp"

namespace pbxbench::sip {
namespace {

TEST(MessageValid, BaselineInvite) {
    Message m = must_parse(invite().str());
    EXPECT_TRUE(m.is_request());
    EXPECT_FALSE(m.is_response());
    EXPECT_EQ(m.method(), Method::invite);
    EXPECT_EQ(m.method_token(), "INVITE");
    EXPECT_EQ(m.request_uri(), "sip:bob@biloxi.test.invalid");
    EXPECT_EQ(m.status(), 0);
    EXPECT_EQ(m.call_id(), "a84b4c76e66710@pc33.atlanta.test.invalid");
    EXPECT_EQ(m.cseq().number, 314159u);
    EXPECT_EQ(m.cseq().method, Method::invite);
    EXPECT_EQ(m.from().display_name, "Alice");
    EXPECT_EQ(m.from().uri, "sip:alice@atlanta.test.invalid");
    EXPECT_EQ(m.from().tag(), "1928301774");
    EXPECT_EQ(m.to().uri, "sip:bob@biloxi.test.invalid");
    EXPECT_EQ(m.to().tag(), "");
    EXPECT_EQ(m.top_via().host, "pc33.atlanta.test.invalid");
    EXPECT_EQ(m.body(), "");
    EXPECT_EQ(m.headers().size(), 8u);
}

TEST(MessageValid, ShortTortuousInvite) {
    const std::string bytes = tortuous_invite();
    Message m = must_parse(bytes);
    EXPECT_EQ(m.method(), Method::invite);
    EXPECT_EQ(m.request_uri(), "sip:alice@pbx.test.invalid;unknownparam");

    EXPECT_EQ(m.to().display_name, "");
    EXPECT_EQ(m.to().uri, "sip:alice@pbx.test.invalid");
    EXPECT_EQ(m.to().tag(), "1918181833n");

    EXPECT_EQ(m.from().display_name, R"("B Tortoise \\\"")");
    EXPECT_EQ(unquote(m.from().display_name), R"(B Tortoise \")");
    EXPECT_EQ(m.from().uri, "sip:bt@caller.test.invalid");
    EXPECT_EQ(m.from().tag(), "98asjd8");

    EXPECT_EQ(m.header(HeaderId::max_forwards), "0068");
    EXPECT_EQ(m.call_id(), "wsinv.ndaksdj@192.0.2.1");
    EXPECT_EQ(m.cseq().number, 9u);
    EXPECT_EQ(m.cseq().method, Method::invite);
    EXPECT_EQ(m.cseq().method_token, "INVITE");

    EXPECT_EQ(m.top_via().transport, "UDP");
    EXPECT_EQ(m.top_via().host, "192.0.2.2");
    EXPECT_EQ(m.top_via().port, std::nullopt);
    EXPECT_EQ(m.top_via().branch(), "390skdjuw");
    EXPECT_FALSE(m.top_via().has_rfc3261_branch());

    EXPECT_TRUE(m.has(HeaderId::subject));
    EXPECT_EQ(m.header(HeaderId::subject), "");
    EXPECT_EQ(m.header("NEWFANGLEDHEADER"), "newfangled value   continued newfangled value");
    EXPECT_EQ(m.header("unknownheaderwithunusualvalue"), ";;,,;;,;");
    EXPECT_EQ(m.header(HeaderId::content_type), "application/sdp");

    EXPECT_EQ(m.count(HeaderId::via), 2u);
    auto vias = elements(m, HeaderId::via);
    ASSERT_EQ(vias.size(), 3u);
    std::vector<std::string> transports, hosts, branches;
    for (const std::string& e : vias) {
        auto v = parse_via(e);
        ASSERT_TRUE(v) << e << ": " << v.error().message;
        transports.emplace_back(v->transport);
        hosts.emplace_back(v->host);
        branches.emplace_back(v->branch());
    }
    EXPECT_THAT(transports, ElementsAre("UDP", "TCP", "UDP"));
    EXPECT_THAT(hosts, ElementsAre("192.0.2.2", "spindle.test.invalid", "192.168.255.111"));
    EXPECT_THAT(branches, ElementsAre("390skdjuw", "z9hG4bK9ikj8", "z9hG4bK30239"));

    auto routes = elements(m, HeaderId::route);
    ASSERT_EQ(routes.size(), 1u);
    auto route = parse_name_addr(routes[0]);
    ASSERT_TRUE(route) << route.error().message;
    EXPECT_EQ(route->uri, "sip:services.test.invalid;lr;unknownwith=value;unknown-no-value");

    auto contacts = elements(m, HeaderId::contact);
    ASSERT_EQ(contacts.size(), 1u);
    auto contact = parse_name_addr(contacts[0]);
    ASSERT_TRUE(contact) << contact.error().message;
    EXPECT_EQ(unquote(contact->display_name), R"(Quoted string "")");
    EXPECT_EQ(contact->uri, "sip:bt@caller.test.invalid");
    EXPECT_EQ(contact->params.get("newparam"), std::optional<std::string_view>("newvalue"));
    EXPECT_TRUE(contact->params.has("secondparam"));
    EXPECT_EQ(contact->params.get("q"), std::optional<std::string_view>("0.33"));

    EXPECT_EQ(m.body(), sdp_body);
    // Folding leaves no line breaks inside any value.
    for (const HeaderField& h : m.headers()) {
        EXPECT_EQ(h.value.find_first_of("\r\n"), std::string_view::npos) << h.name;
        EXPECT_EQ(h.value, trim(h.value)) << h.name;
    }
}

TEST(MessageValid, HeadersKeepTheirNamesAsWrittenAndTheirOrder) {
    Message m = must_parse(tortuous_invite());
    std::vector<std::string> names;
    for (const HeaderField& h : m.headers()) names.emplace_back(h.name);
    EXPECT_THAT(
        names, ElementsAre("TO", "from", "MaX-fOrWaRdS", "Call-ID", "Content-Length", "cseq", "Via",
                           "s", "NewFangledHeader", "UnknownHeaderWithUnusualValue", "Content-Type",
                           "Route", "v", "m"));
    EXPECT_EQ(m.headers()[0].id, HeaderId::to);
    EXPECT_EQ(m.headers()[7].id, HeaderId::subject);
    EXPECT_EQ(m.headers()[8].id, HeaderId::other);
    EXPECT_EQ(m.headers()[12].id, HeaderId::via);
    EXPECT_EQ(m.headers()[13].id, HeaderId::contact);
}

TEST(MessageValid, AllCompactForms) {
    const std::string bytes = join(
        {"OPTIONS sip:carol@chicago.test.invalid SIP/2.0",
         "v: SIP/2.0/UDP 192.0.2.9:5062;branch=z9hG4bKcompact", "f: <sip:dave@test.invalid>;tag=c1",
         "t: Carol <sip:carol@chicago.test.invalid>", "i: compact-forms@192.0.2.9",
         "CSeq: 7 OPTIONS", "m: <sip:dave@192.0.2.9>", "k: timer, 100rel", "s: compact everything",
         "e: gzip", "o: presence", "c: text/plain", "l: 5"},
        "hello, and some trailing bytes");
    Message m = must_parse(bytes);
    EXPECT_EQ(m.method(), Method::options);
    EXPECT_EQ(m.top_via().port, std::optional<std::uint16_t>(5062));
    EXPECT_EQ(m.top_via().branch(), "z9hG4bKcompact");
    EXPECT_EQ(m.from().tag(), "c1");
    EXPECT_EQ(m.to().display_name, "Carol");
    EXPECT_EQ(m.call_id(), "compact-forms@192.0.2.9");
    EXPECT_EQ(m.header(HeaderId::contact), "<sip:dave@192.0.2.9>");
    EXPECT_EQ(m.header(HeaderId::supported), "timer, 100rel");
    EXPECT_EQ(m.header("Supported"), "timer, 100rel");
    EXPECT_EQ(m.header("k"), "timer, 100rel");
    EXPECT_EQ(m.header(HeaderId::subject), "compact everything");
    EXPECT_EQ(m.header(HeaderId::content_encoding), "gzip");
    EXPECT_EQ(m.header("Event"), "presence");
    EXPECT_EQ(m.header("content-type"), "text/plain");
    EXPECT_EQ(m.header("Content-Length"), "5");
    EXPECT_EQ(m.header("L"), "5");
    EXPECT_EQ(m.body(), "hello");
    EXPECT_FALSE(m.has(HeaderId::max_forwards));
    EXPECT_EQ(m.header(HeaderId::max_forwards), "");
}

TEST(MessageValid, WideRangeOfValidCharacters) {
    // RFC 4475 §3.1.1.2 "intmeth", plus a CSeq of 2**31-1.
    const std::string method = "!interesting-Method0123456789_*+`.%indeed'~";
    const std::string ruri =
        "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/"
        ";;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)"
        "@test.invalid";
    using namespace std::string_literals;  // the To line holds a NUL byte
    const std::string bytes =
        method + " " + ruri + " SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP host1.test.invalid;branch=z9hG4bK-.!%66*_+`'~\r\n" +
        "To: \"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7F\" "
        "<sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@test.invalid>\r\n"s +
        "From: token1~` token2'+_ token3*%!.- <sip:mundane@test.invalid>;fromParam''~+*_!.-%="
        "\"\xD1\x80\xD0\xB0\xD0\xB1\xD0\xBE\xD1\x82\xD0\xB0\xD1\x8E\xD1\x89\xD0\xB8\xD0\xB9\";tag=_"
        "token~1'+`*%!-.\r\n" +
        "Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{\r\n" + "CSeq: 2147483647 " + method +
        "\r\n" +
        "Max-Forwards: 255\r\n"
        "extensionHeader-!.%*+_`'~:\xEF\xBB\xBF\xE5\xA4\xA7\xE5\x81\x9C\xE9\x9B\xBB\r\n"
        "Content-Length: 0\r\n\r\n";
    ASSERT_NE(bytes.find('\0'), std::string::npos);
    Message m = must_parse(bytes);
    EXPECT_EQ(m.method(), Method::other);
    EXPECT_EQ(m.method_token(), method);
    EXPECT_EQ(m.request_uri(), ruri);
    EXPECT_EQ(m.cseq().number, 2147483647u);
    EXPECT_EQ(m.cseq().method_token, method);
    EXPECT_EQ(m.to().uri, "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@test.invalid");
    EXPECT_EQ(m.from().display_name, "token1~` token2'+_ token3*%!.-");
    EXPECT_EQ(m.from().tag(), "_token~1'+`*%!-.");
    EXPECT_EQ(m.call_id(), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
    EXPECT_EQ(m.header("EXTENSIONHEADER-!.%*+_`'~"),
              "\xEF\xBB\xBF\xE5\xA4\xA7\xE5\x81\x9C\xE9\x9B\xBB");
    EXPECT_EQ(m.top_via().branch(), "z9hG4bK-.!%66*_+`'~");
}

TEST(MessageValid, EscapedUris) {
    // RFC 4475 §3.1.1.3 "esc01" and §3.1.1.4 "escnull".
    Message m = must_parse(
        join({"INVITE sip:sips%3Auser%40test.invalid@other.test.invalid SIP/2.0",
              "To: sip:%75se%72@test.invalid",
              "From: <sip:I%20have%20spaces@other.test.invalid>;tag=938", "Max-Forwards: 87",
              "i: esc01.239409asdfakjkn23onasd0-3234", "CSeq: 234234 INVITE",
              "Via: SIP/2.0/UDP host5.test.invalid;branch=z9hG4bKkdjuw", "C: application/sdp",
              "Contact:\r\n  <sip:cal%6Cer@host5.test.invalid;%6C%72;n%61me=v%61lue%25%34%31>",
              "Content-Length: 0"}));
    EXPECT_EQ(m.request_uri(), "sip:sips%3Auser%40test.invalid@other.test.invalid");
    EXPECT_EQ(m.to().uri, "sip:%75se%72@test.invalid");
    EXPECT_EQ(m.from().uri, "sip:I%20have%20spaces@other.test.invalid");
    EXPECT_EQ(m.from().tag(), "938");
    EXPECT_EQ(m.header(HeaderId::contact),
              "<sip:cal%6Cer@host5.test.invalid;%6C%72;n%61me=v%61lue%25%34%31>");

    Message null = must_parse(
        join({"REGISTER sip:test.invalid SIP/2.0", "To: sip:null-%00-null@test.invalid",
              "From: sip:null-%00-null@test.invalid;tag=839923423", "Max-Forwards: 70",
              "Call-ID: escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd", "CSeq: 14398234 REGISTER",
              "Via: SIP/2.0/UDP host5.test.invalid;branch=z9hG4bKkdjuw",
              "Contact: <sip:%00@host5.test.invalid>", "Contact: <sip:%00%00@host5.test.invalid>",
              "L:0"}));
    EXPECT_EQ(null.method(), Method::register_);
    EXPECT_EQ(null.to().uri, "sip:null-%00-null@test.invalid");
    EXPECT_EQ(null.from().tag(), "839923423");
    EXPECT_EQ(null.count(HeaderId::contact), 2u);
}

TEST(MessageValid, EscapedMethodIsAnUnknownMethod) {
    // RFC 4475 §3.1.1.5 "esc02": RE%47IST%45R is not REGISTER.
    Message m = must_parse(join({"RE%47IST%45R sip:registrar.test.invalid SIP/2.0",
                                 "To: \"%Z%45\" <sip:resource@test.invalid>",
                                 "From: \"%Z%45\" <sip:resource@test.invalid>;tag=f232jadfj23",
                                 "Call-ID: esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf",
                                 "Via: SIP/2.0/TCP host.test.invalid;branch=z9hG4bK209%fzsnel234",
                                 "CSeq: 29344 RE%47IST%45R", "Max-Forwards: 70",
                                 "Contact: <sip:alias1@host1.test.invalid>",
                                 "C%6Fntact: <sip:alias2@host2.test.invalid>",
                                 "Contact: <sip:alias3@host3.test.invalid>", "l: 0"}));
    EXPECT_EQ(m.method(), Method::other);
    EXPECT_EQ(m.method_token(), "RE%47IST%45R");
    EXPECT_EQ(m.to().display_name, "\"%Z%45\"");
    EXPECT_EQ(m.count(HeaderId::contact), 2u);  // C%6Fntact is an unknown header
    EXPECT_EQ(m.header("c%6fntact"), "<sip:alias2@host2.test.invalid>");
    EXPECT_EQ(m.top_via().branch(), "z9hG4bK209%fzsnel234");
}

TEST(MessageValid, NoLwsBetweenDisplayNameAndAngleBracket) {
    // RFC 4475 §3.1.1.6 "lwsdisp".
    Message m =
        must_parse(join({"OPTIONS sip:user@test.invalid SIP/2.0", "To: sip:user@test.invalid",
                         "From: caller<sip:caller@test.invalid>;tag=323", "Max-Forwards: 70",
                         "Call-ID: lwsdisp.1234abcd@funky.test.invalid", "CSeq: 60 OPTIONS",
                         "Via: SIP/2.0/UDP funky.test.invalid;branch=z9hG4bKkdjuw", "l: 0"}));
    EXPECT_EQ(m.from().display_name, "caller");
    EXPECT_EQ(m.from().uri, "sip:caller@test.invalid");
    EXPECT_EQ(m.from().tag(), "323");
}

TEST(MessageValid, LongValues) {
    // RFC 4475 §3.1.1.7 "longreq": long tags, long unknown headers, many Via values.
    const std::string tag(300, 'k');
    const std::string unknown(4000, 'z');
    const std::string call_id = "longreq." + std::string(200, 'q') + "@test.invalid";
    Draft d = invite();
    d.set("From", "Alice <sip:alice@atlanta.test.invalid>;tag=" + tag)
        .set("Call-ID", call_id)
        .add("X-Long: " + unknown);
    std::string via_list;
    for (int i = 0; i < 40; ++i) {
        std::string v = "SIP/2.0/TCP h" + std::to_string(i) + ".test.invalid;branch=z9hG4bK" +
                        std::to_string(i);
        if (i % 2 == 0) {
            d.add("Via: " + v);
        } else {
            via_list += (via_list.empty() ? "" : ", ") + v;
        }
    }
    d.add("Via: " + via_list);
    Message m = must_parse(d.str());
    EXPECT_EQ(m.from().tag(), tag);
    EXPECT_EQ(m.call_id(), call_id);
    EXPECT_EQ(m.header("x-long"), unknown);
    EXPECT_EQ(m.count(HeaderId::via), 1u + 20u + 1u);
    auto vias = elements(m, HeaderId::via);
    ASSERT_EQ(vias.size(), 41u);
    EXPECT_EQ(m.top_via().host, "pc33.atlanta.test.invalid");
    EXPECT_EQ(vias[1], "SIP/2.0/TCP h0.test.invalid;branch=z9hG4bK0");
    EXPECT_EQ(vias[21], "SIP/2.0/TCP h1.test.invalid;branch=z9hG4bK1");
    EXPECT_EQ(vias[40], "SIP/2.0/TCP h39.test.invalid;branch=z9hG4bK39");
}

TEST(MessageValid, TwoRequestsInOneDatagramKeepOnlyTheFirst) {
    // RFC 4475 §3.1.1.8 "dblreq": bytes beyond Content-Length are ignored on a datagram.
    const std::string first =
        join({"REGISTER sip:test.invalid SIP/2.0", "To: sip:j.user@test.invalid",
              "From: sip:j.user@test.invalid;tag=43251j3j324", "Max-Forwards: 8",
              "I: dblreg.0ha0isndaksdj99sdfafnl3lk233412", "Contact: sip:j.user@host.test.invalid",
              "CSeq: 8 REGISTER", "Via: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKon23ox",
              "Content-Length: 0"});
    const std::string second = invite().with_body(std::string(sdp_body)).str();
    Message m = must_parse(first + second);
    EXPECT_EQ(m.method(), Method::register_);
    EXPECT_EQ(m.call_id(), "dblreg.0ha0isndaksdj99sdfafnl3lk233412");
    EXPECT_EQ(m.body(), "");
    EXPECT_EQ(m.count(HeaderId::cseq), 1u);
}

TEST(MessageValid, ContentLengthFramesTheBodyAndTrailingBytesAreIgnored) {
    Draft d = invite();
    d.set("Content-Length", "5");
    d.body = "hello world";
    Message m = must_parse(d.str());
    EXPECT_EQ(m.body(), "hello");
}

TEST(MessageValid, NoContentLengthMeansTheBodyIsTheRest) {
    Draft d = invite();
    d.drop("Content-Length");
    d.body = std::string(sdp_body) + "extra\r\n";
    Message m = must_parse(d.str());
    EXPECT_FALSE(m.has(HeaderId::content_length));
    EXPECT_EQ(m.body(), d.body);
}

TEST(MessageValid, CompactContentLength) {
    Draft d = invite();
    d.drop("Content-Length").add("l: 3");
    d.body = "abcdef";
    Message m = must_parse(d.str());
    EXPECT_EQ(m.body(), "abc");
    EXPECT_EQ(m.header(HeaderId::content_length), "3");
    EXPECT_EQ(m.header("content-length"), "3");
}

TEST(MessageValid, ContentLengthWithLeadingZerosAndSpaces) {
    Draft d = invite();
    d.set("Content-Length", "  0004  ");
    d.body = "12345";
    Message m = must_parse(d.str());
    EXPECT_EQ(m.body(), "1234");
}

TEST(MessageValid, MultipartBodyFramedByContentLength) {
    // RFC 4475 §3.1.1.11 "mpart01": a body that itself contains blank lines.
    const std::string body =
        "--boundary42\r\n"
        "Content-Type: text/plain\r\n"
        "\r\n"
        "first part\r\n"
        "--boundary42\r\n"
        "Content-Type: application/octet-stream\r\n"
        "\r\n"
        "\x01\x02\x03\r\n\r\n\x04"
        "\r\n--boundary42--\r\n";
    Draft d = invite();
    d.set("Content-Type", "multipart/mixed;boundary=boundary42").with_body(body);
    Message m = must_parse(d.str());
    EXPECT_EQ(m.body(), body);
    EXPECT_EQ(m.header(HeaderId::content_type), "multipart/mixed;boundary=boundary42");
}

TEST(MessageValid, SemicolonInUserPartOfRequestUri) {
    // RFC 4475 §3.1.1.9 "semiuri".
    Draft d = invite();
    d.start = "OPTIONS sip:user;par=u%40test.invalid@host.test.invalid SIP/2.0";
    d.set("CSeq", "3 OPTIONS");
    Message m = must_parse(d.str());
    EXPECT_EQ(m.method(), Method::options);
    EXPECT_EQ(m.request_uri(), "sip:user;par=u%40test.invalid@host.test.invalid");
}

TEST(MessageValid, VariedTransportTokens) {
    // RFC 4475 §3.1.1.10 "transports".
    Draft d = invite();
    d.drop("Via")
        .add("Via: SIP/2.0/UDP t1.test.invalid;branch=z9hG4bKkdjuw")
        .add("Via: SIP/2.0/SCTP t2.test.invalid;branch=z9hG4bKklasjdhf")
        .add("Via: SIP/2.0/TLS t3.test.invalid;branch=z9hG4bK2980unddj")
        .add("Via: SIP/2.0/UNKNOWN t4.test.invalid;branch=z9hG4bKasd0f3en")
        .add("Via: SIP/2.0/TCP t5.test.invalid;branch=z9hG4bK0a9idfnee");
    Message m = must_parse(d.str());
    std::vector<std::string> transports;
    m.for_each_element(HeaderId::via, [&](std::string_view e) {
        auto v = parse_via(e);
        ASSERT_TRUE(v) << e;
        transports.emplace_back(v->transport);
    });
    EXPECT_THAT(transports, ElementsAre("UDP", "SCTP", "TLS", "UNKNOWN", "TCP"));
    EXPECT_EQ(m.top_via().host, "t1.test.invalid");
}

TEST(MessageValid, ResponseWithUnusualReasonPhrase) {
    // RFC 4475 §3.1.1.12 "unreason": UTF-8 and punctuation in the reason phrase.
    const std::string reason = "= 2**3 * 5**2 \xD0\xBD\xD0\xBE \xD1\x81\xD1\x82\xD0\xBE - prime";
    Message m = must_parse(
        join({"SIP/2.0 200 " + reason, "Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923",
              "Call-ID: unreason.1234ksdfak3j2erwedfsASdf", "CSeq: 35 INVITE",
              "From: sip:user@test.invalid;tag=11141343", "To: sip:user@test.invalid;tag=2229",
              "Content-Length: 0"}));
    EXPECT_TRUE(m.is_response());
    EXPECT_FALSE(m.is_request());
    EXPECT_EQ(m.status(), 200);
    EXPECT_EQ(m.reason(), reason);
    EXPECT_EQ(m.method(), Method::other);
    EXPECT_EQ(m.request_uri(), "");
    EXPECT_EQ(m.cseq().method, Method::invite);
    EXPECT_EQ(m.to().tag(), "2229");
}

TEST(MessageValid, ResponseWithEmptyReasonPhrase) {
    // RFC 4475 §3.1.1.13 "noreason": "SIP/2.0 100 " then CRLF.
    auto response = [](std::string_view status_line) {
        return join({status_line, "Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe",
                     "Call-ID: noreason.asndj203insdf99223ndf", "CSeq: 35 INVITE",
                     "From: <sip:user@test.invalid>;tag=39ansfi3",
                     "To: <sip:user@test.invalid>;tag=902jndnke3", "Content-Length: 0"});
    };
    Message with_space = must_parse(response("SIP/2.0 100 "));
    EXPECT_EQ(with_space.status(), 100);
    EXPECT_EQ(with_space.reason(), "");
    Message without_space = must_parse(response("SIP/2.0 180"));
    EXPECT_EQ(without_space.status(), 180);
    EXPECT_EQ(without_space.reason(), "");
    Message lowest = must_parse(response("SIP/2.0 100 Trying"));
    EXPECT_EQ(lowest.reason(), "Trying");
    Message highest = must_parse(response("SIP/2.0 699 Whatever"));
    EXPECT_EQ(highest.status(), 699);
}

TEST(MessageValid, LeadingCrlfsAreIgnored) {
    const std::string bytes = "\r\n\r\n\n\r\n" + invite().str();
    Message m = must_parse(bytes);
    EXPECT_EQ(m.method(), Method::invite);
    EXPECT_THAT(std::string(m.raw()), StartsWith("INVITE sip:bob@biloxi.test.invalid SIP/2.0\r\n"));
    EXPECT_EQ(m.raw().size(), bytes.size() - 7);
}

TEST(MessageValid, MaxForwardsBoundaries) {
    // RFC 4475 "zeromf": Max-Forwards 0 is valid; 255 is the largest value.
    for (std::string_view v : {"0", "255", "00"}) {
        Draft d = invite();
        d.set("Max-Forwards", v);
        Message m = must_parse(d.str());
        EXPECT_EQ(m.header(HeaderId::max_forwards), v);
    }
}

TEST(MessageValid, UnknownAndNovelSchemes) {
    // RFC 4475 "unksm", "novelsc" and "unksm2".
    Message unksm = must_parse(join(
        {"OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0", "To: sip:user@test.invalid",
         "From: sip:caller@test.invalid;tag=384", "Max-Forwards: 3",
         "Call-ID: unksm.239409asdfakjkn23onasd0-3234", "CSeq: 3923239 OPTIONS",
         "Via: SIP/2.0/UDP host5.test.invalid;branch=z9hG4bKkdjuw", "l: 0"}));
    EXPECT_EQ(unksm.request_uri(), "nobodyKnowsThisScheme:totallyopaquecontent");

    Message novel = must_parse(
        join({"OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0", "To: sip:user@test.invalid",
              "From: sip:caller@test.invalid;tag=384", "Max-Forwards: 3",
              "Call-ID: novelsc.asdfasser0q239nwsdfasdkl34", "CSeq: 3923239 OPTIONS",
              "Via: SIP/2.0/TCP host9.test.invalid;branch=z9hG4bKkdjuw", "l: 0"}));
    EXPECT_EQ(novel.request_uri(), "soap.beep://192.0.2.103:3002");

    Message unksm2 = must_parse(
        join({"REGISTER sip:test.invalid SIP/2.0", "To: isbn:2983792873",
              "From: <http://www.test.invalid>;tag=3234233",
              "Call-ID: unksm2.daksdj@hyphenated-host.test.invalid", "CSeq: 234902 REGISTER",
              "Max-Forwards: 70", "Via: SIP/2.0/UDP 192.0.2.21:5060;branch=z9hG4bKkdjuw",
              "Contact: <name:John_Smith>", "l: 0"}));
    EXPECT_EQ(unksm2.to().uri, "isbn:2983792873");
    EXPECT_EQ(unksm2.from().uri, "http://www.test.invalid");
    EXPECT_EQ(unksm2.from().tag(), "3234233");
    EXPECT_EQ(unksm2.top_via().port, std::optional<std::uint16_t>(5060));
}

TEST(MessageValid, UnknownMethodWithMatchingCSeq) {
    Draft d = invite();
    d.start = "NEWMETHOD sip:user@test.invalid SIP/2.0";
    d.set("CSeq", "8 NEWMETHOD");
    Message m = must_parse(d.str());
    EXPECT_EQ(m.method(), Method::other);
    EXPECT_EQ(m.method_token(), "NEWMETHOD");
    EXPECT_EQ(m.cseq().method_token, "NEWMETHOD");
}

TEST(MessageValid, Rfc2543StyleInvite) {
    // RFC 4475 "inv2543": no branch cookie, no Max-Forwards.
    Message m = must_parse(
        join({"INVITE sip:UserB@test.invalid SIP/2.0", "Via: SIP/2.0/UDP iftgw.test.invalid",
              "From: <sip:+13035551111@ift.client.test.invalid;user=phone>",
              "Record-Route: <sip:UserB@test.invalid;maddr=ss1.test.invalid>",
              "To: sip:+16135551212@test.invalid;user=phone",
              "Call-ID: inv2543.1717@ift.client.test.invalid", "CSeq: 56 INVITE",
              "Content-Type: application/sdp"},
             sdp_body));
    EXPECT_EQ(m.top_via().branch(), "");
    EXPECT_FALSE(m.top_via().has_rfc3261_branch());
    EXPECT_EQ(m.from().tag(), "");
    EXPECT_EQ(m.from().uri, "sip:+13035551111@ift.client.test.invalid;user=phone");
    // In addr-spec form ";user=phone" is a header parameter, not part of the URI.
    EXPECT_EQ(m.to().uri, "sip:+16135551212@test.invalid");
    EXPECT_EQ(m.to().params.get("user"), std::optional<std::string_view>("phone"));
    EXPECT_FALSE(m.has(HeaderId::max_forwards));
    EXPECT_EQ(m.body(), sdp_body);
}

TEST(MessageValid, ContactParamsWithQuotedAngleBrackets) {
    // RFC 4475 "cparam01"/"cparam02" style: quoted parameter values holding <> , and ;.
    Draft d = invite();
    d.start = "REGISTER sip:test.invalid SIP/2.0";
    d.set("CSeq", "1 REGISTER")
        .drop("Contact")
        .add(
            "Contact: <sip:+19725552222@gw1.test.invalid;user=phone>;"
            "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\";q=0.7, "
            "\"Doe, John; Jr.\" <sip:john@h.test.invalid;lr>;note=\"a, b; c\"")
        .add("Contact: *");
    Message m = must_parse(d.str());
    auto contacts = elements(m, HeaderId::contact);
    ASSERT_EQ(contacts.size(), 3u);
    auto c0 = parse_name_addr(contacts[0]);
    ASSERT_TRUE(c0) << c0.error().message;
    EXPECT_EQ(c0->uri, "sip:+19725552222@gw1.test.invalid;user=phone");
    EXPECT_EQ(
        c0->params.get("+sip.instance"),
        std::optional<std::string_view>("\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\""));
    EXPECT_EQ(c0->params.get("q"), std::optional<std::string_view>("0.7"));
    auto c1 = parse_name_addr(contacts[1]);
    ASSERT_TRUE(c1) << c1.error().message;
    EXPECT_EQ(unquote(c1->display_name), "Doe, John; Jr.");
    EXPECT_EQ(c1->params.get("note"), std::optional<std::string_view>("\"a, b; c\""));
    auto c2 = parse_name_addr(contacts[2]);
    ASSERT_TRUE(c2) << c2.error().message;
    EXPECT_TRUE(c2->wildcard);
}

TEST(MessageValid, UnknownHeadersArePreservedAndFoundCaseInsensitively) {
    Draft d = invite();
    d.add("X-Custom-Header:  some value ")
        .add("x-custom-header: second")
        .add("P-Asserted-Identity: <sip:a@b>");
    Message m = must_parse(d.str());
    EXPECT_EQ(m.header("X-Custom-Header"), "some value");
    EXPECT_EQ(m.header("x-CUSTOM-header"), "some value");
    EXPECT_EQ(m.header("p-asserted-identity"), "<sip:a@b>");
    EXPECT_EQ(m.header("X-Absent"), "");
    EXPECT_EQ(m.header("X-Custom"), "");  // no prefix match
    EXPECT_EQ(m.count(HeaderId::other), 3u);
    int seen = 0;
    for (const HeaderField& h : m.headers()) {
        if (h.id == HeaderId::other && iequals(h.name, "x-custom-header")) ++seen;
    }
    EXPECT_EQ(seen, 2);
}

TEST(MessageValid, HeaderCountAndHas) {
    Draft d = invite();
    d.add("Route: <sip:p1.test.invalid;lr>")
        .add("Record-Route: <sip:rr.test.invalid;lr>")
        .add("Route: <sip:p2.test.invalid;lr>, <sip:p3.test.invalid;lr>")
        .add("Via: SIP/2.0/UDP second.test.invalid;branch=z9hG4bK2");
    Message m = must_parse(d.str());
    EXPECT_EQ(m.count(HeaderId::via), 2u);
    EXPECT_EQ(m.count(HeaderId::route), 2u);
    EXPECT_EQ(m.count(HeaderId::record_route), 1u);
    EXPECT_EQ(m.count(HeaderId::authorization), 0u);
    EXPECT_TRUE(m.has(HeaderId::record_route));
    EXPECT_FALSE(m.has(HeaderId::expires));
    EXPECT_EQ(m.header(HeaderId::route), "<sip:p1.test.invalid;lr>");  // the first one
    EXPECT_EQ(m.header(HeaderId::via),
              "SIP/2.0/UDP pc33.atlanta.test.invalid;branch=z9hG4bKnashds8");
    EXPECT_EQ(m.header(HeaderId::expires), "");
    EXPECT_THAT(elements(m, HeaderId::route),
                ElementsAre("<sip:p1.test.invalid;lr>", "<sip:p2.test.invalid;lr>",
                            "<sip:p3.test.invalid;lr>"));
    EXPECT_THAT(elements(m, HeaderId::expires), ElementsAre());
}

TEST(MessageValid, ForEachElementDoesNotSplitInsideQuotesOrBrackets) {
    Draft d = invite();
    d.drop("Contact")
        .add(
            "Contact: \"Doe, John\" <sip:john@h.test.invalid>;q=0.5, "
            "<sip:x@y.test.invalid;p=a,b>;q=0.1")
        .add("Route: <sip:r1.test.invalid;lr;x=\"1,2\">,<sip:r2.test.invalid;lr>")
        .drop("Via")
        .add(
            "Via: SIP/2.0/UDP a.test.invalid;branch=z9hG4bKa;x=\"q,r\" , SIP/2.0/UDP "
            "b.test.invalid;branch=z9hG4bKb")
        .add("v: SIP/2.0/TCP c.test.invalid;branch=z9hG4bKc");
    Message m = must_parse(d.str());
    EXPECT_THAT(elements(m, HeaderId::contact),
                ElementsAre("\"Doe, John\" <sip:john@h.test.invalid>;q=0.5",
                            "<sip:x@y.test.invalid;p=a,b>;q=0.1"));
    EXPECT_THAT(elements(m, HeaderId::route),
                ElementsAre("<sip:r1.test.invalid;lr;x=\"1,2\">", "<sip:r2.test.invalid;lr>"));
    EXPECT_THAT(elements(m, HeaderId::via),
                ElementsAre("SIP/2.0/UDP a.test.invalid;branch=z9hG4bKa;x=\"q,r\"",
                            "SIP/2.0/UDP b.test.invalid;branch=z9hG4bKb",
                            "SIP/2.0/TCP c.test.invalid;branch=z9hG4bKc"));
    EXPECT_EQ(m.top_via().host, "a.test.invalid");
    EXPECT_EQ(m.top_via().params.get("x"), std::optional<std::string_view>("\"q,r\""));
}

TEST(MessageValid, TopViaValues) {
    Draft d = invite();
    d.drop("Via")
        .add(
            "Via: SIP/2.0/TCP [2001:db8::9]:5070;rport;received=192.0.2.7;branch=z9hG4bKabc, "
            "SIP/2.0/UDP later.test.invalid;branch=z9hG4bKlater")
        .add("Via: SIP/2.0/UDP last.test.invalid:5999;branch=z9hG4bKlast");
    Message m = must_parse(d.str());
    const Via& v = m.top_via();
    EXPECT_EQ(v.transport, "TCP");
    EXPECT_EQ(v.host, "[2001:db8::9]");
    EXPECT_EQ(v.port, std::optional<std::uint16_t>(5070));
    EXPECT_EQ(v.sent_by, "[2001:db8::9]:5070");
    EXPECT_EQ(v.branch(), "z9hG4bKabc");
    EXPECT_TRUE(v.has_rfc3261_branch());
    EXPECT_TRUE(v.params.has("rport"));
    EXPECT_EQ(v.params.get("rport"), std::optional<std::string_view>(""));
    EXPECT_EQ(v.params.get("received"), std::optional<std::string_view>("192.0.2.7"));
}

TEST(MessageValid, TopViaRportWithValue) {
    Draft d = invite();
    d.set("Via", "SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK77;rport=61000;received=203.0.113.9");
    Message m = must_parse(d.str());
    EXPECT_EQ(m.top_via().transport, "UDP");
    EXPECT_EQ(m.top_via().host, "10.0.0.5");
    EXPECT_EQ(m.top_via().port, std::optional<std::uint16_t>(5060));
    EXPECT_EQ(m.top_via().params.get("rport"), std::optional<std::string_view>("61000"));
    EXPECT_EQ(m.top_via().params.get("received"), std::optional<std::string_view>("203.0.113.9"));
}

TEST(MessageValid, FromToTagsAndCSeq) {
    Draft d = invite();
    d.start = "BYE sip:alice@pc33.atlanta.test.invalid SIP/2.0";
    d.set("From", "\"Bob\" <sip:bob@biloxi.test.invalid>;tag=a6c85cf")
        .set("To", "Alice <sip:alice@atlanta.test.invalid>;tag=1928301774")
        .set("CSeq", "231 BYE");
    Message m = must_parse(d.str());
    EXPECT_EQ(m.method(), Method::bye);
    EXPECT_EQ(m.from().tag(), "a6c85cf");
    EXPECT_EQ(m.from().display_name, "\"Bob\"");
    EXPECT_EQ(m.to().tag(), "1928301774");
    EXPECT_EQ(m.to().display_name, "Alice");
    EXPECT_EQ(m.cseq().number, 231u);
    EXPECT_EQ(m.cseq().method, Method::bye);
}

TEST(MessageValid, MaximumSizeIsAccepted) {
    Draft d = invite();
    const std::size_t base = d.str().size() + std::string_view("X-Pad: \r\n").size();
    d.add("X-Pad: " + std::string(max_message_bytes - base, 'p'));
    const std::string bytes = d.str();
    ASSERT_EQ(bytes.size(), max_message_bytes);
    Message m = must_parse(bytes);
    EXPECT_EQ(m.header("X-Pad").size(), max_message_bytes - base);
}

TEST(MessageValid, ViewsOutliveTheInputAndSurviveMoves) {
    auto parsed = [] {
        std::string temp = invite().with_body("body!").str();
        auto r = Message::parse(temp);
        std::fill(temp.begin(), temp.end(), 'X');  // the message must own its copy
        return r;
    }();
    ASSERT_TRUE(parsed) << parsed.error().message;
    Message moved = std::move(*parsed);
    Message again = std::move(moved);
    EXPECT_EQ(again.call_id(), "a84b4c76e66710@pc33.atlanta.test.invalid");
    EXPECT_EQ(again.body(), "body!");
    EXPECT_EQ(again.from().tag(), "1928301774");
    EXPECT_EQ(again.top_via().branch(), "z9hG4bKnashds8");
    EXPECT_EQ(again.request_uri(), "sip:bob@biloxi.test.invalid");
    EXPECT_EQ(again.headers()[0].name, "Via");
}

}  // namespace
}  // namespace pbxbench::sip
