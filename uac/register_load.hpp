#pragma once
// REGISTER load (docs/uac.md "Method loads"): N users register at a rate through a registrar,
// answer its digest challenges (the nonce is kept per user and reused with the next nonce
// count, as callers do), hold their bindings with refreshes at a chosen fraction of the
// granted expiry, and un-REGISTER when stopped. One sip::Registration per user does the RFC
// 3261 §10.2 work (423 Min-Expires, a shortened expiry); this core schedules, times and counts.
#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "sip/registration.hpp"
#include "uac/method_load.hpp"
#include "uac/population.hpp"

namespace pbxbench::uac {

struct RegisterLoadOptions {
    sip::Address registrar;  // where REGISTERs go (the PBX)
    std::string domain;      // address-of-record domain and Request-URI host ("HOST:PORT")
    std::vector<Subscriber> users;
    double rate = 100;  // first REGISTERs per second
    std::chrono::seconds expires{3600};
    double refresh_fraction = 0;  // 0: 80% of the expiry (sip::refresh_delay)
};

class RegisterLoad final : public MethodLoad {
  public:
    RegisterLoad(RegisterLoadOptions options, std::function<sip::TimePoint()> clock);
    ~RegisterLoad() override;

    void attach(sip::TransactionLayer& layer, std::string sent_by) override;
    void start(sip::TimePoint now) override;
    void advance(sip::TimePoint now) override;
    std::optional<sip::TimePoint> next_deadline() const override;
    void stop(sip::TimePoint now) override;
    bool finished() const override;
    MethodLoadReport report() const override;

    // Bindings the registrar confirmed (our Contact in its 2xx) and not removed since.
    std::uint64_t bindings() const { return bound_; }
    // Every user has had a final answer to its first REGISTER.
    bool all_answered() const { return answered_ == users_.size(); }

    void on_response(sip::TransactionId id, std::uint64_t cookie, const sip::Message& r) override;
    void on_client_timeout(sip::TransactionId id, std::uint64_t cookie,
                           sip::TransactionTimer timer) override;
    void on_transport_error(sip::TransactionId id, std::uint64_t cookie) override;
    void on_request(sip::TransactionId id, const sip::Message& request,
                    const sip::Address& from) override;
    void on_ack(const sip::Message&, const sip::Address&) override {}

  private:
    enum class Pending : std::uint8_t { none, initial, refresh, removal };
    struct User {
        std::unique_ptr<sip::Registration> reg;
        Pending pending = Pending::none;
        sip::TimePoint started{};
        bool answered = false;  // its first REGISTER had a final outcome
        bool bound = false;
    };
    struct Due {
        sip::TimePoint when;
        std::size_t user;
        bool operator>(const Due& o) const { return when > o.when; }
    };

    sip::TimePoint due(std::size_t index) const;
    sip::TimePoint removal_due(std::size_t index) const;
    void begin_user(std::size_t index, sip::TimePoint now);
    // After the Registration saw an event: closes the user's request if it ended.
    void settle(std::size_t index, int status, const std::string& failure_key, sip::TimePoint now);
    void set_bound(User& u, bool bound);
    void count_failure(const std::string& key, Pending kind);
    void note_started(User& u, Pending kind, sip::TimePoint now);
    void unregister_user(std::size_t index, sip::TimePoint now);

    RegisterLoadOptions options_;
    std::function<sip::TimePoint()> clock_;
    sip::TransactionLayer* layer_ = nullptr;
    std::string sent_by_;
    std::vector<User> users_;
    std::priority_queue<Due, std::vector<Due>, std::greater<>> refreshes_;
    sip::TimePoint t0_{};
    std::size_t next_ = 0;
    // The wind-down is paced at the load's rate (500/s at least): a burst of every un-REGISTER
    // at once overflows the registrar's socket and turns into retransmissions.
    sip::TimePoint stop_t0_{};
    std::size_t next_removal_ = 0;
    bool started_ = false;
    bool stopping_ = false;
    std::size_t in_flight_ = 0;
    std::size_t answered_ = 0;
    std::uint64_t bound_ = 0;
    MethodLoadReport report_;
};

}  // namespace pbxbench::uac
