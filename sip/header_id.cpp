#include "sip/header_id.hpp"

#include <array>

#include "sip/text.hpp"

namespace pbxbench::sip {

namespace {

struct Known {
    HeaderId id;
    std::string_view name;
    char compact;  // 0 if none
};

constexpr std::array<Known, static_cast<std::size_t>(HeaderId::count_) - 1> known_headers{{
    {HeaderId::via, "Via", 'v'},
    {HeaderId::from, "From", 'f'},
    {HeaderId::to, "To", 't'},
    {HeaderId::call_id, "Call-ID", 'i'},
    {HeaderId::cseq, "CSeq", 0},
    {HeaderId::contact, "Contact", 'm'},
    {HeaderId::content_length, "Content-Length", 'l'},
    {HeaderId::content_type, "Content-Type", 'c'},
    {HeaderId::max_forwards, "Max-Forwards", 0},
    {HeaderId::route, "Route", 0},
    {HeaderId::record_route, "Record-Route", 0},
    {HeaderId::expires, "Expires", 0},
    {HeaderId::www_authenticate, "WWW-Authenticate", 0},
    {HeaderId::authorization, "Authorization", 0},
    {HeaderId::proxy_authenticate, "Proxy-Authenticate", 0},
    {HeaderId::proxy_authorization, "Proxy-Authorization", 0},
    {HeaderId::allow, "Allow", 0},
    {HeaderId::supported, "Supported", 'k'},
    {HeaderId::require, "Require", 0},
    {HeaderId::user_agent, "User-Agent", 0},
    {HeaderId::server, "Server", 0},
    {HeaderId::subject, "Subject", 's'},
    {HeaderId::content_encoding, "Content-Encoding", 'e'},
    {HeaderId::event, "Event", 'o'},
    {HeaderId::min_expires, "Min-Expires", 0},
}};

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

}  // namespace

HeaderId header_id(std::string_view name) {
    if (name.size() == 1) {
        char c = lower(name[0]);
        for (const Known& k : known_headers) {
            if (k.compact == c) return k.id;
        }
        return HeaderId::other;
    }
    // Cheap pre-filter on length and first letter before the case-insensitive compare.
    const char first = lower(name[0]);
    for (const Known& k : known_headers) {
        if (k.name.size() == name.size() && lower(k.name[0]) == first && iequals(k.name, name))
            return k.id;
    }
    return HeaderId::other;
}

std::string_view header_name(HeaderId id) {
    for (const Known& k : known_headers) {
        if (k.id == id) return k.name;
    }
    return {};
}

bool is_single_valued(HeaderId id) {
    switch (id) {
        case HeaderId::from:
        case HeaderId::to:
        case HeaderId::call_id:
        case HeaderId::cseq:
        case HeaderId::content_length:
        case HeaderId::content_type:
        case HeaderId::max_forwards:
        case HeaderId::expires:
            return true;
        default:
            return false;
    }
}

namespace {
constexpr std::array<std::pair<Method, std::string_view>, 13> methods{{
    {Method::invite, "INVITE"},
    {Method::ack, "ACK"},
    {Method::bye, "BYE"},
    {Method::cancel, "CANCEL"},
    {Method::register_, "REGISTER"},
    {Method::options, "OPTIONS"},
    {Method::info, "INFO"},
    {Method::update, "UPDATE"},
    {Method::prack, "PRACK"},
    {Method::subscribe, "SUBSCRIBE"},
    {Method::notify, "NOTIFY"},
    {Method::refer, "REFER"},
    {Method::message, "MESSAGE"},
}};
}  // namespace

Method method_from(std::string_view token) {
    for (const auto& [m, name] : methods) {
        if (name == token) return m;
    }
    return Method::other;
}

std::string_view method_name(Method m) {
    for (const auto& [id, name] : methods) {
        if (id == m) return name;
    }
    return {};
}

}  // namespace pbxbench::sip
