#include "uas/uas_message.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "base/distribution.hpp"
#include "sip/message_builder.hpp"
#include "sip/pbxbench_headers.hpp"
#include "uas/uas_agent.hpp"

namespace pbxbench::uas {

bool MessageInbox::receive(const sip::Message& message, sip::TimePoint now) {
    ++counts_.received;
    const std::string_view id = message.header(sip::id_header);
    if (!id.empty() && !seen_.emplace(id).second) {
        ++counts_.duplicates;
        return false;
    }
    ++counts_.delivered;
    const auto sent = sip::parse_stamp(message.header(sip::sent_header));
    if (!sent) {
        ++counts_.without_stamp;
        return true;
    }
    // A stamp from the future (another clock) would read as a negative latency: clamp to 0
    // rather than skew the distribution below zero.
    counts_.latency_ms.push_back(
        std::max(0.0, std::chrono::duration<double, std::milli>(now - *sent).count()));
    return true;
}

nlohmann::json messages_json(const std::vector<const MessageCounts*>& endpoints) {
    MessageCounts total;
    std::vector<std::uint64_t> per_endpoint;
    for (const MessageCounts* c : endpoints) {
        total.received += c->received;
        total.delivered += c->delivered;
        total.duplicates += c->duplicates;
        total.without_stamp += c->without_stamp;
        total.latency_ms.insert(total.latency_ms.end(), c->latency_ms.begin(), c->latency_ms.end());
        per_endpoint.push_back(c->delivered);
    }
    const auto [min, max] = std::minmax_element(per_endpoint.begin(), per_endpoint.end());
    return {{"received", total.received},
            {"delivered", total.delivered},
            {"duplicates", total.duplicates},
            {"without_stamp", total.without_stamp},
            {"delivered_per_endpoint", per_endpoint},
            {"delivered_min", per_endpoint.empty() ? 0 : *min},
            {"delivered_max", per_endpoint.empty() ? 0 : *max},
            {"latency_ms", to_json(summarize(total.latency_ms))}};
}

void UasAgent::on_message(sip::TransactionId id, const sip::Message& message, sip::TimePoint now) {
    inbox_.receive(message, now);
    // Out of dialog, so the response carries a To tag of its own (RFC 3261 §8.2.6.2).
    std::string to_tag = tag_prefix_;
    sip::append_uint(to_tag, ++tag_counter_);
    reply(id, message, config_.message_status, to_tag, now);
}

}  // namespace pbxbench::uas
