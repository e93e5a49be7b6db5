// The UasAgent's side of RFC 4028 session timers: an INVITE asking for less than our Min-SE
// gets 422 (§8.1); otherwise the 2xx states the interval and the refresher (as the caller asked,
// else as configured, §9), and refreshes inside the dialog are answered the same way. As
// refresher we send UPDATE at half the interval. We do not end dialogs whose refresh is late
// (the caller's BYE does).
#include "sip/message_builder.hpp"
#include "sip/session_timer.hpp"
#include "sip/uri.hpp"
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
    // §9: a caller that did not name the refresher leaves the choice to us.
    if (se->refresher == sip::Refresher::none)
        se->refresher = config_.session_refresher_uas ? sip::Refresher::uas : sip::Refresher::uac;
    call.session_expires = sip::format_session_expires(*se);
    call.session_interval_s = se->interval_s;
    call.we_refresh = se->refresher == sip::Refresher::uas;
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

namespace pbxbench::uas {

void UasAgent::arm_session_refresh(CallDialog& d, const std::string& key, sip::TimePoint now) {
    d.refresh_due = now + sip::refresh_after(d.session_interval_s);
    session_due_.push({d.refresh_due, key});
    schedule(d.refresh_due);
}

void UasAgent::send_due_refreshes(sip::TimePoint now) {
    while (!session_due_.empty() && session_due_.top().when <= now) {
        SessionDue due = session_due_.top();
        session_due_.pop();
        auto it = dialogs_.find(due.dialog);
        if (it == dialogs_.end() || !it->second.we_refresh || it->second.refresh_due != due.when)
            continue;  // the call ended, or a later refresh re-armed it
        CallDialog& d = it->second;
        auto uri = sip::parse_uri(sip::next_hop_uri(d.dialog));
        if (!uri) {
            ++counters_.session_refreshes_failed;
            continue;
        }
        auto hop = sip::make_address(uri->host, uri->port_or_default());
        if (!hop) {
            ++counters_.session_refreshes_failed;
            continue;
        }
        // Seen from the UPDATE's sender, refresher=uac is us (§4).
        const std::string se =
            sip::format_session_expires({d.session_interval_s, sip::Refresher::uac});
        std::pair<std::string_view, std::string_view> extra[2] = {{"Supported", "timer"},
                                                                  {"Session-Expires", se}};
        const std::string branch = layer_->new_branch();
        std::string update = sip::build_in_dialog_request(
            d.dialog, {"UPDATE", sent_by_, branch, {}, contact_uri_, {}, std::span(extra, 2)});
        ++counters_.session_refreshes_sent;
        layer_->send_request(std::move(update), *hop, sip::Method::update, branch,
                             session_refresh_cookie, now);
        // The next one is armed by the 2xx; without one the caller ends the call (§10).
    }
}

void UasAgent::on_refresh_response(const sip::Message& response, sip::TimePoint now) {
    if (response.status() < 200) return;
    if (response.status() >= 300) {
        ++counters_.session_refreshes_failed;
        return;
    }
    ++counters_.session_refreshes_ok;
    // Our request: its From tag is our local tag.
    const std::string key = dialog_key(response.call_id(), response.from().tag());
    auto it = dialogs_.find(key);
    if (it == dialogs_.end()) return;
    CallDialog& d = it->second;
    if (auto se = sip::parse_session_expires(response.header("Session-Expires"))) {
        d.session_interval_s = se->interval_s;
        d.we_refresh = se->refresher != sip::Refresher::uas;  // uas: the caller takes over
    }
    if (d.we_refresh) arm_session_refresh(d, key, now);
}

}  // namespace pbxbench::uas
