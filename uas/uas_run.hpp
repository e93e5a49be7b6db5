#pragma once
// `pbxbench uas` as a library call: opens the pool, registers, reports, serves calls until
// --duration or SIGINT/SIGTERM, then un-registers within a bounded wait. The events go to
// an interface, so the CLI formats them (JSON lines) and tests can record them.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "uas/uas_counters.hpp"
#include "uas/uas_pool.hpp"

namespace pbxbench::uas {

struct RunOptions {
    PoolOptions pool;
    std::chrono::milliseconds stats_interval{1000};  // 0: no periodic stats
    std::chrono::seconds duration{0};                // 0: until SIGINT/SIGTERM
    std::chrono::milliseconds unregister_limit{3000};
};

struct RegisteredEvent {
    std::size_t endpoint = 0;
    std::string user;
    std::uint16_t port = 0;
    int status = 0;
    std::string contact;  // as the registrar returned it
    std::int64_t expires_s = 0;
};

struct ReadyEvent {
    bool registered = false;  // false in plain mode
    std::vector<std::string> users;
    std::vector<std::uint16_t> ports;
};

struct StatsSnapshot {
    double elapsed_s = 0;
    std::size_t endpoints = 0;
    UasCounters counters;
    CallsPerUser calls_per_user;
    std::size_t active_dialogs = 0;
    std::size_t ringing = 0;
    nlohmann::json media;  // MediaEngine::to_json(), null when media is off
    nlohmann::json messages;  // MESSAGEs received (uas_message.hpp), null before the pool opened
};

class UasEvents {
  public:
    virtual ~UasEvents() = default;
    virtual void registered(const RegisteredEvent& e) = 0;
    virtual void ready(const ReadyEvent& e) = 0;
    virtual void stats(const StatsSnapshot& s) = 0;
    // Once at the end; `outcome` is "completed", "interrupted" or "registration_failed".
    virtual void summary(const StatsSnapshot& s, std::string_view outcome) = 0;
    // A line for humans (stderr).
    virtual void progress(std::string_view line) = 0;
};

// Runs until done. Returns success, or interrupted if a signal came before every endpoint
// was registered; a registration failure is an error naming the user, the registrar, the
// status and the reason. Sockets that cannot be bound are errors too.
Result<ExitCode> run_uas(const RunOptions& options, UasEvents& events);

}  // namespace pbxbench::uas
