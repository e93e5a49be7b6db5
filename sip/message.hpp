#pragma once
// A parsed SIP message (RFC 3261 §7). It owns one copy of the bytes; every view it hands out
// points into that copy, so a Message is move-only and its views live as long as it does.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "sip/header_id.hpp"
#include "sip/header_values.hpp"

namespace pbxbench::sip {

struct HeaderField {
    HeaderId id;
    std::string_view name;   // as written (may be a compact form)
    std::string_view value;  // trimmed; folded lines are joined with spaces
};

// Largest message accepted; UDP cannot carry more, and a stream peer sending more is broken.
inline constexpr std::size_t max_message_bytes = 65535;

class Message {
  public:
    // Parses one complete message. Content-Length, when present, frames the body and any
    // trailing bytes are ignored (RFC 3261 §18.3); when absent the body is the rest.
    static Result<Message> parse(std::string_view bytes);

    Message(Message&&) noexcept = default;
    Message& operator=(Message&&) noexcept = default;
    Message(const Message&) = delete;
    Message& operator=(const Message&) = delete;

    bool is_request() const { return status_ == 0; }
    bool is_response() const { return status_ != 0; }

    // Request line (requests only).
    Method method() const { return method_; }
    std::string_view method_token() const { return method_token_; }
    std::string_view request_uri() const { return request_uri_; }

    // Status line (responses only).
    int status() const { return status_; }
    std::string_view reason() const { return reason_; }

    std::span<const HeaderField> headers() const { return fields_; }
    // The value of the first header with this id; empty if none.
    std::string_view header(HeaderId id) const;
    // The value of the first header with this name (case-insensitive; compact forms match).
    std::string_view header(std::string_view name) const;
    bool has(HeaderId id) const;
    std::size_t count(HeaderId id) const;

    // Calls f(std::string_view element) for every comma-separated element of every header
    // with this id, in order (Via, Route, Record-Route, Contact).
    template <class F>
    void for_each_element(HeaderId id, F&& f) const {
        for (const HeaderField& h : fields_) {
            if (h.id != id) continue;
            CommaList list(h.value);
            while (auto e = list.next()) f(*e);
        }
    }

    // Mandatory headers, validated by parse().
    std::string_view call_id() const { return call_id_; }
    const CSeq& cseq() const { return cseq_; }
    const Via& top_via() const { return top_via_; }
    const NameAddr& from() const { return from_; }
    const NameAddr& to() const { return to_; }

    std::string_view body() const { return body_; }
    // The whole message as received (after CRLF keep-alives and folding are normalized).
    std::string_view raw() const { return {buf_.get(), size_}; }

  private:
    Message() = default;
    Result<void> parse_start_line(std::string_view line);
    Result<void> validate();

    std::unique_ptr<char[]> buf_;
    std::size_t size_ = 0;
    std::vector<HeaderField> fields_;
    // Index in fields_ of the first header of each id (no_field if none): O(1) lookups.
    static constexpr std::uint8_t no_field = 255;
    std::array<std::uint8_t, static_cast<std::size_t>(HeaderId::count_)> first_{};
    Method method_ = Method::other;
    std::string_view method_token_;
    std::string_view request_uri_;
    int status_ = 0;
    std::string_view reason_;
    std::string_view call_id_;
    CSeq cseq_;
    Via top_via_;
    NameAddr from_;
    NameAddr to_;
    std::string_view body_;
};

}  // namespace pbxbench::sip
