#include "harness/attach.hpp"

#include <signal.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <thread>

namespace pbxbench::harness {

bool pid_alive(pid_t pid) {
    // EPERM: it exists but is not ours to signal (a PBX running as another user).
    if (::kill(pid, 0) != 0 && errno != EPERM) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    auto close = text.rfind(')');
    return close != std::string::npos && close + 2 < text.size() && text[close + 2] != 'Z';
}

Result<std::vector<pid_t>> parse_pid_list(std::string_view text) {
    std::vector<pid_t> pids;
    for (std::size_t start = 0;;) {
        std::size_t comma = text.find(',', start);
        std::string_view item = text.substr(start, comma - start);
        int v = 0;
        auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (item.empty() || ec != std::errc() || end != item.data() + item.size() || v <= 0)
            return fail("'" + std::string(item) +
                        "' is not a process id (expected e.g. 1234,5678)");
        pids.push_back(v);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return pids;
}

Result<AttachTarget> check_attach(const AttachOptions& options) {
    if (options.sip.empty())
        return fail("--attach needs --sip HOST:PORT, the address the running PBX takes SIP on");
    // No default port: benchmarking whatever answers on 5060 by accident would be worse.
    if (options.sip.find(':') == std::string::npos)
        return fail("--sip '" + options.sip + "': expected HOST:PORT, e.g. 127.0.0.1:5060");
    auto address = sip::parse_host_port(options.sip);
    if (!address) return fail("--sip '" + options.sip + "': " + address.error().message);
    for (pid_t pid : options.pids)
        if (!pid_alive(pid)) return fail("--pid " + std::to_string(pid) + ": no such process");
    if (!options.health_url.empty() && options.health_url.rfind("http://", 0) != 0 &&
        options.health_url.rfind("https://", 0) != 0)
        return fail("--health-url '" + options.health_url + "': expected an http:// URL");
    return AttachTarget{*address, options.health_url, options.pids};
}

nlohmann::json attach_json(const std::optional<AttachTarget>& target) {
    if (!target) return nullptr;
    return {{"sip", target->sip.to_string()},
            {"health_url", target->health_url.empty() ? nlohmann::json(nullptr)
                                                      : nlohmann::json(target->health_url)},
            {"pids", target->pids}};
}

std::optional<ExitStatus> AttachedPbx::poll() {
    if (!gone_)
        for (pid_t pid : pids_)
            if (!pid_alive(pid)) {
                gone_ = ExitStatus{};
                gone_->unknown = true;
                break;
            }
    return gone_;
}

std::optional<ExitStatus> AttachedPbx::wait_for(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!poll() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return gone_;
}

ExitStatus AttachedPbx::stop() {
    // Not ours to stop: the PBX keeps running after the benchmark.
    return poll().value_or(ExitStatus{});
}

std::vector<std::string> AttachedPbx::log_tail(std::size_t) const {
    return {"(attached with --attach: its log is wherever it was started)"};
}

}  // namespace pbxbench::harness
