#include "uac/call_stats.hpp"

#include <nlohmann/json.hpp>

#include "base/distribution.hpp"

namespace pbxbench::uac {

const std::array<OutcomeInfo, static_cast<std::size_t>(Outcome::count_)>& outcome_table() {
    static const std::array<OutcomeInfo, static_cast<std::size_t>(Outcome::count_)> table{{
        {Outcome::completed, "completed", "calls answered and ended by a clean BYE"},
        {Outcome::failed_status, "failed_status", "calls refused with a final non-2xx"},
        {Outcome::timeout, "timeout", "calls whose INVITE or BYE timed out"},
        {Outcome::transport_error, "transport_error", "calls the transport could not send"},
        {Outcome::failed_bye, "failed_bye", "answered calls whose BYE failed"},
        {Outcome::cancelled, "cancelled", "calls cancelled on purpose"},
        {Outcome::ring_timeout, "ring_timeout", "calls cancelled after the ring timeout"},
        {Outcome::interrupted, "interrupted", "calls still active when the batch stopped"},
    }};
    return table;
}

std::uint64_t CallStats::failed() const {
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        auto o = static_cast<Outcome>(i);
        if (o != Outcome::completed && o != Outcome::cancelled) n += outcomes[i];
    }
    return n;
}

void CallStats::merge(const CallStats& o) {
    attempted += o.attempted;
    for (std::size_t i = 0; i < outcomes.size(); ++i) outcomes[i] += o.outcomes[i];
    for (const auto& [code, n] : o.final_status) final_status[code] += n;
    for (const auto& [key, n] : o.timeouts) timeouts[key] += n;
    auth_challenges += o.auth_challenges;
    cancel_races += o.cancel_races;
    late_provisionals += o.late_provisionals;
    media_unusable_answers += o.media_unusable_answers;
    setup_us.insert(setup_us.end(), o.setup_us.begin(), o.setup_us.end());
    post_dial_delay_us.insert(post_dial_delay_us.end(), o.post_dial_delay_us.begin(),
                              o.post_dial_delay_us.end());
    bye_us.insert(bye_us.end(), o.bye_us.begin(), o.bye_us.end());
    subscribers.merge(o.subscribers);
    midcall.merge(o.midcall);
}

nlohmann::json CallStats::outcomes_json() const {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& info : outcome_table()) j[std::string(info.id)] = count(info.outcome);
    return j;
}

nlohmann::json CallStats::latency_json() const {
    constexpr double us_to_ms = 1e-3;
    return {{"setup_ms", to_json(summarize(setup_us, us_to_ms))},
            {"post_dial_delay_ms", to_json(summarize(post_dial_delay_us, us_to_ms))},
            {"bye_ms", to_json(summarize(bye_us, us_to_ms))}};
}

}  // namespace pbxbench::uac
