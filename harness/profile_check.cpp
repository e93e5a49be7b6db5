#include "harness/profile_check.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/toml_reader.hpp"

namespace pbxbench::harness::detail {

namespace {

class Checker {
  public:
    Checker(const Profile& p, ProfileErrors& errors)
        : p_(p), file_(p.file.string()), errors_(errors) {}

    void error(const std::string& field, const std::string& message) const {
        errors_.add(file_ + ": " + field + ": " + message);
    }

    void names() const {
        std::set<std::string> seen;
        for (std::size_t i = 0; i < p_.scenarios.size(); ++i) {
            const auto& name = p_.scenarios[i].name;
            if (!seen.insert(name).second)
                error(at("scenarios", i) + ".name",
                      "duplicate scenario name '" + name + "'; names must be unique");
        }
        seen.clear();
        for (std::size_t i = 0; i < p_.sidecars.size(); ++i) {
            const auto& name = p_.sidecars[i].name;
            if (!seen.insert(name).second)
                error(at("sidecars", i) + ".name",
                      "duplicate sidecar name '" + name + "'; names must be unique");
        }
    }

    void references() const {
        std::string sidecar_names = list(p_.sidecars);
        std::string scenario_names = list(p_.scenarios);
        for (std::size_t i = 0; i < p_.scenarios.size(); ++i) {
            const auto& refs = p_.scenarios[i].sidecars;
            for (std::size_t j = 0; j < refs.size(); ++j) {
                if (!p_.find_sidecar(refs[j]))
                    error(at("scenarios", i) + at(".sidecars", j),
                          "no sidecar named '" + refs[j] + "'; defined sidecars: " + sidecar_names);
            }
        }
        auto check_scenarios = [&](const std::vector<std::string>& refs, const std::string& field) {
            for (std::size_t j = 0; j < refs.size(); ++j) {
                if (!p_.find_scenario(refs[j]))
                    error(field + at(".scenarios", j),
                          "no scenario named '" + refs[j] +
                              "'; defined scenarios: " + scenario_names);
            }
        };
        for (std::size_t i = 0; i < p_.sidecars.size(); ++i)
            check_scenarios(p_.sidecars[i].scenarios, at("sidecars", i));
        for (std::size_t i = 0; i < p_.setup.size(); ++i)
            check_scenarios(p_.setup[i].scenarios, at("setup", i));
        for (std::size_t i = 0; i < p_.collect.size(); ++i)
            check_scenarios(p_.collect[i].scenarios, at("collect", i));
        const auto& builtins = builtin_variable_names();
        for (std::size_t i = 0; i < p_.ports.size(); ++i) {
            const std::string& name = p_.ports[i];
            if (std::find(builtins.begin(), builtins.end(), name) != builtins.end())
                error(at("ports", i), "'" + name + "' is a built-in variable already");
            else if (name.empty() ||
                     name.find_first_not_of(
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
                         std::string::npos ||
                     std::isdigit(static_cast<unsigned char>(name.front())))
                error(at("ports", i),
                      "expected a variable name such as PG_PORT, got '" + name + "'");
        }
    }

    void commands() const {
        command(p_.sut.command, "sut.command[0]");
        if (!p_.sut.version_command.empty())
            command(p_.sut.version_command, "sut.version_command[0]");
        for (std::size_t i = 0; i < p_.sidecars.size(); ++i)
            command(p_.sidecars[i].command, at("sidecars", i) + ".command[0]");
        for (std::size_t i = 0; i < p_.setup.size(); ++i)
            command(p_.setup[i].command, at("setup", i) + ".command[0]");
        for (std::size_t i = 0; i < p_.collect.size(); ++i)
            command(p_.collect[i].command, at("collect", i) + ".command[0]");
    }

    void variables() const {
        for (const auto& scenario : p_.scenarios) {
            Variables vars = declared_variables(p_, scenario);
            std::string suffix = " (in scenario " + scenario.name + ")";
            auto strings = [&](const std::vector<std::string>& v, const std::string& field) {
                for (std::size_t i = 0; i < v.size(); ++i)
                    one(v[i], field + "[" + std::to_string(i) + "]", vars, suffix);
            };
            auto map = [&](const std::map<std::string, std::string>& m, const std::string& field) {
                for (const auto& [k, v] : m) one(v, field + "." + k, vars, suffix);
            };
            strings(p_.sut.command, "sut.command");
            strings(scenario.args, "scenarios." + scenario.name + ".args");
            map(p_.sut.env, "sut.env");
            one(p_.sut.workdir, "sut.workdir", vars, suffix);
            one(p_.sip.host, "sip.host", vars, suffix);
            one(p_.sip.port, "sip.port", vars, suffix);
            if (p_.health) {
                one(p_.health->url, "health.url", vars, suffix);
                one(p_.health->body, "health.body", vars, suffix);
                one(p_.health->calls_pointer, "health.calls_pointer", vars, suffix);
                one(p_.health->calls_metric, "health.calls_metric", vars, suffix);
                strings(p_.health->headers, "health.headers");
            }
            for (const SidecarSpec* s : p_.sidecars_for(scenario)) {
                strings(s->command, "sidecars." + s->name + ".command");
                map(s->env, "sidecars." + s->name + ".env");
                one(s->ready.value, "sidecars." + s->name + ".ready", vars, suffix);
            }
            for (const SetupSpec* s : p_.setup_for(scenario))
                strings(s->command, "setup." + s->name + ".command");
            for (const SetupSpec* s : p_.collect_for(scenario))
                strings(s->command, "collect." + s->name + ".command");
            for (std::size_t i = 0; i < p_.templates.size(); ++i) template_file(i, vars, suffix);
        }
    }

  private:
    static std::string at(const std::string& field, std::size_t i) {
        return field + "[" + std::to_string(i) + "]";
    }

    template <class T>
    static std::string list(const std::vector<T>& items) {
        std::string out;
        for (const auto& item : items) out += (out.empty() ? "" : ", ") + item.name;
        return out.empty() ? "none" : out;
    }

    void command(const Argv& argv, const std::string& field) const {
        // A command named through a variable can only be checked once the run assigns it.
        if (argv.empty() || argv.front().find("${") != std::string::npos) return;
        auto r = resolve_command(argv.front());
        if (!r) error(field, r.error().message);
    }

    void one(const std::string& text, const std::string& field, const Variables& vars,
             const std::string& suffix) const {
        auto r = render_template(text, vars, "value");
        if (!r) error(field, r.error().message + suffix);
    }

    void template_file(std::size_t i, const Variables& vars, const std::string& suffix) const {
        const TemplateSpec& t = p_.templates[i];
        std::ifstream in(t.source, std::ios::binary);
        if (!in) {
            error(at("templates", i) + ".source", unreadable_template(t));
            return;
        }
        std::ostringstream text;
        text << in.rdbuf();
        auto r = render_template(text.str(), vars, "template " + t.source.string());
        if (!r) error(at("templates", i), r.error().message + suffix);
    }

    // Why a template cannot be read, where it was looked for, and what to do: a profile
    // copied without its folder of templates is the usual cause.
    std::string unreadable_template(const TemplateSpec& t) const {
        const std::string why = std::strerror(errno);
        std::string message = "cannot read template " + t.source.string() + " (" + why + ")";
        if (std::filesystem::path(t.source_text).is_absolute()) return message;
        const std::filesystem::path written(t.source_text);
        const std::string what = written.has_parent_path()
                                     ? "its folder '" + written.begin()->string() + "/'"
                                     : "'" + t.source_text + "'";
        return message + ": templates are resolved against the profile's folder (" +
               p_.dir.string() + "); a copied profile needs " + what +
               " copied next to it too, or an absolute source path";
    }

    const Profile& p_;
    std::string file_;
    ProfileErrors& errors_;
};

}  // namespace

Variables declared_variables(const Profile& profile, const ScenarioSpec& scenario) {
    Variables vars;
    for (const auto& name : builtin_variable_names()) vars[name] = "";
    for (const auto& name : profile.ports) vars[name] = "";
    for (const auto& [k, v] : profile.vars) vars[k] = v;
    for (const auto& [k, v] : scenario.vars) vars[k] = v;
    return vars;
}

void check_profile(const Profile& profile, ProfileErrors& errors) {
    Checker c(profile, errors);
    c.names();
    c.references();
    c.variables();
    c.commands();
}

}  // namespace pbxbench::harness::detail
