#pragma once
// What happened to the calls of a batch: outcomes, status codes, timeouts and the raw
// latencies (microseconds) from which every percentile is computed.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "uac/midcall_stats.hpp"
#include "uac/subscriber_stats.hpp"

namespace pbxbench::uac {

enum class Outcome : std::uint8_t {
    completed,      // 2xx, then a 2xx to our BYE
    failed_status,  // a final non-2xx to the INVITE (other than the 487 of our own CANCEL)
    timeout,        // a transaction timed out (which one is in `timeouts`)
    transport_error,
    failed_bye,    // answered, but the BYE got a non-2xx
    cancelled,     // cancelled on purpose (--cancel-ratio)
    ring_timeout,  // no answer within --ring-timeout; cancelled
    interrupted,   // still active when the batch was stopped
    count_
};

struct OutcomeInfo {
    Outcome outcome;
    std::string_view id;           // the JSON/CSV key
    std::string_view description;  // the human label
};

// The one table of outcome counters: ids are JSON keys, descriptions are labels.
const std::array<OutcomeInfo, static_cast<std::size_t>(Outcome::count_)>& outcome_table();

struct CallStats {
    std::uint64_t attempted = 0;
    std::array<std::uint64_t, static_cast<std::size_t>(Outcome::count_)> outcomes{};
    std::map<int, std::uint64_t> final_status;      // final status codes of INVITEs
    std::map<std::string, std::uint64_t> timeouts;  // "invite:B", "bye:F", ...
    std::uint64_t auth_challenges = 0;
    std::uint64_t cancel_races = 0;                 // a 2xx crossed our CANCEL
    std::uint64_t late_provisionals = 0;            // a 1xx after the 2xx (harmless reordering)
    std::uint64_t media_unusable_answers = 0;       // a 2xx without an SDP answer we can use
    std::vector<std::uint32_t> setup_us;            // INVITE sent -> 2xx received
    std::vector<std::uint32_t> post_dial_delay_us;  // INVITE sent -> first 18x
    std::vector<std::uint32_t> bye_us;              // BYE sent -> its 2xx
    SubscriberStats subscribers;
    MidcallStats midcall;

    std::uint64_t count(Outcome o) const { return outcomes[static_cast<std::size_t>(o)]; }
    // Every ended call that did not go as planned (neither completed nor cancelled on purpose).
    std::uint64_t failed() const;
    void add(Outcome o) { ++outcomes[static_cast<std::size_t>(o)]; }

    // Adds another shard's calls: counts add up, raw latencies concatenate (exact percentiles).
    void merge(const CallStats& other);

    nlohmann::json outcomes_json() const;
    nlohmann::json latency_json() const;  // milliseconds
};

}  // namespace pbxbench::uac
