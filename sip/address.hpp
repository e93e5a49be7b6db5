#pragma once
// A transport address (IPv4 or IPv6 plus port): small, comparable and hashable, with no
// dependency on Asio so the sans-IO core can use it.
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/error.hpp"

struct sockaddr;
struct sockaddr_storage;

namespace pbxbench::sip {

struct Address {
    std::array<std::uint8_t, 16> ip{};  // IPv4 in the first four bytes
    std::uint16_t port = 0;
    bool v6 = false;

    bool operator==(const Address&) const = default;

    // "127.0.0.1:5060" or "[::1]:5060".
    std::string to_string() const;
    // The host as it appears in a URI or Via ("127.0.0.1", "[::1]").
    std::string host() const;

    // Writes a sockaddr_in/sockaddr_in6; returns its length.
    unsigned to_sockaddr(sockaddr_storage& out) const;
    static Address from_sockaddr(const sockaddr* sa);
};

// Parses a numeric host ("127.0.0.1", "::1", "[::1]" or "localhost") and a port.
Result<Address> make_address(std::string_view host, std::uint16_t port);

// Parses "host:port" or "[v6]:port"; `default_port` when no port is given.
Result<Address> parse_host_port(std::string_view text, std::uint16_t default_port = 5060);

struct AddressHash {
    std::size_t operator()(const Address& a) const noexcept;
};

}  // namespace pbxbench::sip
