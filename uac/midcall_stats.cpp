#include "uac/midcall_stats.hpp"

#include <nlohmann/json.hpp>

#include "base/distribution.hpp"

namespace pbxbench::uac {

void ReinviteFlowStats::merge(const ReinviteFlowStats& o) {
    calls += o.calls;
    sent += o.sent;
    ok += o.ok;
    glare_491 += o.glare_491;
    failed += o.failed;
    timeouts += o.timeouts;
    unexpected_direction += o.unexpected_direction;
    abandoned += o.abandoned;
    for (const auto& [code, n] : o.failed_status) failed_status[code] += n;
    latency_us.insert(latency_us.end(), o.latency_us.begin(), o.latency_us.end());
    glare_delay_us.insert(glare_delay_us.end(), o.glare_delay_us.begin(), o.glare_delay_us.end());
}

nlohmann::json ReinviteFlowStats::to_json() const {
    constexpr double us_to_ms = 1e-3;
    nlohmann::json codes = nlohmann::json::object();
    for (const auto& [code, n] : failed_status) codes[std::to_string(code)] = n;
    return {{"calls", calls},
            {"sent", sent},
            {"ok", ok},
            {"glare_491", glare_491},
            {"failed", failed},
            {"failed_status", codes},
            {"timeouts", timeouts},
            {"unexpected_direction", unexpected_direction},
            {"abandoned", abandoned},
            {"latency_ms", pbxbench::to_json(summarize(latency_us, us_to_ms))},
            {"glare_delay_ms", pbxbench::to_json(summarize(glare_delay_us, us_to_ms))}};
}

void EarlyMediaStats::merge(const EarlyMediaStats& o) {
    calls += o.calls;
    calls_with_rtp += o.calls_with_rtp;
    packets_before_answer += o.packets_before_answer;
    answer_matched += o.answer_matched;
    answer_retargeted += o.answer_retargeted;
    answer_without_sdp += o.answer_without_sdp;
    first_rtp_us.insert(first_rtp_us.end(), o.first_rtp_us.begin(), o.first_rtp_us.end());
}

nlohmann::json EarlyMediaStats::to_json() const {
    return {{"calls", calls},
            {"calls_with_rtp", calls_with_rtp},
            {"packets_before_answer", packets_before_answer},
            {"answer_matched", answer_matched},
            {"answer_retargeted", answer_retargeted},
            {"answer_without_sdp", answer_without_sdp},
            {"first_rtp_ms", pbxbench::to_json(summarize(first_rtp_us, 1e-3))}};
}

void SessionTimerStats::merge(const SessionTimerStats& o) {
    calls += o.calls;
    negotiated += o.negotiated;
    we_refresh += o.we_refresh;
    retries_422 += o.retries_422;
    refreshes_sent += o.refreshes_sent;
    refreshes_ok += o.refreshes_ok;
    refreshes_failed += o.refreshes_failed;
    refreshes_received += o.refreshes_received;
    expired += o.expired;
    for (const auto& [code, n] : o.failed_status) failed_status[code] += n;
    refresh_latency_us.insert(refresh_latency_us.end(), o.refresh_latency_us.begin(),
                              o.refresh_latency_us.end());
}

nlohmann::json SessionTimerStats::to_json() const {
    nlohmann::json codes = nlohmann::json::object();
    for (const auto& [code, n] : failed_status) codes[std::to_string(code)] = n;
    return {{"calls", calls},
            {"negotiated", negotiated},
            {"we_refresh", we_refresh},
            {"retries_422", retries_422},
            {"refreshes_sent", refreshes_sent},
            {"refreshes_ok", refreshes_ok},
            {"refreshes_failed", refreshes_failed},
            {"failed_status", codes},
            {"refreshes_received", refreshes_received},
            {"expired", expired},
            {"refresh_latency_ms", pbxbench::to_json(summarize(refresh_latency_us, 1e-3))}};
}

void MidcallStats::merge(const MidcallStats& o) {
    session_timer.merge(o.session_timer);
    hold.merge(o.hold);
    resume.merge(o.resume);
    early_media.merge(o.early_media);
}

nlohmann::json MidcallStats::to_json() const {
    return {{"hold", hold.to_json()},
            {"resume", resume.to_json()},
            {"early_media", early_media.to_json()},
            {"session_timer", session_timer.to_json()}};
}

}  // namespace pbxbench::uac
