#include "harness/scenario_plan.hpp"

#include <cstring>
#include <fstream>
#include <sstream>

namespace pbxbench::harness {

namespace {

using std::chrono::milliseconds;

milliseconds to_ms(double seconds) {
    return milliseconds(static_cast<long>(seconds * 1000));
}

// Renders profile strings; the first failure is kept and reported once.
class Renderer {
  public:
    explicit Renderer(const Variables& vars) : vars_(vars) {}

    std::string text(const std::string& value, const std::string& field) {
        auto r = render_template(value, vars_, field);
        if (!r) {
            if (!error_) error_ = r.error();
            return {};
        }
        return *r;
    }
    std::vector<std::string> list(const std::vector<std::string>& values,
                                  const std::string& field) {
        std::vector<std::string> out;
        for (std::size_t i = 0; i < values.size(); ++i)
            out.push_back(text(values[i], field + "[" + std::to_string(i) + "]"));
        return out;
    }
    std::map<std::string, std::string> map(const std::map<std::string, std::string>& values,
                                           const std::string& field) {
        std::map<std::string, std::string> out;
        for (const auto& [k, v] : values) out[k] = text(v, field + "." + k);
        return out;
    }
    const std::optional<Error>& error() const { return error_; }

  private:
    const Variables& vars_;
    std::optional<Error> error_;
};

Result<std::uint16_t> port_number(const std::string& text, const std::string& field) {
    char* end = nullptr;
    long p = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || p < 1 || p > 65535)
        return fail(field + ": expected a port number (1-65535), got \"" + text + "\"");
    return static_cast<std::uint16_t>(p);
}

}  // namespace

Result<Variables> builtin_variables(const Profile& profile, const ScenarioSpec& scenario,
                                    const std::filesystem::path& run_dir, PortAllocator& ports) {
    Variables vars;
    for (const char* name : {"SIP_PORT", "HTTP_PORT", "RTPENGINE_NG_PORT", "RTPENGINE_CLI_PORT"}) {
        auto port = ports.allocate();
        if (!port) return fail(port.error().message);
        vars[name] = std::to_string(*port);
    }
    for (const auto& name : profile.ports) {
        auto port = ports.allocate();
        if (!port) return fail(port.error().message);
        vars[name] = std::to_string(*port);
    }
    std::error_code ec;
    vars["RUN_DIR"] = std::filesystem::absolute(run_dir, ec).lexically_normal().string();
    vars["PROFILE_DIR"] = std::filesystem::absolute(profile.dir, ec).lexically_normal().string();
    // lexically_normal keeps a trailing '/', which would make "${PROFILE_DIR}/x" read "dir//x".
    for (const char* name : {"RUN_DIR", "PROFILE_DIR"})
        if (vars[name].size() > 1 && vars[name].back() == '/') vars[name].pop_back();
    vars["EXTENSION_PASSWORD"] = profile.users.password;
    vars["SCENARIO"] = scenario.name;
    return vars;
}

Result<ScenarioPlan> plan_scenario(const Profile& profile, const ScenarioSpec& scenario,
                                   const Variables& builtins) {
    ScenarioPlan plan;
    plan.scenario = scenario.name;
    plan.vars = builtins;
    for (const auto& [k, v] : profile.vars) plan.vars[k] = v;
    for (const auto& [k, v] : scenario.vars) plan.vars[k] = v;
    auto run_dir = plan.vars.find("RUN_DIR");
    if (run_dir == plan.vars.end()) return fail("plan_scenario: RUN_DIR is not set");
    plan.run_dir = run_dir->second;
    Renderer r(plan.vars);

    for (const auto& t : profile.templates) {
        std::ifstream in(t.source, std::ios::binary);
        if (!in)
            return fail("cannot read template " + t.source.string() + ": " + std::strerror(errno));
        std::ostringstream text;
        text << in.rdbuf();
        plan.templates.push_back(
            {plan.run_dir / t.target, r.text(text.str(), "template " + t.source.string())});
    }
    for (const SetupSpec* s : profile.setup_for(scenario)) {
        SetupPlan step;
        step.launch.name = "setup-" + s->name;
        step.launch.argv = r.list(s->command, "setup." + s->name + ".command");
        step.launch.workdir = plan.run_dir;
        step.launch.log_path = plan.run_dir / (step.launch.name + ".log");
        step.timeout = to_ms(s->timeout_s);
        plan.setup.push_back(std::move(step));
    }
    for (const SetupSpec* s : profile.collect_for(scenario)) {
        SetupPlan step;
        step.launch.name = "collect-" + s->name;
        step.launch.argv = r.list(s->command, "collect." + s->name + ".command");
        step.launch.workdir = plan.run_dir;
        step.launch.log_path = plan.run_dir / (step.launch.name + ".log");
        step.launch.stdout_to = StdoutTo::pipe;
        step.timeout = to_ms(s->timeout_s);
        plan.collect.push_back(std::move(step));
    }
    for (const SidecarSpec* s : profile.sidecars_for(scenario)) {
        SidecarPlan side;
        side.launch.name = s->name;
        side.launch.argv = r.list(s->command, "sidecars." + s->name + ".command");
        side.launch.env = r.map(s->env, "sidecars." + s->name + ".env");
        side.launch.workdir = plan.run_dir;
        side.launch.log_path = plan.run_dir / (s->name + ".log");
        side.launch.stop_signal = s->stop_signal;
        side.launch.stop_grace = to_ms(s->stop_grace_s);
        std::string value = r.text(s->ready.value, "sidecars." + s->name + ".ready");
        using Kind = SidecarReady::Kind;
        if (s->ready.kind == Kind::udp_port || s->ready.kind == Kind::tcp_port) {
            auto port = port_number(value, "sidecars." + s->name + ".ready");
            if (!port) return fail(port.error().message);
            side.ready.port = PortProbe{s->ready.kind == Kind::udp_port ? PortProbe::Protocol::udp
                                                                        : PortProbe::Protocol::tcp,
                                        *port};
        } else if (s->ready.kind == Kind::log_contains) {
            side.ready.log_contains = value;
        }
        plan.sidecars.push_back(std::move(side));
    }

    plan.sut.name = profile.name;
    plan.sut.argv = r.list(profile.sut.command, "sut.command");
    for (const auto& a : r.list(scenario.args, "scenarios." + scenario.name + ".args"))
        plan.sut.argv.push_back(a);
    plan.sut.env = r.map(profile.sut.env, "sut.env");
    std::string workdir = r.text(profile.sut.workdir, "sut.workdir");
    plan.sut.workdir = workdir.empty() ? plan.run_dir : std::filesystem::path(workdir);
    plan.sut.log_path = plan.run_dir / (profile.name + ".log");
    plan.sut.stop_signal = profile.sut.stop_signal;
    plan.sut.stop_grace = to_ms(profile.sut.stop_grace_s);
    plan.ready_timeout = to_ms(profile.readiness.timeout_s);

    std::string host = r.text(profile.sip.host, "sip.host");
    std::string port_text = r.text(profile.sip.port, "sip.port");
    if (profile.health) {
        monitor::HealthConfig h;
        h.request.url = r.text(profile.health->url, "health.url");
        h.request.method = profile.health->method;
        h.request.body = r.text(profile.health->body, "health.body");
        h.request.headers = r.list(profile.health->headers, "health.headers");
        h.calls_pointer = r.text(profile.health->calls_pointer, "health.calls_pointer");
        h.calls_metric = r.text(profile.health->calls_metric, "health.calls_metric");
        h.ok_pointer = profile.health->ready_pointer;
        h.ok_value = profile.health->ready_value;
        if (auto v = monitor::validate(h); !v)
            return fail(profile.file.string() + ": health: " + v.error().message);
        plan.health = h;
    }
    if (r.error())
        return fail(profile.file.string() + ": " + r.error()->message + " (scenario " +
                    scenario.name + ")");

    auto port = port_number(port_text, "sip.port");
    if (!port) return fail(profile.file.string() + ": " + port.error().message);
    auto address = sip::make_address(host, *port);
    if (!address) return fail(profile.file.string() + ": sip.host: " + address.error().message);
    plan.sip = *address;
    if (profile.readiness.sip_options) plan.sut_ready.sip_options = plan.sip;
    if (profile.readiness.health) plan.sut_ready.health = plan.health;
    return plan;
}

Result<void> write_templates(const ScenarioPlan& plan) {
    std::error_code ec;
    std::filesystem::create_directories(plan.run_dir, ec);
    if (ec) return fail("cannot create run dir " + plan.run_dir.string() + ": " + ec.message());
    for (const auto& t : plan.templates) {
        std::ofstream out(t.target, std::ios::binary | std::ios::trunc);
        out << t.text;
        out.flush();  // a full disk shows here, not in a config the SUT cannot parse
        if (!out) return fail("cannot write " + t.target.string() + ": " + std::strerror(errno));
    }
    return {};
}

}  // namespace pbxbench::harness
