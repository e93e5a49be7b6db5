#include "sip/address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "sip/text.hpp"

namespace pbxbench::sip {

std::string Address::host() const {
    char text[INET6_ADDRSTRLEN] = {};
    inet_ntop(v6 ? AF_INET6 : AF_INET, ip.data(), text, sizeof text);
    return v6 ? "[" + std::string(text) + "]" : std::string(text);
}

std::string Address::to_string() const {
    return host() + ":" + std::to_string(port);
}

unsigned Address::to_sockaddr(sockaddr_storage& out) const {
    std::memset(&out, 0, sizeof out);
    if (v6) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&out);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        std::memcpy(&s6->sin6_addr, ip.data(), 16);
        return sizeof(sockaddr_in6);
    }
    auto* s4 = reinterpret_cast<sockaddr_in*>(&out);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    std::memcpy(&s4->sin_addr, ip.data(), 4);
    return sizeof(sockaddr_in);
}

Address Address::from_sockaddr(const sockaddr* sa) {
    Address a;
    if (sa->sa_family == AF_INET6) {
        const auto* s6 = reinterpret_cast<const sockaddr_in6*>(sa);
        a.v6 = true;
        a.port = ntohs(s6->sin6_port);
        std::memcpy(a.ip.data(), &s6->sin6_addr, 16);
    } else {
        const auto* s4 = reinterpret_cast<const sockaddr_in*>(sa);
        a.port = ntohs(s4->sin_port);
        std::memcpy(a.ip.data(), &s4->sin_addr, 4);
    }
    return a;
}

Result<Address> make_address(std::string_view host, std::uint16_t port) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (iequals(host, "localhost")) host = "127.0.0.1";
    std::string text(host);
    Address a;
    a.port = port;
    if (inet_pton(AF_INET, text.c_str(), a.ip.data()) == 1) return a;
    if (inet_pton(AF_INET6, text.c_str(), a.ip.data()) == 1) {
        a.v6 = true;
        return a;
    }
    return fail("'" + text + "' is not a numeric IP address (host names are not resolved)");
}

Result<Address> parse_host_port(std::string_view text, std::uint16_t default_port) {
    std::string_view host = text;
    std::string_view port_text;
    if (!text.empty() && text.front() == '[') {
        std::size_t close = text.find(']');
        if (close == std::string_view::npos)
            return fail("'" + std::string(text) + "' has an unterminated '['");
        host = text.substr(0, close + 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':')
                return fail("'" + std::string(text) + "' is not [host]:port");
            port_text = text.substr(close + 2);
        }
    } else if (std::size_t colon = text.rfind(':');
               colon != std::string_view::npos && text.find(':') == colon) {
        host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    std::uint16_t port = default_port;
    if (!port_text.empty()) {
        auto p = parse_uint(port_text, 65535);
        if (!p) return fail("'" + std::string(text) + "' has an invalid port");
        port = static_cast<std::uint16_t>(*p);
    }
    return make_address(host, port);
}

std::size_t AddressHash::operator()(const Address& a) const noexcept {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (std::uint8_t b : a.ip) h = (h ^ b) * 1099511628211ull;
    h = (h ^ a.port) * 1099511628211ull;
    return static_cast<std::size_t>(h ^ a.v6);
}

}  // namespace pbxbench::sip
