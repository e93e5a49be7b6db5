#pragma once
// SIP messages and helpers shared by the message codec tests.
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


using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Joins a start line and header lines with CRLF, then the empty line and the body.
// A line may itself contain "\r\n " to exercise folding.
inline std::string join(std::initializer_list<std::string_view> lines, std::string_view body = {}) {
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
inline Draft invite() {
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

inline Message must_parse(std::string_view bytes) {
    auto m = Message::parse(bytes);
    if (!m) {
        ADD_FAILURE() << "parse failed: " << m.error().message << "\n--- message ---\n" << bytes;
        // A minimal message keeps the caller's assertions meaningful (they will fail).
        return *Message::parse(invite().str());
    }
    return std::move(*m);
}

inline std::string error_of(std::string_view bytes) {
    auto m = Message::parse(bytes);
    if (m) {
        ADD_FAILURE() << "parse accepted an invalid message:\n" << bytes;
        return {};
    }
    return m.error().message;
}

inline std::vector<std::string> elements(const Message& m, HeaderId id) {
    std::vector<std::string> out;
    m.for_each_element(id, [&](std::string_view e) { out.emplace_back(e); });
    return out;
}

// RFC 4475 §3.1.1.1 "wsinv": a short tortuous INVITE.
inline std::string tortuous_invite() {
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

}  // namespace pbxbench::sip
