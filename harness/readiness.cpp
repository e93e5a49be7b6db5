#include "harness/readiness.hpp"

#include <fstream>
#include <sstream>

#include "uac/options_ping.hpp"

namespace pbxbench::harness {

namespace {

std::string read_file(const char* path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

class RealReadinessProbe final : public ReadinessProbe {
  public:
    Result<OptionsAnswer> sip_options(const sip::Address& target, const SipIdentity& who) override {
        uac::PingOptions options;
        options.target = target;
        options.from_user = who.user;
        options.password = who.password;
        auto bind = sip::make_address(target.v6 ? "::1" : "127.0.0.1", 0);
        if (bind) options.bind = *bind;
        options.count = 1;
        options.interval = std::chrono::milliseconds(0);
        options.t1 = std::chrono::milliseconds(20);
        OptionsAnswer answer;
        std::string reason = "no answer";
        auto summary = uac::ping(options, [&](const uac::PingReply& r) {
            answer.status = r.status;
            answer.reason = r.reason;
            answer.answered_challenge = r.answered_challenge;
            reason = r.reason;
        });
        if (!summary) return fail(summary.error().message);
        if (answer.status == 0) return fail("OPTIONS to " + target.to_string() + ": " + reason);
        return answer;
    }

    monitor::HealthResult health(const monitor::HealthConfig& config) override {
        if (!client_) client_ = monitor::make_curl_http_client();
        return monitor::interpret(config, client_->fetch(config.request));
    }

    bool port_bound(const PortProbe& port) override {
        static const char* const udp[] = {"/proc/net/udp", "/proc/net/udp6"};
        static const char* const tcp[] = {"/proc/net/tcp", "/proc/net/tcp6"};
        for (const char* file : port.protocol == PortProbe::Protocol::udp ? udp : tcp) {
            if (proc_net_lists_port(read_file(file), port)) return true;
        }
        return false;
    }

  private:
    std::unique_ptr<monitor::HttpClient> client_;
};

// One check's state across rounds: passed once is enough.
struct CheckState {
    bool wanted = false;
    bool passed = false;
    std::string what;         // "OPTIONS", "health", ...
    std::string last_reason;  // why it has not passed yet
};

std::string seconds(double s) {
    std::ostringstream out;
    out.precision(3);
    out << s;
    return out.str();
}

}  // namespace

Result<void> judge_options_answer(const sip::Address& target, const SipIdentity& who,
                                  const OptionsAnswer& answer) {
    if (answer.status >= 200 && answer.status < 300) return {};
    const bool challenged = answer.status == 401 || answer.status == 407;
    if (challenged && who.auth_ok) return {};
    std::string message = "OPTIONS to " + target.to_string() + " as " + who.user + ": " +
                          std::to_string(answer.status) + " " + answer.reason;
    if (challenged) {
        std::string remedy;
        if (answer.answered_challenge)
            remedy = "check the password of " + who.user +
                     " ([users] password or passwords): "
                     "our credentials were refused";
        else if (who.password.empty())
            remedy = "give the caller " + who.user +
                     " a password in [users] so the probe answers "
                     "the challenge";
        else
            remedy = "check the challenge: the probe could not answer it as " + who.user;
        message = "the PBX answers " + std::to_string(answer.status) +
                  " to OPTIONS: set [readiness] options_auth_ok = true or " + remedy + " (" +
                  message + ")";
    }
    return fail(message);
}

std::unique_ptr<ReadinessProbe> make_real_readiness_probe() {
    return std::make_unique<RealReadinessProbe>();
}

bool proc_net_lists_port(std::string_view text, const PortProbe& port) {
    // Lines look like "  12: 0100007F:13C4 00000000:0000 07 ..." (local address:port in hex,
    // then the remote one, then the state; 0A is TCP LISTEN, 07 an unconnected UDP socket).
    std::istringstream in{std::string(text)};
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        if (!(fields >> slot >> local >> remote >> state)) continue;
        auto colon = local.rfind(':');
        if (colon == std::string::npos) continue;
        unsigned long p = std::strtoul(local.c_str() + colon + 1, nullptr, 16);
        if (p != port.port) continue;
        if (port.protocol == PortProbe::Protocol::tcp && state != "0A") continue;
        return true;
    }
    return false;
}

Result<ReadyReport> wait_ready(Process& process, const ReadinessChecks& checks,
                               ReadinessProbe& probe, monitor::Clock& clock,
                               std::chrono::milliseconds timeout,
                               std::chrono::milliseconds interval) {
    const auto start = clock.now();
    const auto deadline = start + timeout;
    CheckState sip{checks.sip_options.has_value(), false, "SIP OPTIONS",
                   "not tried yet (waits for the health endpoint)"};
    CheckState health{checks.health.has_value(), false, "health endpoint", "not tried yet"};
    CheckState port{checks.port.has_value(), false, "port", "not tried yet"};
    CheckState log{!checks.log_contains.empty(), false, "log line", "not seen yet"};
    if (checks.port)
        port.what = std::string(checks.port->protocol == PortProbe::Protocol::udp ? "UDP" : "TCP") +
                    " port " + std::to_string(checks.port->port);
    if (!checks.log_contains.empty())
        log.what = "log line containing \"" + checks.log_contains + "\"";

    ReadyReport report;
    for (;;) {
        ++report.rounds;
        if (auto status = process.poll()) {
            return fail(process.name() + " exited during start-up (" + status->describe() +
                        "); its log ends with:" + format_log_tail(process.log_tail(20)));
        }
        if (log.wanted && !log.passed) log.passed = process.log_contains(checks.log_contains);
        if (port.wanted && !port.passed) {
            port.passed = probe.port_bound(*checks.port);
            port.last_reason = "nothing bound there yet";
        }
        if (health.wanted && !health.passed) {
            monitor::HealthResult h = probe.health(*checks.health);
            health.passed = h.healthy && h.outcome == monitor::HealthOutcome::ok;
            if (!health.passed)
                health.last_reason = checks.health->request.url + ": " +
                                     monitor::outcome_name(h.outcome) +
                                     (h.error.empty() ? "" : " (" + h.error + ")");
        }
        // With a health endpoint, SIP pings wait until it answers: a SIP request can make a
        // worker write (Kamailio's siptrace stores every message) while later children still
        // initialise, and their SQLite version check then failed with "database is locked" and
        // Kamailio exited (1 start in 9 did, before sipflow moved to PostgreSQL). Kamailio serves
        // HTTP from its last-started worker.
        if (sip.wanted && !sip.passed && (!health.wanted || health.passed)) {
            auto r = probe.sip_options(*checks.sip_options, checks.sip_identity);
            Result<void> alive =
                r ? judge_options_answer(*checks.sip_options, checks.sip_identity, *r)
                  : Result<void>(tl::unexpected(r.error()));
            sip.passed = alive.has_value();
            if (!alive) sip.last_reason = alive.error().message;
        }
        const auto now = clock.now();
        report.elapsed_s = std::chrono::duration<double>(now - start).count();
        bool all = true;
        for (const CheckState* c : {&sip, &health, &port, &log})
            all = all && (!c->wanted || c->passed);
        if (all) return report;
        if (now >= deadline) {
            std::string failing;
            for (const CheckState* c : {&sip, &health, &port, &log}) {
                if (c->wanted && !c->passed)
                    failing += (failing.empty() ? "" : "; ") + c->what + ": " + c->last_reason;
            }
            return fail(process.name() + " was not ready within " + seconds(report.elapsed_s) +
                        " s (" + failing +
                        "); its log ends with:" + format_log_tail(process.log_tail(20)));
        }
        clock.sleep_until(std::min(now + interval, deadline), std::stop_token{});
    }
}

}  // namespace pbxbench::harness
