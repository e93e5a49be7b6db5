#pragma once
// What an endpoint's MESSAGE inbox saw (RFC 3428 page mode): each MESSAGE that created a
// server transaction, matched by the sender's X-Pbxbench-Id, so a copy that got through
// twice (a retransmission after the transaction ended, a proxy that forked it) counts as a
// duplicate, not a second delivery; and the delivery latency, our now minus the sender's
// X-Pbxbench-Sent stamp (one steady clock on one machine, sip/pbxbench_headers.hpp).
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "sip/message.hpp"
#include "sip/transaction_layer.hpp"

namespace pbxbench::uas {

struct MessageCounts {
    std::uint64_t received = 0;       // MESSAGE server transactions (retransmissions absorbed)
    std::uint64_t delivered = 0;      // distinct ids (a MESSAGE without an id counts once each)
    std::uint64_t duplicates = 0;     // an id seen before
    std::uint64_t without_stamp = 0;  // delivered without a usable X-Pbxbench-Sent
    std::vector<double> latency_ms;   // per delivered MESSAGE with a stamp
};

class MessageInbox {
  public:
    // Records one MESSAGE received at `now`; false when its id was seen before (a duplicate).
    bool receive(const sip::Message& message, sip::TimePoint now);
    const MessageCounts& counts() const { return counts_; }

  private:
    MessageCounts counts_;
    std::unordered_set<std::string> seen_;
};

// The `messages` object of the UAS's stats and summary lines, from every endpoint's counts
// (in endpoint order): received, delivered, duplicates, without_stamp, delivered_per_endpoint
// (the list, plus min and max), latency_ms {count, mean, min, p50, p90, p95, p99, max}.
nlohmann::json messages_json(const std::vector<const MessageCounts*>& endpoints);

}  // namespace pbxbench::uas
