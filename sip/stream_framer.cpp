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
        if (buffer_.size() > max_message_bytes) return fail("stream headers exceed the message size limit");
        return std::optional<std::string>{};
    }
    std::string_view headers(buffer_.data(), header_end);
    std::optional<std::uint64_t> length;
    std::size_t pos = headers.find("\r\n");  // skip the start line
    while (pos != std::string_view::npos && pos < headers.size()) {
        std::size_t next_line = headers.find("\r\n", pos + 2);
        std::string_view line = headers.substr(pos + 2, next_line == std::string_view::npos
                                                            ? std::string_view::npos
                                                            : next_line - pos - 2);
        std::size_t colon = line.find(':');
        if (colon != std::string_view::npos &&
            header_id(trim(line.substr(0, colon))) == HeaderId::content_length) {
            length = parse_uint(trim(line.substr(colon + 1)), max_message_bytes);
            if (!length) return fail("stream message has an invalid Content-Length");
        }
        pos = next_line;
    }
    if (!length) return fail("stream message has no Content-Length");
    std::size_t total = header_end + 4 + *length;
    if (buffer_.size() < total) return std::optional<std::string>{};
    std::string message = buffer_.substr(0, total);
    buffer_.erase(0, total);
    return std::optional<std::string>{std::move(message)};
}

}  // namespace pbxbench::sip
