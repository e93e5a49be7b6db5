#include "sip/session_timer.hpp"

#include <algorithm>

#include "sip/text.hpp"

namespace pbxbench::sip {

std::optional<SessionExpires> parse_session_expires(std::string_view value) {
    value = trim(value);
    const std::size_t semi = value.find(';');
    auto seconds = parse_uint(trim(value.substr(0, semi)));
    if (!seconds || *seconds == 0) return std::nullopt;
    SessionExpires s;
    s.interval_s = static_cast<std::uint32_t>(*seconds);
    std::string_view rest =
        semi == std::string_view::npos ? std::string_view{} : value.substr(semi);
    while (!rest.empty()) {
        rest.remove_prefix(1);  // the ';'
        const std::size_t next = rest.find(';');
        std::string_view param = trim(rest.substr(0, next));
        rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next);
        const std::size_t eq = param.find('=');
        if (eq == std::string_view::npos || !iequals(trim(param.substr(0, eq)), "refresher"))
            continue;
        std::string_view who = trim(param.substr(eq + 1));
        if (iequals(who, "uac")) s.refresher = Refresher::uac;
        if (iequals(who, "uas")) s.refresher = Refresher::uas;
    }
    return s;
}

std::string format_session_expires(const SessionExpires& s) {
    std::string out;
    append_uint(out, s.interval_s);
    if (s.refresher == Refresher::uac) out += ";refresher=uac";
    if (s.refresher == Refresher::uas) out += ";refresher=uas";
    return out;
}

std::optional<std::uint32_t> parse_min_se(std::string_view value) {
    value = trim(value);
    auto seconds = parse_uint(trim(value.substr(0, value.find(';'))));
    if (!seconds) return std::nullopt;
    return static_cast<std::uint32_t>(*seconds);
}

bool lists_option(std::string_view header_value, std::string_view tag) {
    while (!header_value.empty()) {
        const std::size_t comma = header_value.find(',');
        if (iequals(trim(header_value.substr(0, comma)), tag)) return true;
        if (comma == std::string_view::npos) break;
        header_value.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace pbxbench::sip
