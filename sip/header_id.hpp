#pragma once
// Well-known SIP header names, recognised in full and compact form (RFC 3261 §7.3.3).
#include <cstdint>
#include <string_view>

namespace pbxbench::sip {

enum class HeaderId : std::uint8_t {
    other,
    via,
    from,
    to,
    call_id,
    cseq,
    contact,
    content_length,
    content_type,
    max_forwards,
    route,
    record_route,
    expires,
    www_authenticate,
    authorization,
    proxy_authenticate,
    proxy_authorization,
    allow,
    supported,
    require,
    user_agent,
    server,
    subject,
    content_encoding,
    event,
    min_expires,
    count_  // number of ids; keep last
};

// The id of a header name (case-insensitive, compact forms included); HeaderId::other if unknown.
HeaderId header_id(std::string_view name);

// The canonical full name of a known header ("Call-ID" for HeaderId::call_id).
std::string_view header_name(HeaderId id);

// Headers that may appear at most once in a message (RFC 3261 §20 / RFC 4475 §3.1.2.19).
bool is_single_valued(HeaderId id);

enum class Method : std::uint8_t {
    other,
    invite,
    ack,
    bye,
    cancel,
    register_,
    options,
    info,
    update,
    prack,
    subscribe,
    notify,
    refer,
    message
};

// The method of a token (case-sensitive, as RFC 3261 §7.1 requires); Method::other if unknown.
Method method_from(std::string_view token);

// The token of a known method ("INVITE"); empty for Method::other.
std::string_view method_name(Method m);

}  // namespace pbxbench::sip
