#pragma once
// N echo endpoints in one process, all on one io_context: each has its own UDP port, its
// own transaction layer and UasAgent; one Asio timer drives every agent's deadlines.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "media/media_engine.hpp"
#include "sip/address.hpp"
#include "uas/uas_agent.hpp"

namespace boost::asio {
class io_context;
}

namespace pbxbench::uas {

struct UserCredentials {
    std::string user;
    std::string password;  // empty: PoolOptions::password
};

struct PoolOptions {
    std::string bind_host = "127.0.0.1";
    std::uint16_t base_port = 0;  // endpoint i listens on base_port + i; 0: any free ports
    int count = 1;
    std::vector<UserCredentials> users;     // cycled over the endpoints; empty: "pbxbench"
    std::optional<sip::Address> registrar;  // nullopt: plain mode, no REGISTER
    std::string password;
    std::string domain;  // the AOR domain and the REGISTER Request-URI host
    std::chrono::seconds expires{3600};
    std::chrono::milliseconds ring{0};
    bool send_180 = true;
    std::chrono::milliseconds early_media{0};  // AgentConfig::early_media
    std::uint32_t session_min_se_s = 0;        // AgentConfig::session_min_se_s
    bool session_refresher_uas = false;        // AgentConfig::session_refresher_uas
    double reject_ratio = 0;
    int reject_code = 486;
    std::uint16_t media_base_port = 40000;  // advertised only, when media is off
    bool media = true;                      // echo RTP on real sockets (docs/media.md)
    media::EngineOptions media_engine;
    // Test aid: the first N INVITE datagrams the process receives are dropped before the
    // transaction layer, to prove that the caller's retransmissions recover.
    std::uint64_t drop_invites = 0;
    int message_status = 200;  // the answer to MESSAGE (202 to test a sender's handling)
};

// How evenly the calls spread over the users (proof that every callee was called).
struct CallsPerUser {
    std::size_t users = 0;  // distinct users over the endpoints
    std::uint64_t min = 0;  // INVITEs answered by the least-called user
    std::uint64_t max = 0;
    std::size_t without_calls = 0;  // users that answered none
};

// Folds per-endpoint answered counts into per-user figures (endpoints sharing a user add up).
CallsPerUser calls_per_user(const std::vector<std::pair<std::string, std::uint64_t>>& answered);

// What the pool tells its owner about registrations.
class PoolListener {
  public:
    virtual ~PoolListener() = default;
    // Endpoint `index` holds its first binding.
    virtual void on_registered(std::size_t index) = 0;
    // Every endpoint is registered (at once in plain mode).
    virtual void on_ready() = 0;
    // Endpoint `index` failed to register or to refresh (not during shutdown).
    virtual void on_registration_failed(std::size_t index) = 0;
};

class UasPool {
  public:
    // Opens every endpoint; fails, naming the address, if a port cannot be bound.
    static Result<std::unique_ptr<UasPool>> open(boost::asio::io_context& io,
                                                 const PoolOptions& options,
                                                 PoolListener& listener);
    ~UasPool();

    // Sends every endpoint's REGISTER; in plain mode reports ready at once.
    void start();
    // Stops answering new calls and un-registers every endpoint; `done` runs once all have
    // answered (or failed) or after `limit`, whichever comes first.
    void shutdown(std::chrono::milliseconds limit, std::function<void()> done);
    // Closes every socket and stops the timer; the io_context then runs out of work.
    void close();

    std::size_t size() const;
    const UasAgent& agent(std::size_t index) const;
    std::uint16_t port(std::size_t index) const;
    bool registering() const { return options_.registrar.has_value(); }
    // Endpoints whose un-REGISTER has not finished (during shutdown).
    std::size_t unregister_pending() const;

    UasCounters counters() const;
    CallsPerUser calls_per_user() const;
    std::size_t active_dialogs() const;
    std::size_t ringing() const;
    // The echo streams' figures, or null when media is off.
    nlohmann::json media_json() const;
    // The endpoints' MESSAGE inboxes (uas_message.hpp: messages_json).
    nlohmann::json messages_json() const;

  private:
    struct Node;
    UasPool(boost::asio::io_context& io, const PoolOptions& options, PoolListener& listener);
    void wake(sip::TimePoint when);
    void on_timer();
    void on_registration_event(std::size_t index);
    void finish_shutdown_if_done();

    struct Timers;
    PoolOptions options_;
    PoolListener& listener_;
    std::unique_ptr<media::MediaEngine> media_;
    std::unique_ptr<CallMedia> echo_;
    std::vector<std::unique_ptr<Node>> nodes_;
    std::unique_ptr<Timers> timers_;
    std::size_t registered_ = 0;
    bool ready_ = false;
    bool shutting_down_ = false;
    std::function<void()> done_;
    std::uint64_t drops_left_ = 0;
};

// Splits "bob,alice:pw" into users (an optional ":password" per user).
std::vector<UserCredentials> parse_user_list(std::string_view list);

}  // namespace pbxbench::uas
