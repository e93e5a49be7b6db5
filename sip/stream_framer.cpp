#include "sip/stream_framer.hpp"

#include "sip/header_id.hpp"
#include "sip/message.hpp"
#include "sip/text.hpp"

namespace pbxbench::sip {

Result<std::optional<std::string>> StreamFramer::next() {
    // CRLF keep-alives (RFC 5626 §4.4.1) between messages are dropped.
    std::size_t start = 0;
    while (start < buffer_.size() && (buffer_[start] == '\r' || buffer_[start] == '\n')) ++start;
    buffer_.erase(0, start);

    std::size_t header_end = buffer_.find("\r\n\r\n");
    if (header_end == std::string::npos) {
        if (buffer_.size() > max_message_bytes)
            return fail("stream headers exceed the message size limit");
        return std::optional<std::string>{};
    }
    std::string_view headers(buffer_.data(), header_end);
    std::optional<std::uint64_t> length;
    // Header lines after the start line, with folded continuations (lines starting with SP or
    // HTAB, RFC 3261 §7.3.1) joined to the line they continue.
    std::size_t pos = headers.find("\r\n");
    while (pos != std::string_view::npos) {
        std::size_t begin = pos + 2;
        std::size_t end = headers.find("\r\n", begin);
        while (end != std::string_view::npos && end + 2 < headers.size() &&
               (headers[end + 2] == ' ' || headers[end + 2] == '\t')) {
            end = headers.find("\r\n", end + 2);
        }
        std::string_view line = headers.substr(
            begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
        std::size_t colon = line.find(':');
        if (colon != std::string_view::npos &&
            header_id(trim(line.substr(0, colon))) == HeaderId::content_length) {
            std::string value;
            for (char c : line.substr(colon + 1)) {
                if (c != '\r' && c != '\n') value.push_back(c);
            }
            auto parsed = parse_uint(trim(value), max_message_bytes);
            if (!parsed) return fail("stream message has an invalid Content-Length");
            if (length && *length != *parsed)
                return fail("stream message has two different Content-Length values");
            length = parsed;
        }
        pos = end;
    }
    if (!length) return fail("stream message has no Content-Length");
    std::size_t total = header_end + 4 + *length;
    if (buffer_.size() < total) return std::optional<std::string>{};
    std::string message = buffer_.substr(0, total);
    buffer_.erase(0, total);
    return std::optional<std::string>{std::move(message)};
}

}  // namespace pbxbench::sip
