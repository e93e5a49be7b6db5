#pragma once
// Small allocation-free text helpers shared by the SIP and SDP parsers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pbxbench::sip {

// ASCII case-insensitive equality, as SIP compares tokens and header names.
bool iequals(std::string_view a, std::string_view b);

// Strips SP, HTAB, CR and LF from both ends.
std::string_view trim(std::string_view s);

inline bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
inline bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool is_space(char c) {
    return c == ' ' || c == '\t';
}

// RFC 3261 token characters: alphanum and -.!%*_+`'~
bool is_token_char(char c);
bool is_token(std::string_view s);

// Parses all-digit text into a number no greater than `max`; nullopt otherwise.
std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max = UINT32_MAX);

// Appends the decimal form of `value`.
void append_uint(std::string& out, std::uint64_t value);

// True for "[v6address]" (hex digits, ':' and '.' inside brackets, as RFC 3261 IPv6reference).
bool is_ipv6_reference(std::string_view s);

// Finds `c` outside double-quoted strings (honouring \-escapes) and outside <...>; npos if none.
std::size_t find_unquoted(std::string_view s, char c, std::size_t from = 0);

// Removes the quotes and \-escapes of a quoted-string; returns the text unchanged if not quoted.
std::string unquote(std::string_view s);

// Iterates the elements of a comma-separated header value (Via, Contact, Route...),
// skipping commas inside quotes and angle brackets. Elements are trimmed; empty ones skipped.
class CommaList {
  public:
    explicit CommaList(std::string_view value) : rest_(value) {}
    // The next element, or nullopt at the end.
    std::optional<std::string_view> next();

  private:
    std::string_view rest_;
};

// A `;name=value;flag` parameter list, scanned lazily (no allocation).
// `raw` starts after the first ';' or is empty.
class ParamList {
  public:
    ParamList() = default;
    explicit ParamList(std::string_view raw) : raw_(raw) {}

    // The value of `name` (case-insensitive); an empty view for a flag; nullopt if absent.
    std::optional<std::string_view> get(std::string_view name) const;
    bool has(std::string_view name) const { return get(name).has_value(); }
    std::string_view raw() const { return raw_; }

    struct Param {
        std::string_view name;
        std::string_view value;
    };
    // Calls f(Param) for each parameter in order.
    template <class F>
    void for_each(F&& f) const {
        std::string_view rest = raw_;
        while (!rest.empty()) {
            std::size_t end = find_unquoted(rest, ';');
            std::string_view item = trim(rest.substr(0, end));
            rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
            if (item.empty()) continue;
            std::size_t eq = item.find('=');
            if (eq == std::string_view::npos) {
                f(Param{item, {}});
            } else {
                f(Param{trim(item.substr(0, eq)), trim(item.substr(eq + 1))});
            }
        }
    }

  private:
    std::string_view raw_;
};

}  // namespace pbxbench::sip
