#pragma once
// What `pbxbench run` says about finished levels to a person at a terminal: one headline per
// level as it ends (the live view), and at the end a short table that fits 100 columns with the
// path of summary.md, which keeps every table (its lines run to 160 columns and more).
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pbxbench::harness {

// The widest line render_terminal_summary writes, paths aside.
inline constexpr std::size_t terminal_summary_columns = 100;

// "mediaproxy_none@20 ok: 20/20 calls, setup p95 12.30 ms, CPU/call 0.0123%, loss 0.00%"; a state
// other than ok in capitals ("INTERRUPTED") with no figures for a level cut short, since they would
// read as if the plan had been carried out.
std::string level_headline(const nlohmann::json& row);

// The level rows as a table (scenario@level, state, completed, setup p95, CPU per call, memory
// peak, loss), then where summary.md and report.html (when written) are.
std::string render_terminal_summary(const std::vector<nlohmann::json>& rows,
                                    const std::filesystem::path& summary_md,
                                    const std::filesystem::path& report_html);

}  // namespace pbxbench::harness
