#pragma once
// OPTIONS load (docs/uac.md "Method loads"): keepalive pings at a rate, to the PBX itself
// (sip:HOST:PORT) and through it to users (sip:USER@DOMAIN, answered by whoever registered
// them). Ping i goes to target i mod N. A 401/407 is answered once per ping when credentials
// are given. Sans-IO like UacCore: time and the transaction layer's events come from outside.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "uac/method_load.hpp"

namespace pbxbench::uac {

struct OptionsLoadOptions {
    sip::Address next_hop;             // every ping is sent here (the PBX)
    std::vector<std::string> targets;  // Request-URIs, taken in turn
    double rate = 10;                  // pings per second
    std::uint64_t count = 0;           // stop scheduling after this many (0: until stop())
    std::string from_user = "pbxbench";
    std::string domain;    // of our From URI
    std::string password;  // answers one challenge per ping as from_user when set
};

class OptionsLoad final : public MethodLoad {
  public:
    OptionsLoad(OptionsLoadOptions options, std::function<sip::TimePoint()> clock);

    void attach(sip::TransactionLayer& layer, std::string sent_by) override;
    void start(sip::TimePoint now) override;
    void advance(sip::TimePoint now) override;
    std::optional<sip::TimePoint> next_deadline() const override;
    void stop(sip::TimePoint now) override;
    bool finished() const override;
    MethodLoadReport report() const override { return report_; }

    void on_response(sip::TransactionId id, std::uint64_t cookie, const sip::Message& r) override;
    void on_client_timeout(sip::TransactionId id, std::uint64_t cookie,
                           sip::TransactionTimer timer) override;
    void on_transport_error(sip::TransactionId id, std::uint64_t cookie) override;
    void on_request(sip::TransactionId id, const sip::Message& request,
                    const sip::Address& from) override;
    void on_ack(const sip::Message&, const sip::Address&) override {}

  private:
    struct Ping {
        sip::TimePoint started;
        std::string call_id;
        std::uint32_t cseq = 1;
        bool challenged = false;
        std::size_t target = 0;
    };

    sip::TimePoint due(std::uint64_t index) const;
    void send(std::uint64_t index, Ping& ping, std::string_view authorization, sip::TimePoint now);
    void end(std::uint64_t index, bool ok, const std::string& failure, sip::TimePoint now);

    OptionsLoadOptions options_;
    std::function<sip::TimePoint()> clock_;
    sip::TransactionLayer* layer_ = nullptr;
    std::string sent_by_;
    std::unordered_map<std::uint64_t, Ping> pending_;
    sip::TimePoint t0_{};
    std::uint64_t next_ = 0;
    bool started_ = false;
    bool stopping_ = false;
    MethodLoadReport report_;
};

}  // namespace pbxbench::uac
