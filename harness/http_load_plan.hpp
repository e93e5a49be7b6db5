#pragma once
// The management-API load one level runs: the scenario's [[http_load]] entries and every
// `pbxbench run --http-load URL@RATE`, with ${VAR} substituted for that level's run.
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "harness/profile.hpp"
#include "monitor/http_load.hpp"

namespace pbxbench::harness {

// `--http-load URL@RATE`: GET URL at RATE requests/s, 1 s timeout, for every scenario. The URL
// may hold ${VAR}s (e.g. ${HTTP_PORT}), substituted like the profile's.
struct HttpLoadOption {
    std::string url;
    double rate_per_s = 0;
};

// Parses "URL@RATE" (split at the last '@'); errors say what was expected.
Result<HttpLoadOption> parse_http_load_option(std::string_view text);

// Checks every --http-load against every selected scenario's variables before anything starts.
Result<void> check_http_load_options(const Profile& profile,
                                     const std::vector<const ScenarioSpec*>& scenarios,
                                     const std::vector<HttpLoadOption>& options);

// The streams of one level: the scenario's entries in its order, then the options (named
// cli-1, cli-2, ...), each rendered with `vars` and validated.
Result<std::vector<monitor::HttpLoadSpec>> plan_http_load(
    const Profile& profile, const ScenarioSpec& scenario, const Variables& vars,
    const std::vector<HttpLoadOption>& options);

}  // namespace pbxbench::harness
