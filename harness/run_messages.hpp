#pragma once
// The MESSAGE load of `pbxbench run --messages N`: what the UAC is told, how long it may take,
// the level row's `messages` block (sent by the UAC against delivered by the UAS endpoints)
// and summary.md's "MESSAGE load" section. Apart from the call figures on purpose: a level's
// state is still its calls'; a MESSAGE lost or failed is listed in the row's `errors`.
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run_options.hpp"
#include "uac/uac_args.hpp"

namespace pbxbench::harness {

// Sets the UAC's --messages, --message-rate and --message-bytes from the run's options.
void configure_messages(uac::UacArgs& uac, const RunOptions& options);

// The row config's `messages`: {total, rate, bytes}; null without MESSAGEs.
nlohmann::json messages_config(const RunOptions& options);

// Seconds the MESSAGE schedule takes (0 without MESSAGEs).
double messages_seconds(const RunOptions& options);

// The row's `messages`: {sent, ok, failed, failures, latency_ms, counters} from the UAC's
// `methods.message`, {delivered, duplicates, received, delivery_latency_ms, delivered_min,
// delivered_max} from the UAS's `messages`, and `complete`: every MESSAGE answered 2xx and
// delivered exactly once. Null when the UAC sent none.
nlohmann::json messages_block(const nlohmann::json& uac_summary, const nlohmann::json& uas_summary);

// A line for the row's `errors` when MESSAGEs failed or were not delivered as sent, else "".
std::string messages_problem(const nlohmann::json& block);

// summary.md's "MESSAGE load" table, one line per level that sent MESSAGEs ("delivered X of
// Y"); nothing when none did.
void messages_section(std::ostream& out, const std::vector<const nlohmann::json*>& rows);

}  // namespace pbxbench::harness
