// The UasAgent's side of RFC 4028 session timers: an INVITE asking for less than our Min-SE
// gets 422 (§8.1); otherwise the 2xx states the interval and the refresher (the caller unless
// it asked for us, §9), and refreshes inside the dialog are answered the same way. We never
// refresh ourselves and do not end dialogs whose refresh is late (the caller's BYE does).
#include "sip/session_timer.hpp"
#include "uas/uas_agent.hpp"

namespace pbxbench::uas {

bool UasAgent::accept_session_expires(sip::TransactionId id, const sip::Message& invite,
                                      std::string_view to_tag, PendingCall& call,
                                      sip::TimePoint now) {
    if (config_.session_min_se_s == 0) return true;
    auto se = sip::parse_session_expires(invite.header("Session-Expires"));
    if (!se) return true;  // no timer asked for: none we insist on
    if (se->interval_s < config_.session_min_se_s) {
        ++counters_.session_too_small;
        const std::string min_se = std::to_string(config_.session_min_se_s);
        std::pair<std::string_view, std::string_view> h[1] = {{"Min-SE", min_se}};
        reply(id, invite, 422, to_tag, now, {}, -1, std::span(h, 1));
        return false;
    }
    // §9: a caller that did not name the refresher leaves the choice to us: it refreshes.
    if (se->refresher == sip::Refresher::none) se->refresher = sip::Refresher::uac;
    call.session_expires = sip::format_session_expires(*se);
    call.require_timer = sip::lists_option(invite.header("Supported"), "timer");
    return true;
}

void UasAgent::session_refresh_headers(const CallDialog& d, const sip::Message& request,
                                       std::string& value,
                                       std::pair<std::string_view, std::string_view> (&headers)[2],
                                       std::size_t& n) {
    n = 0;
    if (!d.session_timer) return;
    auto se = sip::parse_session_expires(request.header("Session-Expires"));
    if (!se) return;
    ++counters_.session_refreshes;
    if (se->refresher == sip::Refresher::none) se->refresher = sip::Refresher::uac;
    value = sip::format_session_expires(*se);
    if (sip::lists_option(request.header("Supported"), "timer"))
        headers[n++] = {"Require", "timer"};
    headers[n++] = {"Session-Expires", value};
}

}  // namespace pbxbench::uas
