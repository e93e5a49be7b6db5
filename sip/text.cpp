#include "sip/text.hpp"

namespace pbxbench::sip {

namespace {

struct Tables {
    unsigned char lower[256];
    bool token[256];
    constexpr Tables() : lower{}, token{} {
        for (int c = 0; c < 256; ++c) {
            lower[c] = static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
            bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            token[c] = alnum || c == '-' || c == '.' || c == '!' || c == '%' || c == '*' ||
                       c == '_' || c == '+' || c == '`' || c == '\'' || c == '~';
        }
    }
};
constexpr Tables tables;

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (tables.lower[static_cast<unsigned char>(a[i])] !=
            tables.lower[static_cast<unsigned char>(b[i])]) {
            return false;
        }
    }
    return true;
}

std::string_view trim(std::string_view s) {
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && ws(s.front())) s.remove_prefix(1);
    while (!s.empty() && ws(s.back())) s.remove_suffix(1);
    return s;
}

bool is_token_char(char c) {
    return tables.token[static_cast<unsigned char>(c)];
}

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        if (!tables.token[static_cast<unsigned char>(c)]) return false;
    }
    return true;
}

std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max) {
    if (s.empty() || s.size() > 19) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (!is_digit(c)) return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v > max) return std::nullopt;
    return v;
}

void append_uint(std::string& out, std::uint64_t value) {
    char buf[20];
    int n = 0;
    do {
        buf[n++] = static_cast<char>('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0) out.push_back(buf[--n]);
}

std::size_t find_unquoted(std::string_view s, char c, std::size_t from) {
    // Fast path: nothing that opens a quote or bracket before the first `c`.
    std::size_t hit = s.find(c, from);
    if (hit == std::string_view::npos) return hit;
    std::string_view head = s.substr(from, hit - from);
    if (head.find_first_of("\"<") == std::string_view::npos) return hit;

    bool quoted = false;
    int angle = 0;
    for (std::size_t i = from; i < s.size(); ++i) {
        char ch = s[i];
        if (quoted) {
            if (ch == '\\') {
                ++i;
            } else if (ch == '"') {
                quoted = false;
            }
            continue;
        }
        if (ch == c && angle == 0) return i;
        if (ch == '"') {
            quoted = true;
        } else if (ch == '<') {
            ++angle;
        } else if (ch == '>' && angle > 0) {
            --angle;
        }
    }
    return std::string_view::npos;
}

bool is_ipv6_reference(std::string_view h) {
    if (h.size() < 4 || h.front() != '[' || h.back() != ']') return false;
    bool colon = false;
    for (char c : h.substr(1, h.size() - 2)) {
        bool hex = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hex && c != ':' && c != '.') return false;
        colon = colon || c == ':';
    }
    return colon;
}

std::string unquote(std::string_view s) {
    s = trim(s);
    if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
    std::string out;
    out.reserve(s.size() - 2);
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
        if (s[i] == '\\' && i + 2 < s.size()) ++i;
        out.push_back(s[i]);
    }
    return out;
}

std::optional<std::string_view> CommaList::next() {
    while (!rest_.empty()) {
        std::size_t end = find_unquoted(rest_, ',');
        std::string_view item = trim(rest_.substr(0, end));
        rest_ = end == std::string_view::npos ? std::string_view{} : rest_.substr(end + 1);
        if (!item.empty()) return item;
    }
    return std::nullopt;
}

std::optional<std::string_view> ParamList::get(std::string_view name) const {
    std::optional<std::string_view> found;
    for_each([&](const Param& p) {
        if (!found && iequals(p.name, name)) found = p.value;
    });
    return found;
}

}  // namespace pbxbench::sip
