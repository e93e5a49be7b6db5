#pragma once
// The results of `pbxbench capacity` as data: one `"kind":"trial"` row per trial and one
// `"kind":"capacity"` row per scenario's search (capacity.jsonl), and summary.md rendered from
// those rows alone. Schema in docs/capacity.md.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/capacity_search.hpp"
#include "harness/capacity_slo.hpp"
#include "harness/capacity_trial.hpp"

namespace pbxbench::harness {

inline constexpr double planning_share = 0.7;  // capacity planning keeps 30% headroom

// What every row of one scenario's search shares.
struct SearchInfo {
    std::string scenario;
    std::string find;      // "cps" or "concurrent"
    std::string unit;      // "calls/s" or "calls"
    std::string sut_mode;  // "fresh" (a SUT per trial), "warm" (one for all), "attached"
    std::vector<Slo> slos;
    nlohmann::json config;  // the search's settings, echoed
};

struct TrialFacts {
    TrialRequest request;
    std::uint64_t calls = 0;
    double cps = 0;
    double hold_s = 0;
    bool media = false;
    double cost_s = 0;
    std::optional<double> retransmissions;         // SIP retransmissions the UAC sent
    bool aborted_early = false;                    // stopped once its failure budget was spent
    std::optional<SipMessageRate> sip_messages{};  // what the PBX handled, from our side
};

nlohmann::json build_trial_row(const SearchInfo& info, const TrialFacts& facts,
                               const TrialAssessment& assessment, const nlohmann::json& level_row,
                               const nlohmann::json& run);

// The result: the confirmed value (never more), 70% of it for planning, why the SUT broke
// above it (the failing trial closest above), the stop reason in words with how to fix it,
// and the search path.
nlohmann::json build_capacity_row(const SearchInfo& info, const CapacitySearch& search,
                                  const std::vector<nlohmann::json>& trial_rows, double elapsed_s,
                                  const nlohmann::json& run);

// summary.md: per scenario the result, the planning figure, why it broke, and the ladder of
// trials by offered value (rate, calls, success %, peak concurrent, SIP messages/s,
// retransmissions, timeouts,
// SUT CPU avg/peak, SUT memory, verdict, why).
std::string render_capacity_md(const std::vector<nlohmann::json>& rows, const nlohmann::json& run);

}  // namespace pbxbench::harness
