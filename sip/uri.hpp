#pragma once
// SIP and SIPS URIs (RFC 3261 §19.1), parsed into views over the caller's text.
#include <cstdint>
#include <optional>
#include <string_view>

#include "base/error.hpp"
#include "sip/text.hpp"

namespace pbxbench::sip {

struct Uri {
    std::string_view scheme;  // "sip", "sips", or another absoluteURI scheme
    std::string_view user;    // still %-escaped, as received
    std::string_view password;
    std::string_view host;  // an IPv6 reference keeps its brackets: "[::1]"
    std::optional<std::uint16_t> port;
    ParamList params;          // ;transport=udp;lr
    std::string_view headers;  // after '?', unparsed
    std::string_view opaque;   // the part after "scheme:" for non-SIP schemes

    bool is_sip() const { return !scheme.empty() && opaque.empty(); }
    bool is_sips() const { return iequals(scheme, "sips"); }
    // The host without IPv6 brackets.
    std::string_view host_bare() const;
    // The port, or the scheme's default (5060, or 5061 for sips).
    std::uint16_t port_or_default() const { return port.value_or(is_sips() ? 5061 : 5060); }
};

// Parses a URI. SIP/SIPS URIs are checked in full; other schemes only for "scheme:rest".
Result<Uri> parse_uri(std::string_view text);

}  // namespace pbxbench::sip
