// Unit tests for sip/message.hpp and sip/message_builder.hpp, organised after the categories
// of RFC 4475 (SIP Torture Test Messages). The RFC's messages are re-created here with other
// host names and values; the name of the RFC's test ("wsinv", "clerr", ...) is given with each.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "sip/header_id.hpp"
#include "sip/header_values.hpp"
#include "sip/message.hpp"
#include "sip/message_builder.hpp"
#include "sip/text.hpp"

namespace pbxbench::sip {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Joins a start line and header lines with CRLF, then the empty line and the body.
// A line may itself contain "\r\n " to exercise folding.
std::string join(std::initializer_list<std::string_view> lines, std::string_view body = {}) {
    std::string out;
    for (std::string_view l : lines) {
        out.append(l);
        out.append("\r\n");
    }
    out.append("\r\n");
    out.append(body);
    return out;
}

// An editable request: a start line, header lines and a body.
struct Draft {
    std::string start;
    std::vector<std::string> headers;
    std::string body;

    std::string str() const {
        std::string out = start + "\r\n";
        for (const std::string& h : headers) out += h + "\r\n";
        return out + "\r\n" + body;
    }
    static std::string name_of(const std::string& line) {
        return std::string(trim(std::string_view(line).substr(0, line.find(':'))));
    }
    // Removes every header with this exact (case-insensitive) name.
    Draft& drop(std::string_view name) {
        std::erase_if(headers, [&](const std::string& h) { return iequals(name_of(h), name); });
        return *this;
    }
    // Replaces the first header with this name, or appends one.
    Draft& set(std::string_view name, std::string_view value) {
        std::string line = std::string(name) + ": " + std::string(value);
        for (std::string& h : headers) {
            if (iequals(name_of(h), name)) {
                h = line;
                return *this;
            }
        }
        headers.push_back(line);
        return *this;
    }
    Draft& add(std::string line) {
        headers.push_back(std::move(line));
        return *this;
    }
    Draft& with_body(std::string b) {
        body = std::move(b);
        return set("Content-Length", std::to_string(body.size()));
    }
};

// A valid INVITE modelled on RFC 3261 §24.2 F1, without a body.
Draft invite() {
    return Draft{"INVITE sip:bob@biloxi.test.invalid SIP/2.0",
                 {"Via: SIP/2.0/UDP pc33.atlanta.test.invalid;branch=z9hG4bKnashds8",
                  "Max-Forwards: 70", "To: Bob <sip:bob@biloxi.test.invalid>",
                  "From: Alice <sip:alice@atlanta.test.invalid>;tag=1928301774",
                  "Call-ID: a84b4c76e66710@pc33.atlanta.test.invalid", "CSeq: 314159 INVITE",
                  "Contact: <sip:alice@pc33.atlanta.test.invalid>", "Content-Length: 0"},
                 {}};
}

constexpr std::string_view sdp_body =
    "v=0\r\n"
    "o=tortoise 29739 7272939 IN IP4 192.0.2.3\r\n"
    "s=-\r\n"
    "c=IN IP4 192.0.2.4\r\n"
    "t=0 0\r\n"
    "m=audio 49217 RTP/AVP 0 12\r\n"
    "m=video 3227 RTP/AVP 31\r\n"
    "a=rtpmap:31 LPC\r\n";

Message must_parse(std::string_view bytes) {
    auto m = Message::parse(bytes);
    if (!m) {
        ADD_FAILURE() << "parse failed: " << m.error().message << "\n--- message ---\n" << bytes;
        // A minimal message keeps the caller's assertions meaningful (they will fail).
        return *Message::parse(invite().str());
    }
    return std::move(*m);
}

std::string error_of(std::string_view bytes) {
    auto m = Message::parse(bytes);
    if (m) {
        ADD_FAILURE() << "parse accepted an invalid message:\n" << bytes;
        return {};
    }
    return m.error().message;
}

std::vector<std::string> elements(const Message& m, HeaderId id) {
    std::vector<std::string> out;
    m.for_each_element(id, [&](std::string_view e) { out.emplace_back(e); });
    return out;
}

// RFC 4475 §3.1.1.1 "wsinv": a short tortuous INVITE.
std::string tortuous_invite() {
    std::string cl = "Content-Length   : " + std::to_string(sdp_body.size());
    return join(
        {"INVITE sip:alice@pbx.test.invalid;unknownparam SIP/2.0",
         "TO :\r\n sip:alice@pbx.test.invalid ;   tag    = 1918181833n",
         R"(from   : "B Tortoise \\\""       <sip:bt@caller.test.invalid>)"
         "\r\n  ;\r\n  tag = 98asjd8",
         "MaX-fOrWaRdS: 0068", "Call-ID: wsinv.ndaksdj@192.0.2.1", cl, "cseq: 0009\r\n  INVITE",
         "Via  : SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw",
         "s :", "NewFangledHeader:   newfangled value\r\n continued newfangled value",
         "UnknownHeaderWithUnusualValue: ;;,,;;,;", "Content-Type: application/sdp",
         "Route:\r\n <sip:services.test.invalid;lr;unknownwith=value;unknown-no-value>",
         "v:  SIP  / 2.0  / TCP     spindle.test.invalid   ;\r\n  branch  =   z9hG4bK9ikj8  ,"
         "\r\n SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239",
         R"(m:"Quoted string \"\"" <sip:bt@caller.test.invalid> ; newparam =)"
         "\r\n      newvalue ;\r\n  secondparam ; q = 0.33"},
        sdp_body);
}

// =============================================================================================
// Valid messages (RFC 4475 §3.1.1)

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
