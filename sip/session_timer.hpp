#pragma once
// RFC 4028 session timers: the Session-Expires and Min-SE header values, and when the two
// sides act on them.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pbxbench::sip {

// RFC 4028 §4: the smallest Session-Expires anyone may ask for, and the default Min-SE.
inline constexpr std::uint32_t min_session_expires_s = 90;

// Who refreshes, named from the point of view of the transaction carrying the header: `uac` is
// the sender of the request, `uas` the one answering it (§4).
enum class Refresher : std::uint8_t { none, uac, uas };

struct SessionExpires {
    std::uint32_t interval_s = 0;
    Refresher refresher = Refresher::none;  // none: no refresher parameter
};

// "1800;refresher=uac" (the compact form x: is read by the message layer); nullopt when the
// delta-seconds are missing or malformed. Unknown parameters are ignored.
std::optional<SessionExpires> parse_session_expires(std::string_view value);
// The value of a Session-Expires header: "1800" or "1800;refresher=uas".
std::string format_session_expires(const SessionExpires& s);
// Min-SE's delta-seconds (parameters ignored); nullopt when malformed.
std::optional<std::uint32_t> parse_min_se(std::string_view value);

// §10: the refresher sends its refresh at half the interval.
inline std::chrono::milliseconds refresh_after(std::uint32_t interval_s) {
    return std::chrono::milliseconds(std::int64_t{interval_s} * 500);
}
// §10: without a refresh, the other side sends BYE before the session expires: at
// interval − min(32 s, interval / 3).
inline std::chrono::milliseconds expiry_bye_after(std::uint32_t interval_s) {
    const std::int64_t ms = std::int64_t{interval_s} * 1000;
    return std::chrono::milliseconds(ms - std::min<std::int64_t>(32'000, ms / 3));
}

// Whether a Supported or Require header value lists the option tag `tag` ("timer").
bool lists_option(std::string_view header_value, std::string_view tag);

}  // namespace pbxbench::sip
