#include "harness/profile.hpp"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/http_load_profile.hpp"
#include "harness/profile_check.hpp"
#include "harness/toml_reader.hpp"
#include "uac/method_loads.hpp"

namespace pbxbench::harness {

using detail::ProfileError;
using detail::TableReader;

namespace {

int signal_field(TableReader& t, std::string_view key) {
    auto s = t.string(key);
    if (!s) return SIGTERM;
    auto sig = parse_signal(*s);
    if (!sig) t.error(key, sig.error().message);
    return *sig;
}

double grace_field(TableReader& t) {
    return t.number("stop_grace_s").value_or(5.0);
}

SutSpec read_sut(TableReader t) {
    SutSpec sut;
    sut.command = t.required_strings("command");
    sut.workdir = t.string("workdir").value_or("");
    sut.env = t.string_map("env").value_or(std::map<std::string, std::string>{});
    sut.stop_signal = signal_field(t, "stop_signal");
    sut.stop_grace_s = grace_field(t);
    sut.version_command = t.strings("version_command").value_or(Argv{});
    sut.error_pattern = t.string("error_pattern").value_or(sut.error_pattern);
    t.finish();
    return sut;
}

SipSpec read_sip(TableReader t) {
    SipSpec sip;
    sip.host = t.string("host").value_or(sip.host);
    // The port may be written as a number or as a string holding ${SIP_PORT}.
    sip.port = t.string_or_integer("port").value_or(sip.port);
    t.finish();
    return sip;
}

HealthSpec read_health(TableReader t) {
    HealthSpec h;
    h.url = t.required_string("url");
    h.method = t.string("method").value_or(h.method);
    h.body = t.string("body").value_or("");
    h.headers = t.strings("headers").value_or(std::vector<std::string>{});
    h.calls_pointer = t.string("calls_pointer").value_or("");
    h.calls_metric = t.string("calls_metric").value_or("");
    h.ready_pointer = t.string("ready_pointer").value_or("");
    h.ready_value = t.string("ready_value").value_or(h.ready_value);
    h.calls_label = t.string("calls_label").value_or(h.calls_label);
    if (!h.calls_pointer.empty() && !h.calls_metric.empty())
        t.error("calls_metric", "give calls_pointer or calls_metric, not both");
    for (const char* key : {"calls_pointer", "ready_pointer"}) {
        std::string v =
            key == std::string_view("calls_pointer") ? h.calls_pointer : h.ready_pointer;
        if (!v.empty() && v.front() != '/')
            t.error(key, "expected a JSON pointer like /result/all");
    }
    t.finish();
    return h;
}

ReadinessSpec read_readiness(TableReader t) {
    ReadinessSpec r;
    r.timeout_s = t.number("timeout_s").value_or(r.timeout_s);
    r.sip_options = t.boolean("sip_options").value_or(r.sip_options);
    r.health = t.boolean("health").value_or(r.health);
    r.options_auth_ok = t.boolean("options_auth_ok").value_or(r.options_auth_ok);
    t.finish();
    return r;
}

SidecarReady read_ready(TableReader& parent) {
    SidecarReady ready;
    auto t = parent.table("ready");
    if (!t) return ready;
    int given = 0;
    auto take = [&](SidecarReady::Kind kind, std::optional<std::string> value) {
        if (!value) return;
        ready = SidecarReady{kind, *value};
        ++given;
    };
    take(SidecarReady::Kind::udp_port, t->string_or_integer("udp_port"));
    take(SidecarReady::Kind::tcp_port, t->string_or_integer("tcp_port"));
    take(SidecarReady::Kind::log_contains, t->string("log_contains"));
    t->finish();
    if (given != 1)
        parent.error("ready", "expected exactly one of udp_port, tcp_port, log_contains");
    return ready;
}

SidecarSpec read_sidecar(TableReader t) {
    SidecarSpec s;
    s.name = t.required_string("name");
    s.command = t.required_strings("command");
    s.env = t.string_map("env").value_or(std::map<std::string, std::string>{});
    s.ready = read_ready(t);
    s.scenarios = t.strings("scenarios").value_or(std::vector<std::string>{});
    s.stop_signal = signal_field(t, "stop_signal");
    s.stop_grace_s = grace_field(t);
    t.finish();
    return s;
}

SetupSpec read_setup(TableReader t) {
    SetupSpec s;
    s.name = t.string("name").value_or("");
    s.command = t.required_strings("command");
    s.scenarios = t.strings("scenarios").value_or(std::vector<std::string>{});
    s.timeout_s = t.number("timeout_s").value_or(s.timeout_s);
    if (s.name.empty() && !s.command.empty()) s.name = s.command.front();
    t.finish();
    return s;
}

UsersSpec read_users(TableReader t) {
    UsersSpec u;
    u.password = t.string("password").value_or("");
    auto names = t.strings("names");
    auto count = t.number("count");
    auto prefix = t.string("prefix").value_or("");
    auto first = static_cast<long>(t.number("first").value_or(1000));
    if (names && count) t.error("count", "give names or count (with prefix/first), not both");
    if (names) u.names = *names;
    for (long i = 0; count && i < static_cast<long>(*count); ++i)
        u.names.push_back(prefix + std::to_string(first + i));
    // callers/callees: a count, or a list of names drawn from the users.
    auto side = [&](std::string_view key, std::optional<std::uint64_t>& n,
                    std::vector<std::string>& list) {
        if (t.holds_array(key)) {
            list = t.strings(key).value_or(std::vector<std::string>{});
            if (list.empty()) t.error(key, "must not be empty (or give a count)");
            std::set<std::string> known(u.names.begin(), u.names.end()), seen;
            for (std::size_t i = 0; i < list.size(); ++i) {
                if (!known.contains(list[i]))
                    t.error(key, "'" + list[i] + "' (item " + std::to_string(i + 1) +
                                     ") is not one of the " + std::to_string(u.names.size()) +
                                     " users");
                if (!seen.insert(list[i]).second) t.error(key, "'" + list[i] + "' is listed twice");
            }
        } else if (auto v = t.number(key)) {
            if (*v < 1 || *v != static_cast<double>(static_cast<std::uint64_t>(*v)))
                t.error(key, "expected a whole number of users >= 1 or a list of names");
            n = static_cast<std::uint64_t>(*v);
        }
    };
    side("callers", u.callers_count, u.callers);
    side("callees", u.callees_count, u.callees);
    if (auto m = t.string("mapping")) {
        auto mapping = uac::parse_call_mapping(*m);
        if (!mapping) t.error("mapping", mapping.error().message);
        u.mapping = *mapping;
    }
    if (auto seed = t.number("seed")) u.seed = static_cast<std::uint64_t>(*seed);
    u.callers_register = t.boolean("callers_register").value_or(false);
    u.passwords = t.string_map("passwords").value_or(std::map<std::string, std::string>{});
    for (const auto& [user, pw] : u.passwords) {
        if (std::find(u.names.begin(), u.names.end(), user) == u.names.end())
            t.error("passwords", "'" + user + "' is not one of the " +
                                     std::to_string(u.names.size()) + " users");
    }
    const std::uint64_t wanted =
        (u.callers.empty() ? u.callers_count.value_or(0) : u.callers.size()) +
        (u.callees.empty() ? u.callees_count.value_or(0) : u.callees.size());
    if ((u.callers_count || u.callees_count) && wanted > u.names.size())
        t.error(
            u.callees_count || !u.callees.empty() ? "callees" : "callers",
            "callers " +
                std::to_string(u.callers.empty() ? u.callers_count.value_or(0) : u.callers.size()) +
                " + callees " +
                std::to_string(u.callees.empty() ? u.callees_count.value_or(0) : u.callees.size()) +
                " need " + std::to_string(wanted) + " users, but there are " +
                std::to_string(u.names.size()));
    t.finish();
    return u;
}

ScenarioSpec read_scenario(TableReader t, const std::vector<HttpLoadEntrySpec>& http_load) {
    ScenarioSpec s;
    s.name = t.required_string("name");
    s.description = t.string("description").value_or("");
    s.args = t.strings("args").value_or(Argv{});
    s.vars = t.string_map("vars").value_or(std::map<std::string, std::string>{});
    s.sidecars = t.strings("sidecars").value_or(std::vector<std::string>{});
    s.callers_register = t.boolean("callers_register");
    detail::read_scenario_http_load(t, s, http_load);
    s.workload = t.string("workload").value_or("");
    t.finish();
    return s;
}

// One [workloads.NAME] table: `pbxbench uac`'s method-load options with underscores.
uac::MethodLoadArgs read_workload(TableReader t) {
    uac::MethodLoadArgs w;
    w.mix = t.string("mix").value_or("");
    if (!w.mix.empty())
        if (auto mix = uac::parse_mix(w.mix); !mix) t.error("mix", mix.error().message);
    w.rate = t.number("rate").value_or(0);
    w.register_rate = t.number("register_rate").value_or(0);
    w.register_users = static_cast<std::uint64_t>(t.number("register_users").value_or(0));
    w.register_expires_s = static_cast<int>(t.number("register_expires").value_or(3600));
    if (w.register_expires_s < 1) t.error("register_expires", "expected seconds >= 1");
    w.refresh_at = t.number("refresh_at").value_or(0);
    if (w.refresh_at > 0.95) t.error("refresh_at", "expected a fraction of the expiry up to 0.95");
    w.options_rate = t.number("options_rate").value_or(0);
    w.options_to = t.string("options_to").value_or("both");
    if (w.options_to != "pbx" && w.options_to != "users" && w.options_to != "both")
        t.error("options_to", "expected pbx, users or both, got '" + w.options_to + "'");
    w.load_duration_s = t.number("load_duration").value_or(0);
    t.finish();  // an unknown (misspelt) key first: it explains a missing rate best
    if (!w.mix.empty() && !(w.rate > 0)) t.error("rate", "a mix divides `rate`: give rate > 0");
    if (w.mix.empty() && !(w.register_rate > 0) && !(w.options_rate > 0))
        t.error("register_rate",
                "a workload needs `mix` and `rate`, or register_rate / options_rate");
    return w;
}

// Reads every section, each in its own guard: an error in [sut] does not hide one in
// [[scenarios]]. Every error found goes to `errors`.
Profile read_profile(const toml::table& root, const std::filesystem::path& file,
                     detail::ProfileErrors& errors) {
    Profile p;
    p.file = file;
    p.dir = file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
    TableReader t(root, file.string(), "", errors);
    p.name = t.required_string("name");
    p.description = t.string("description").value_or("");
    errors.guard([&] {
        auto sut = t.table("sut");
        if (!sut) t.error("sut", "missing (expected a [sut] table with at least `command`)");
        p.sut = read_sut(*sut);
    });
    errors.guard([&] {
        if (auto sip = t.table("sip")) p.sip = read_sip(*sip);
    });
    errors.guard([&] {
        if (auto health = t.table("health")) p.health = read_health(*health);
    });
    errors.guard([&] {
        if (auto readiness = t.table("readiness")) p.readiness = read_readiness(*readiness);
    });
    for (auto& tt : t.tables("templates")) {
        errors.guard([&] {
            TemplateSpec spec;
            spec.source_text = tt.required_string("source");
            spec.source = std::filesystem::path(spec.source_text).is_absolute()
                              ? std::filesystem::path(spec.source_text)
                              : p.dir / spec.source_text;
            spec.target = tt.required_string("target");
            if (spec.target.find('/') != std::string::npos)
                tt.error("target", "expected a file name (no '/'), got " + spec.target);
            tt.finish();
            if (!spec.source_text.empty()) p.templates.push_back(spec);
        });
    }
    for (auto& st : t.tables("sidecars"))
        errors.guard([&] { p.sidecars.push_back(read_sidecar(st)); });
    for (auto& st : t.tables("setup")) errors.guard([&] { p.setup.push_back(read_setup(st)); });
    for (auto& st : t.tables("collect")) errors.guard([&] { p.collect.push_back(read_setup(st)); });
    p.ports = t.strings("ports").value_or(std::vector<std::string>{});
    errors.guard([&] {
        if (auto users = t.table("users")) p.users = read_users(*users);
    });
    p.vars = t.string_map("vars").value_or(std::map<std::string, std::string>{});
    errors.guard([&] {
        const toml::table* workloads = root["workloads"].as_table();
        if (!workloads) return;
        t.table("workloads");  // read: not an unknown key
        for (const auto& [name, node] : *workloads) {
            const std::string key(name.str());
            const toml::table* wt = node.as_table();
            if (!wt) t.error("workloads", "'" + key + "' must be a table: [workloads." + key + "]");
            errors.guard([&] {
                p.workloads[key] =
                    read_workload(TableReader(*wt, file.string(), "workloads." + key, errors));
            });
        }
    });
    for (auto& st : t.tables("http_load"))
        errors.guard([&] { p.http_load.push_back(detail::read_http_load_entry(st)); });
    for (auto& st : t.tables("scenarios"))
        errors.guard([&] { p.scenarios.push_back(read_scenario(st, p.http_load)); });
    if (p.scenarios.empty() && !t.holds_array("scenarios"))
        t.report("scenarios", "missing (expected at least one [[scenarios]] table)");
    for (std::size_t i = 0; i < p.scenarios.size(); ++i) {
        const std::string& w = p.scenarios[i].workload;
        if (!w.empty() && !p.workloads.count(w)) {
            std::string known;
            for (const auto& [name, _] : p.workloads) known += (known.empty() ? "" : ", ") + name;
            t.report("scenarios",
                     "[" + std::to_string(i + 1) + "] workload '" + w +
                         "' is not defined; defined: " +
                         (known.empty() ? "none (add a [workloads." + w + "] table)" : known));
        }
    }
    if (p.readiness.health && !p.health)
        t.report("readiness", "health = true needs a [health] table");
    t.finish();
    detail::check_profile(p, errors);
    errors.guard([&] { detail::check_http_load(p); });
    return p;
}

}  // namespace

const ScenarioSpec* Profile::find_scenario(std::string_view scenario) const {
    for (const auto& s : scenarios)
        if (s.name == scenario) return &s;
    return nullptr;
}

const SidecarSpec* Profile::find_sidecar(std::string_view sidecar) const {
    for (const auto& s : sidecars)
        if (s.name == sidecar) return &s;
    return nullptr;
}

std::vector<const SidecarSpec*> Profile::sidecars_for(const ScenarioSpec& scenario) const {
    std::vector<const SidecarSpec*> out;
    for (const auto& s : sidecars) {
        bool wanted =
            std::find(scenario.sidecars.begin(), scenario.sidecars.end(), s.name) !=
                scenario.sidecars.end() ||
            std::find(s.scenarios.begin(), s.scenarios.end(), scenario.name) != s.scenarios.end();
        if (wanted) out.push_back(&s);
    }
    return out;
}

namespace {

std::vector<const SetupSpec*> steps_for(const std::vector<SetupSpec>& steps,
                                        const ScenarioSpec& scenario) {
    std::vector<const SetupSpec*> out;
    for (const auto& s : steps) {
        if (s.scenarios.empty() ||
            std::find(s.scenarios.begin(), s.scenarios.end(), scenario.name) != s.scenarios.end())
            out.push_back(&s);
    }
    return out;
}

}  // namespace

std::vector<const SetupSpec*> Profile::setup_for(const ScenarioSpec& scenario) const {
    return steps_for(setup, scenario);
}

std::vector<const SetupSpec*> Profile::collect_for(const ScenarioSpec& scenario) const {
    return steps_for(collect, scenario);
}

const std::vector<std::string>& builtin_variable_names() {
    static const std::vector<std::string> names = {
        "SIP_PORT", "HTTP_PORT",   "RTPENGINE_NG_PORT",  "RTPENGINE_CLI_PORT",
        "RUN_DIR",  "PROFILE_DIR", "EXTENSION_PASSWORD", "SCENARIO"};
    return names;
}

Result<Profile> parse_profile(std::string_view text, const std::filesystem::path& file) {
    try {
        toml::table root = toml::parse(text, file.string());
        detail::ProfileErrors errors;
        Profile p = read_profile(root, file, errors);
        // One error reads as before; several get a count first, then one per line.
        if (errors.count() == 1) return fail(errors.text());
        if (!errors.empty())
            return fail(std::to_string(errors.count()) + " errors in " + file.string() + ":\n" +
                        errors.text());
        return p;
    } catch (const toml::parse_error& e) {
        const auto& begin = e.source().begin;
        return fail(file.string() + ":" + std::to_string(begin.line) + ":" +
                    std::to_string(begin.column) +
                    ": TOML syntax error: " + std::string(e.description()));
    } catch (const ProfileError& e) {
        return fail(e.what());
    }
}

Result<Profile> load_profile(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(file.string() + ": cannot read the profile: " + strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return parse_profile(text.str(), file);
}

Result<std::vector<const ScenarioSpec*>> select_scenarios(const Profile& profile,
                                                          std::string_view selection) {
    std::vector<const ScenarioSpec*> out;
    if (selection == "all" || selection.empty()) {
        for (const auto& s : profile.scenarios) out.push_back(&s);
        return out;
    }
    std::string known;
    for (const auto& s : profile.scenarios) known += (known.empty() ? "" : ", ") + s.name;
    std::stringstream list{std::string(selection)};
    std::string name;
    while (std::getline(list, name, ',')) {
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        if (name.empty()) continue;
        const ScenarioSpec* s = profile.find_scenario(name);
        if (!s) {
            return fail("unknown scenario '" + name + "' in profile " + profile.name + " (" +
                        profile.file.string() + "); known scenarios: " + known + ", or all");
        }
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
    if (out.empty()) return fail("no scenario selected; known scenarios: " + known + ", or all");
    return out;
}

Result<int> parse_signal(std::string_view signal) {
    std::string s(signal);
    if (s.starts_with("SIG")) s = s.substr(3);
    static const std::pair<const char*, int> names[] = {
        {"TERM", SIGTERM}, {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"HUP", SIGHUP},
        {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}};
    for (const auto& [name, number] : names)
        if (s == name) return number;
    char* end = nullptr;
    long n = std::strtol(s.c_str(), &end, 10);
    if (!s.empty() && *end == '\0' && n > 0 && n < 65) return static_cast<int>(n);
    return fail("expected a signal name such as \"TERM\", \"INT\" or \"QUIT\", got \"" +
                std::string(signal) + "\"");
}

Result<std::filesystem::path> resolve_command(const std::string& command) {
    if (command.empty()) return fail("command not found: (empty)");
    if (command.find('/') != std::string::npos) {
        if (::access(command.c_str(), X_OK) == 0) return std::filesystem::path(command);
        return fail("command not found: " + command + " (" + strerror(errno) + ")");
    }
    const char* path_env = std::getenv("PATH");
    // Debian keeps daemons such as kamailio in /usr/sbin, which a user's PATH may lack.
    std::string path = std::string(path_env ? path_env : "/usr/local/bin:/usr/bin:/bin") +
                       ":/usr/local/sbin:/usr/sbin:/sbin";
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (dir.empty()) continue;
        std::filesystem::path candidate = std::filesystem::path(dir) / command;
        std::error_code ec;
        if (std::filesystem::is_regular_file(candidate, ec) &&
            ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return fail("command not found: " + command +
                " (searched PATH and the sbin folders; is it installed?)");
}

}  // namespace pbxbench::harness
