#include "sip/uri.hpp"

#include <string>

namespace pbxbench::sip {

namespace {

bool is_scheme(std::string_view s) {
    if (s.empty() || !is_alpha(s[0])) return false;
    for (char c : s) {
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return false;
    }
    return true;
}

bool is_hostname_char(char c) {
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
}

// Escapes must be '%' followed by two hex digits (RFC 3261 §25.1 "escaped").
bool valid_escapes(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') continue;
        auto hex = [](char c) {
            return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        };
        if (i + 2 >= s.size() || !hex(s[i + 1]) || !hex(s[i + 2])) return false;
        i += 2;
    }
    return true;
}

bool has_space(std::string_view s) {
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '<' || c == '>' || c == '"') {
            return true;
        }
    }
    return false;
}

}  // namespace

std::string_view Uri::host_bare() const {
    if (host.size() >= 2 && host.front() == '[') return host.substr(1, host.size() - 2);
    return host;
}

Result<Uri> parse_uri(std::string_view text) {
    Uri uri;
    std::size_t colon = text.find(':');
    if (colon == std::string_view::npos || !is_scheme(text.substr(0, colon))) {
        return fail("URI '" + std::string(text) + "' has no scheme");
    }
    if (has_space(text)) return fail("URI '" + std::string(text) + "' contains whitespace or <>\"");
    uri.scheme = text.substr(0, colon);
    std::string_view rest = text.substr(colon + 1);
    if (!iequals(uri.scheme, "sip") && !iequals(uri.scheme, "sips")) {
        if (rest.empty()) return fail("URI '" + std::string(text) + "' is empty after the scheme");
        uri.opaque = rest;
        return uri;
    }

    // userinfo ends at the first '@'; a user part may itself hold ';' and '?'.
    std::size_t at = rest.find('@');
    if (at != std::string_view::npos) {
        std::string_view userinfo = rest.substr(0, at);
        std::size_t pw = userinfo.find(':');
        uri.user = userinfo.substr(0, pw);
        if (pw != std::string_view::npos) uri.password = userinfo.substr(pw + 1);
        if (uri.user.empty()) return fail("URI '" + std::string(text) + "' has an empty user part");
        for (char c : userinfo) {
            if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) {
                return fail("URI '" + std::string(text) +
                            "' has a control character in its user part");
            }
        }
        if (!valid_escapes(userinfo)) {
            return fail("URI '" + std::string(text) +
                        "' has a malformed %-escape in its user part");
        }
        rest = rest.substr(at + 1);
    }

    std::size_t q = rest.find('?');
    if (q != std::string_view::npos) {
        uri.headers = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    std::size_t semi = rest.find(';');
    if (semi != std::string_view::npos) {
        uri.params = ParamList(rest.substr(semi + 1));
        rest = rest.substr(0, semi);
    }

    std::string_view hostport = rest;
    std::string_view port_text;
    if (!hostport.empty() && hostport.front() == '[') {
        std::size_t close = hostport.find(']');
        if (close == std::string_view::npos) {
            return fail("URI '" + std::string(text) + "' has an unterminated IPv6 reference");
        }
        uri.host = hostport.substr(0, close + 1);
        std::string_view after = hostport.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return fail("URI '" + std::string(text) + "' has junk after its IPv6 host");
            port_text = after.substr(1);
            if (port_text.empty()) return fail("URI '" + std::string(text) + "' has an empty port");
        }
        if (!is_ipv6_reference(uri.host)) {
            return fail("URI '" + std::string(text) + "' has a malformed IPv6 reference");
        }
    } else {
        std::size_t pc = hostport.find(':');
        uri.host = hostport.substr(0, pc);
        if (pc != std::string_view::npos) {
            port_text = hostport.substr(pc + 1);
            if (port_text.empty()) return fail("URI '" + std::string(text) + "' has an empty port");
        }
        if (uri.host.empty()) return fail("URI '" + std::string(text) + "' has no host");
        for (char c : uri.host) {
            if (!is_hostname_char(c)) {
                return fail("URI '" + std::string(text) + "' has an invalid character in its host");
            }
        }
    }
    if (!port_text.empty()) {
        auto port = parse_uint(port_text, 65535);
        if (!port)
            return fail("URI '" + std::string(text) + "' has an invalid port '" +
                        std::string(port_text) + "'");
        uri.port = static_cast<std::uint16_t>(*port);
    }
    return uri;
}

}  // namespace pbxbench::sip
