#include "sip/message.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "sip/uri.hpp"

namespace pbxbench::sip {

namespace {

constexpr std::string_view sip_version = "SIP/2.0";

// Finds the end of the line starting at `pos`: returns the index of '\n' or `size`.
std::size_t line_end(const char* buf, std::size_t pos, std::size_t size) {
    const void* nl = std::memchr(buf + pos, '\n', size - pos);
    return nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - buf) : size;
}

std::string_view strip_cr(const char* buf, std::size_t begin, std::size_t end) {
    if (end > begin && buf[end - 1] == '\r') --end;
    return {buf + begin, end - begin};
}

}  // namespace

Result<Message> Message::parse(std::string_view bytes) {
    if (bytes.size() > max_message_bytes) {
        return fail("message of " + std::to_string(bytes.size()) + " bytes exceeds the " +
                    std::to_string(max_message_bytes) + "-byte limit");
    }
    // Keep-alive CRLFs before the start line are ignored (RFC 3261 §7.5).
    std::size_t skip = 0;
    while (skip < bytes.size() && (bytes[skip] == '\r' || bytes[skip] == '\n')) ++skip;
    bytes.remove_prefix(skip);
    if (bytes.empty()) return fail("empty message");

    Message m;
    m.size_ = bytes.size();
    m.buf_ = std::make_unique_for_overwrite<char[]>(m.size_);
    std::memcpy(m.buf_.get(), bytes.data(), m.size_);
    char* buf = m.buf_.get();
    const std::size_t size = m.size_;

    std::size_t pos = 0;
    std::size_t nl = line_end(buf, pos, size);
    if (auto r = m.parse_start_line(strip_cr(buf, pos, nl)); !r) return tl::unexpected(r.error());
    pos = nl + 1;

    m.fields_.reserve(16);
    std::size_t body_start = size;
    while (pos < size) {
        nl = line_end(buf, pos, size);
        std::string_view line = strip_cr(buf, pos, nl);
        if (line.empty()) {
            body_start = nl + 1;
            break;
        }
        if (is_space(line.front())) return fail("continuation line before any header");
        // Join folded continuation lines in place: their CR LF become spaces (RFC 3261 §7.3.1).
        while (nl + 1 < size && is_space(buf[nl + 1])) {
            if (nl > pos && buf[nl - 1] == '\r') buf[nl - 1] = ' ';
            buf[nl] = ' ';
            nl = line_end(buf, nl + 1, size);
        }
        line = strip_cr(buf, pos, nl);
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            return fail("header line '" + std::string(line.substr(0, 60)) + "' has no ':'");
        }
        std::string_view name = trim(line.substr(0, colon));
        if (!is_token(name)) return fail("invalid header name '" + std::string(name) + "'");
        m.fields_.push_back({header_id(name), name, trim(line.substr(colon + 1))});
        pos = nl + 1;
    }
    if (body_start > size) body_start = size;
    m.body_ = {buf + body_start, size - body_start};
    if (auto r = m.validate(); !r) return tl::unexpected(r.error());
    return m;
}

Result<void> Message::parse_start_line(std::string_view line) {
    if (line.size() > sip_version.size() &&
        iequals(line.substr(0, sip_version.size()), sip_version) &&
        line[sip_version.size()] == ' ') {
        std::string_view rest = line.substr(sip_version.size() + 1);
        if (rest.size() < 3 || !is_digit(rest[0]) || !is_digit(rest[1]) || !is_digit(rest[2]) ||
            (rest.size() > 3 && rest[3] != ' ')) {
            return fail("status line '" + std::string(line) + "' lacks a 3-digit status code");
        }
        status_ = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
        if (status_ < 100 || status_ > 699) {
            return fail("status code " + std::to_string(status_) + " is outside 100-699");
        }
        reason_ = rest.size() > 4 ? rest.substr(4) : std::string_view{};
        return {};
    }
    // Request-Line = Method SP Request-URI SP SIP-Version, single spaces (RFC 3261 §7.1).
    std::size_t sp1 = line.find(' ');
    std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
        return fail("request line '" + std::string(line.substr(0, 80)) +
                    "' is not 'METHOD SP Request-URI SP SIP/2.0'");
    }
    method_token_ = line.substr(0, sp1);
    request_uri_ = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = line.substr(sp2 + 1);
    if (!is_token(method_token_))
        return fail("invalid method '" + std::string(method_token_) + "'");
    if (!iequals(version, sip_version)) {
        return fail("unsupported SIP version '" + std::string(version) + "'");
    }
    if (request_uri_.empty()) return fail("empty Request-URI");
    if (auto uri = parse_uri(request_uri_); !uri) return tl::unexpected(uri.error());
    method_ = method_from(method_token_);
    return {};
}

Result<void> Message::validate() {
    first_.fill(no_field);
    for (std::size_t i = 0; i < fields_.size(); ++i) {
        const HeaderField& h = fields_[i];
        auto& first = first_[static_cast<std::size_t>(h.id)];
        if (first == no_field) {
            // Past 254 headers the index saturates and lookups fall back to a scan.
            first = static_cast<std::uint8_t>(std::min<std::size_t>(i, no_field - 1));
        } else if (h.id != HeaderId::other && is_single_valued(h.id)) {
            return fail("more than one " + std::string(header_name(h.id)) + " header");
        }
    }
    auto require = [&](HeaderId id) -> Result<std::string_view> {
        if (!has(id)) return fail("missing " + std::string(header_name(id)) + " header");
        return header(id);
    };

    auto call_id = require(HeaderId::call_id);
    if (!call_id) return tl::unexpected(call_id.error());
    if (call_id->empty()) return fail("empty Call-ID header");
    call_id_ = *call_id;

    auto cseq = require(HeaderId::cseq);
    if (!cseq) return tl::unexpected(cseq.error());
    auto parsed_cseq = parse_cseq(*cseq);
    if (!parsed_cseq) return tl::unexpected(parsed_cseq.error());
    cseq_ = *parsed_cseq;
    if (is_request() && cseq_.method_token != method_token_) {
        return fail("CSeq method '" + std::string(cseq_.method_token) +
                    "' does not match request method '" + std::string(method_token_) + "'");
    }

    for (HeaderId id : {HeaderId::from, HeaderId::to}) {
        auto v = require(id);
        if (!v) return tl::unexpected(v.error());
        if (find_unquoted(*v, ',') != std::string_view::npos) {
            return fail("more than one " + std::string(header_name(id)) + " value");
        }
        // "*" is a Contact of a REGISTER only (RFC 3261 §10.2.2); as From or To it would be
        // echoed into our responses, where "*;tag=..." is no address at all.
        if (trim(*v) == "*") return fail(std::string(header_name(id)) + ": '*' is not an address");
        auto na = parse_name_addr(*v);
        if (!na) return fail(std::string(header_name(id)) + ": " + na.error().message);
        (id == HeaderId::from ? from_ : to_) = *na;
    }

    auto via = require(HeaderId::via);
    if (!via) return tl::unexpected(via.error());
    CommaList vias(*via);
    auto top = vias.next();
    if (!top) return fail("empty Via header");
    auto parsed_via = parse_via(*top);
    if (!parsed_via) return tl::unexpected(parsed_via.error());
    top_via_ = *parsed_via;

    if (has(HeaderId::max_forwards) && !parse_uint(trim(header(HeaderId::max_forwards)), 255)) {
        return fail("Max-Forwards '" + std::string(header(HeaderId::max_forwards)) +
                    "' is not 0-255");
    }
    if (has(HeaderId::content_length)) {
        auto length = parse_uint(header(HeaderId::content_length), max_message_bytes);
        if (!length) {
            return fail("invalid Content-Length '" + std::string(header(HeaderId::content_length)) +
                        "'");
        }
        if (*length > body_.size()) {
            return fail("Content-Length " + std::to_string(*length) + " exceeds the " +
                        std::to_string(body_.size()) + " body bytes received");
        }
        body_ = body_.substr(0, *length);
    }
    return {};
}

std::string_view Message::header(HeaderId id) const {
    std::uint8_t first = first_[static_cast<std::size_t>(id)];
    if (first == no_field) return {};
    if (first < no_field - 1) return fields_[first].value;
    for (const HeaderField& h : fields_) {
        if (h.id == id) return h.value;
    }
    return {};
}

std::string_view Message::header(std::string_view name) const {
    HeaderId id = header_id(name);
    if (id != HeaderId::other) return header(id);
    for (const HeaderField& h : fields_) {
        if (h.id == HeaderId::other && iequals(h.name, name)) return h.value;
    }
    return {};
}

bool Message::has(HeaderId id) const {
    return first_[static_cast<std::size_t>(id)] != no_field;
}

std::size_t Message::count(HeaderId id) const {
    std::size_t n = 0;
    for (const HeaderField& h : fields_) n += h.id == id;
    return n;
}

}  // namespace pbxbench::sip
