#pragma once
// Parsers for structured header values: Via, name-addr (From/To/Contact/Route), CSeq.
// Results are views over the caller's text.
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/error.hpp"
#include "sip/header_id.hpp"
#include "sip/text.hpp"

namespace pbxbench::sip {

// RFC 3261 §17 magic cookie that marks an RFC 3261 branch parameter.
inline constexpr std::string_view branch_cookie = "z9hG4bK";

// One via-parm: "SIP/2.0/UDP host:port;branch=z9hG4bK..;rport".
struct Via {
    std::string_view transport;  // "UDP", "TCP", ...
    std::string_view host;       // brackets kept for IPv6
    std::optional<std::uint16_t> port;
    ParamList params;

    std::string_view branch() const { return params.get("branch").value_or(std::string_view{}); }
    // The sent-by as written ("host" or "host:port"), for transaction matching.
    std::string_view sent_by;
    bool has_rfc3261_branch() const {
        return branch().substr(0, branch_cookie.size()) == branch_cookie;
    }
};

// Parses one Via element (not a comma-separated list). LWS around '/' is allowed.
Result<Via> parse_via(std::string_view element);

// name-addr or addr-spec with header parameters: `"Bob" <sip:bob@host>;tag=x`.
struct NameAddr {
    std::string_view display_name;  // still quoted if it was quoted
    std::string_view uri;           // the URI text without angle brackets
    ParamList params;               // header parameters, e.g. tag, expires, q
    bool wildcard = false;          // "Contact: *"

    std::string_view tag() const { return params.get("tag").value_or(std::string_view{}); }
};

// Parses one name-addr/addr-spec element; for addr-spec form, ';' starts the header params.
Result<NameAddr> parse_name_addr(std::string_view element);

struct CSeq {
    std::uint32_t number = 0;
    std::string_view method_token;
    Method method = Method::other;
};

// Parses "1*DIGIT LWS Method"; the number must be below 2**31 (RFC 3261 §8.1.1.5).
Result<CSeq> parse_cseq(std::string_view value);

}  // namespace pbxbench::sip
