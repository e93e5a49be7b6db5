#pragma once
// A SUT profile: how to start a PBX (and its sidecars) for each benchmark scenario, how to tell
// it is ready, and what it serves. Loaded from TOML; the format is documented in docs/profiles.md.
// Strings keep their ${VAR} references here; scenario_plan.hpp substitutes them for one run.
#include <filesystem>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "harness/template.hpp"
#include "uac/method_load_args.hpp"
#include "uac/population.hpp"

namespace pbxbench::harness {

using Argv = std::vector<std::string>;

struct SutSpec {
    Argv command;                                // argv, never a shell string; [0] resolved via PATH
    std::string workdir;                         // empty: the scenario's run dir
    std::map<std::string, std::string> env;      // added to (or replacing in) the inherited environment
    int stop_signal = 15;                        // SIGTERM
    double stop_grace_s = 5;
    Argv version_command;                        // optional: prints the SUT's version
    // A line of the SUT's log holding this text counts as an error line (results: sut_log);
    // empty: the log is not scanned.
    std::string error_pattern = "ERROR";
};

struct SipSpec {
    std::string host = "127.0.0.1";
    std::string port = "${SIP_PORT}";            // a number, or ${SIP_PORT}: a free port per run
};

// Where the SUT reports health and its active-call count; mirrors monitor::HealthConfig.
struct HealthSpec {
    std::string url;
    std::string method = "GET";
    std::string body;
    std::vector<std::string> headers;            // "Name: value"
    std::string calls_pointer;                   // JSON pointer to the call count ...
    std::string calls_metric;                    // ... or a Prometheus metric name
    std::string ready_pointer;                   // optional JSON field that must equal ready_value
    std::string ready_value = "true";
    // What the count is, in a word or two, for the live view: "dialogs", "channels".
    std::string calls_label = "calls";
};

struct ReadinessSpec {
    double timeout_s = 30;
    bool sip_options = true;                     // answered OPTIONS with 200
    bool health = false;                         // health endpoint healthy (needs [health])
    bool options_auth_ok = false;                // a 401/407 to OPTIONS counts as alive
};

struct TemplateSpec {
    std::filesystem::path source;                // absolute (resolved against the profile's folder)
    std::string source_text;                     // as written in the profile
    std::string target;                          // file name inside the run dir
};

// What makes a sidecar ready: something bound to a UDP/TCP port, or a line in its log.
struct SidecarReady {
    enum class Kind { none, udp_port, tcp_port, log_contains };
    Kind kind = Kind::none;
    std::string value;                           // the port (may be ${VAR}) or the log text
};

struct SidecarSpec {
    std::string name;
    Argv command;
    std::map<std::string, std::string> env;
    SidecarReady ready;
    std::vector<std::string> scenarios;          // declared in the sidecar; merged with scenario lists
    int stop_signal = 15;
    double stop_grace_s = 5;
};

// A command run to completion in the run dir: a [[setup]] step before the SUT starts (e.g.
// creating a database), or a [[collect]] step after the calls, while the SUT still runs,
// whose last line of output is recorded in the results (e.g. counting rows it stored).
struct SetupSpec {
    std::string name;
    Argv command;
    std::vector<std::string> scenarios;          // empty: every scenario
    double timeout_s = 30;
};

struct UsersSpec {
    std::vector<std::string> names;              // explicit names, or generated from prefix/first/count
    std::string password;
    // Who calls whom (docs/profiles.md "[users]"): a count takes users in order (callers
    // first, then callees, disjoint); a list names users. Unset: 1 caller, --endpoints callees.
    std::optional<std::uint64_t> callers_count;
    std::optional<std::uint64_t> callees_count;
    std::vector<std::string> callers;            // named callers (set instead of callers_count)
    std::vector<std::string> callees;
    uac::CallMapping mapping = uac::CallMapping::round_robin;
    std::uint64_t seed = 1;                      // for mapping = "random"; recorded in the row
    bool callers_register = false;               // callers REGISTER before the level
    std::map<std::string, std::string> passwords;  // per-user overrides of `password`
};

// A stream of management-API requests sent while a scenario's calls run ([[http_load]],
// docs/profiles.md); the strings keep their ${VAR} references.
struct HttpLoadEntrySpec {
    std::string name;
    std::string url;
    std::string method = "GET";
    std::string body;
    std::vector<std::string> headers;  // "Name: value"
    double rate_per_s = 1;
    std::uint64_t timeout_ms = 1000;  // per request, connect included
    std::uint64_t max_in_flight = 0;  // 0: rate x timeout + 1
    std::uint64_t max_requests = 0;   // 0: until the level's calls end
    double duration_s = 0;            // 0: until the level's calls end
};

struct ScenarioSpec {
    std::string name;
    std::string description;
    Argv args;                                   // appended to the SUT command
    std::map<std::string, std::string> vars;
    std::vector<std::string> sidecars;           // names of sidecars this scenario needs
    std::optional<bool> callers_register;        // overrides [users].callers_register
    std::vector<std::string> http_load;          // names of [[http_load]] run beside the calls
    std::string http_load_baseline;              // scenario compared with this one in summary.md
    std::string workload;  // a [workloads.NAME] run beside the calls; empty: calls only
};

struct Profile {
    std::filesystem::path file;                  // the TOML file it was loaded from
    std::filesystem::path dir;                   // its folder: templates are relative to it
    std::string name;
    std::string description;
    SutSpec sut;
    SipSpec sip;
    std::optional<HealthSpec> health;
    ReadinessSpec readiness;
    std::vector<TemplateSpec> templates;
    std::vector<SidecarSpec> sidecars;
    std::vector<SetupSpec> setup;
    std::vector<SetupSpec> collect;
    std::vector<std::string> ports;  // extra variables that get a free port per run
    UsersSpec users;
    std::map<std::string, std::string> vars;
    std::vector<ScenarioSpec> scenarios;
    std::vector<HttpLoadEntrySpec> http_load;
    // Method loads (REGISTER, OPTIONS, mixes) a scenario may run beside its calls, by name
    // (docs/profiles.md "[workloads.NAME]"); the fields are `pbxbench uac`'s options.
    std::map<std::string, uac::MethodLoadArgs> workloads;

    const ScenarioSpec* find_scenario(std::string_view scenario) const;
    const SidecarSpec* find_sidecar(std::string_view sidecar) const;
    // The sidecars `scenario` needs, in profile order: its own list plus those naming it.
    std::vector<const SidecarSpec*> sidecars_for(const ScenarioSpec& scenario) const;
    // The setup steps that apply to `scenario`, in profile order.
    std::vector<const SetupSpec*> setup_for(const ScenarioSpec& scenario) const;
    // The collect steps that apply to `scenario`, in profile order.
    std::vector<const SetupSpec*> collect_for(const ScenarioSpec& scenario) const;
};

// The variables every profile may use without declaring them; their values come per run.
const std::vector<std::string>& builtin_variable_names();

// Loads and validates a profile. Errors name the file, the line:column when known, the field
// (e.g. `scenarios[1].sidecars[0]`) and what was expected. Checks that the SUT and sidecar
// commands exist on PATH and that every ${VAR} in strings and templates is defined.
Result<Profile> load_profile(const std::filesystem::path& file);

// Same, from text; `file` is used for messages and to resolve relative paths.
Result<Profile> parse_profile(std::string_view text, const std::filesystem::path& file);

// "all" or a comma-separated list of scenario names (in the order given, duplicates dropped).
// An unknown name is an error listing the known ones.
Result<std::vector<const ScenarioSpec*>> select_scenarios(const Profile& profile, std::string_view selection);

// Names `signal` ("TERM", "SIGTERM", "15") as a signal number, or an error.
Result<int> parse_signal(std::string_view signal);

// Finds `command` on PATH (or checks it, when it contains a '/'); "command not found: X" if not.
Result<std::filesystem::path> resolve_command(const std::string& command);

}  // namespace pbxbench::harness
