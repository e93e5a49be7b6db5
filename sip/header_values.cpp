#include "sip/header_values.hpp"

#include <string>

#include "sip/uri.hpp"

namespace pbxbench::sip {

namespace {

// Reads "SIP / 2.0 / UDP" allowing LWS around the slashes; returns the rest after the transport.
Result<std::string_view> read_sent_protocol(std::string_view& s, std::string_view element) {
    std::string_view parts[3];
    for (int i = 0; i < 3; ++i) {
        s = trim(s);
        std::size_t end = 0;
        while (end < s.size() && is_token_char(s[end])) ++end;
        parts[i] = s.substr(0, end);
        s = trim(s.substr(end));
        if (parts[i].empty())
            return fail("Via '" + std::string(element) + "' has a malformed sent-protocol");
        if (i < 2) {
            if (s.empty() || s.front() != '/') {
                return fail("Via '" + std::string(element) + "' lacks '/' in its sent-protocol");
            }
            s.remove_prefix(1);
        }
    }
    if (!iequals(parts[0], "SIP") || parts[1] != "2.0") {
        return fail("Via '" + std::string(element) + "' is not SIP/2.0");
    }
    return parts[2];
}

}  // namespace

Result<Via> parse_via(std::string_view element) {
    Via via;
    std::string_view s = element;
    auto transport = read_sent_protocol(s, element);
    if (!transport) return tl::unexpected(transport.error());
    via.transport = *transport;

    std::size_t semi = s.find(';');
    std::string_view sent_by = trim(s.substr(0, semi));
    if (semi != std::string_view::npos) via.params = ParamList(s.substr(semi + 1));
    if (sent_by.empty()) return fail("Via '" + std::string(element) + "' has no sent-by host");
    via.sent_by = sent_by;

    std::string_view port_text;
    if (sent_by.front() == '[') {
        std::size_t close = sent_by.find(']');
        if (close == std::string_view::npos)
            return fail("Via '" + std::string(element) + "' has a bad IPv6 host");
        via.host = sent_by.substr(0, close + 1);
        if (!is_ipv6_reference(via.host))
            return fail("Via '" + std::string(element) + "' has a bad IPv6 host");
        std::string_view after = trim(sent_by.substr(close + 1));
        if (!after.empty()) {
            if (after.front() != ':')
                return fail("Via '" + std::string(element) + "' has junk after its host");
            port_text = trim(after.substr(1));
        }
    } else {
        std::size_t colon = sent_by.find(':');
        via.host = trim(sent_by.substr(0, colon));
        if (colon != std::string_view::npos) port_text = trim(sent_by.substr(colon + 1));
        for (char c : via.host) {
            if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_') {
                return fail("Via '" + std::string(element) + "' has an invalid host");
            }
        }
    }
    if (via.host.empty()) return fail("Via '" + std::string(element) + "' has no host");
    if (!port_text.empty() || (sent_by.back() == ':')) {
        auto port = parse_uint(port_text, 65535);
        if (!port) return fail("Via '" + std::string(element) + "' has an invalid port");
        via.port = static_cast<std::uint16_t>(*port);
    }
    return via;
}

Result<NameAddr> parse_name_addr(std::string_view element) {
    NameAddr na;
    std::string_view s = trim(element);
    if (s == "*") {
        na.wildcard = true;
        return na;
    }
    // The first '<' outside a quoted display name opens the URI.
    std::size_t lt = std::string_view::npos;
    bool quoted = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (quoted) {
            if (s[i] == '\\') {
                ++i;
            } else if (s[i] == '"') {
                quoted = false;
            }
        } else if (s[i] == '"') {
            quoted = true;
        } else if (s[i] == '<') {
            lt = i;
            break;
        }
    }
    if (quoted)
        return fail("'" + std::string(element) + "' has an unterminated quoted display name");

    std::string_view rest;
    if (lt != std::string_view::npos) {
        std::size_t gt = s.find('>', lt);
        if (gt == std::string_view::npos)
            return fail("'" + std::string(element) + "' lacks a closing '>'");
        na.display_name = trim(s.substr(0, lt));
        na.uri = trim(s.substr(lt + 1, gt - lt - 1));
        rest = trim(s.substr(gt + 1));
        if (!rest.empty() && rest.front() != ';') {
            return fail("'" + std::string(element) + "' has junk after '>'");
        }
    } else {
        // addr-spec: the URI cannot contain ';' params here; they belong to the header.
        std::size_t semi = s.find(';');
        na.uri = trim(s.substr(0, semi));
        if (semi != std::string_view::npos) rest = s.substr(semi);
        if (na.uri.find(' ') != std::string_view::npos ||
            na.uri.find('"') != std::string_view::npos) {
            return fail("'" + std::string(element) + "' is neither a name-addr nor an addr-spec");
        }
    }
    if (!rest.empty()) na.params = ParamList(rest.substr(1));
    if (na.uri.empty()) return fail("'" + std::string(element) + "' has an empty URI");
    auto uri = parse_uri(na.uri);
    if (!uri) return tl::unexpected(uri.error());
    return na;
}

Result<CSeq> parse_cseq(std::string_view value) {
    CSeq cseq;
    std::string_view s = trim(value);
    std::size_t end = 0;
    while (end < s.size() && is_digit(s[end])) ++end;
    auto number = parse_uint(s.substr(0, end), 0x7fffffff);
    if (!number) return fail("CSeq '" + std::string(value) + "' has an invalid sequence number");
    cseq.number = static_cast<std::uint32_t>(*number);
    std::string_view method = trim(s.substr(end));
    if (end == s.size() || !is_space(s[end]) || !is_token(method)) {
        return fail("CSeq '" + std::string(value) + "' has an invalid method");
    }
    cseq.method_token = method;
    cseq.method = method_from(method);
    return cseq;
}

}  // namespace pbxbench::sip
