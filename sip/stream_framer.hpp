#pragma once
// Frames SIP messages on a byte stream (TCP/TLS), where Content-Length is mandatory
// (RFC 3261 §18.3). Transports over streams feed bytes in and take whole messages out.
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace pbxbench::sip {

class StreamFramer {
  public:
    // Appends received bytes.
    void feed(std::string_view bytes) { buffer_.append(bytes); }

    // The next complete message's bytes, nullopt if more bytes are needed, or an error if the
    // stream is unframeable (no or bad Content-Length, oversized headers); after an error the
    // stream must be closed.
    Result<std::optional<std::string>> next();

    std::size_t buffered_bytes() const { return buffer_.size(); }

  private:
    std::string buffer_;
};

}  // namespace pbxbench::sip
