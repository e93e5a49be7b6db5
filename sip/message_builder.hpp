#pragma once
// Serializes SIP messages straight into one growing buffer: no intermediate strings.
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>

#include "sip/message.hpp"
#include "sip/text.hpp"

namespace pbxbench::sip {

namespace detail {
inline void append_part(std::string& out, std::string_view s) {
    out.append(s);
}
inline void append_part(std::string& out, char c) {
    out.push_back(c);
}
template <std::unsigned_integral T>
void append_part(std::string& out, T v) {
    append_uint(out, v);
}
inline void append_part(std::string& out, int v) {
    if (v < 0) {
        out.push_back('-');
        append_uint(out, static_cast<std::uint64_t>(-static_cast<std::int64_t>(v)));
    } else {
        append_uint(out, static_cast<std::uint64_t>(v));
    }
}
}  // namespace detail

class MessageBuilder {
  public:
    explicit MessageBuilder(std::size_t reserve_bytes = 768) { out_.reserve(reserve_bytes); }

    MessageBuilder& request_line(std::string_view method, std::string_view uri);
    MessageBuilder& status_line(int status, std::string_view reason = {});

    // Appends "Name: part1part2... CRLF"; parts are string_views, chars or integers.
    template <class... Parts>
    MessageBuilder& header(std::string_view name, const Parts&... parts) {
        out_.append(name);
        out_.append(": ");
        (detail::append_part(out_, parts), ...);
        out_.append("\r\n");
        return *this;
    }

    // Appends Content-Type (when a body is given), Content-Length and the body; returns the bytes.
    std::string finish(std::string_view body = {},
                       std::string_view content_type = "application/sdp");

  private:
    std::string out_;
};

// The standard reason phrase of a status code ("Ringing"), or "Unknown".
std::string_view reason_phrase(int status);

// Starts a response to `request`: status line, then Via (all), From, To (with `to_tag` added when
// the request's To has none and the status is above 100), Call-ID and CSeq, copied verbatim.
MessageBuilder response_to(const Message& request, int status, std::string_view to_tag,
                           std::string_view reason = {});

}  // namespace pbxbench::sip
