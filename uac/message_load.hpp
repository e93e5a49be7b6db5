#pragma once
// MESSAGE load (RFC 3428 page mode): `total` MESSAGEs at `rate` per second, message i due at
// t0 + i/rate, from caller c(i) to callee e(i) of the population, through next_hop. No
// dialog: each MESSAGE is one non-INVITE transaction. A 401/407 is answered with the caller's
// own credentials (the challenge is then reused with a growing nc, CallerDigest). Each
// MESSAGE carries X-Pbxbench-Id (unique) and X-Pbxbench-Sent (the steady clock in ns when the
// MESSAGE was first sent), so the far end counts duplicates and delivery latency.
// 200 and 202 both succeed (202: accepted, e.g. stored for later delivery).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sip/address.hpp"
#include "uac/caller_digest.hpp"
#include "uac/method_load.hpp"
#include "uac/population.hpp"

namespace pbxbench::uac {

struct MessageLoadOptions {
    Population population;  // callers (with credentials) and callees; must not be empty
    sip::Address next_hop;  // the PBX, or the callee's own address
    std::uint64_t total = 0;
    double rate = 1;  // MESSAGEs per second
    std::size_t body_bytes = 32;
    std::string content_type = "text/plain";
    // Unique per generator: Call-IDs and X-Pbxbench-Id start with it. Empty: a random one.
    std::string id_prefix;
};

class MessageLoad final : public MethodLoad {
  public:
    using NowFn = std::function<sip::TimePoint()>;

    // `now` is the clock for events the transaction layer delivers without a time.
    explicit MessageLoad(
        MessageLoadOptions options, NowFn now = [] { return sip::Clock::now(); });

    void attach(sip::TransactionLayer& layer, std::string sent_by) override;
    void start(sip::TimePoint now) override;
    void advance(sip::TimePoint now) override;
    std::optional<sip::TimePoint> next_deadline() const override;
    void stop(sip::TimePoint now) override;
    bool finished() const override;
    MethodLoadReport report() const override;

    const MessageLoadOptions& options() const { return options_; }
    // MESSAGEs sent and not yet ended.
    std::size_t pending() const { return pending_.size(); }

    // sip::TransactionUser
    void on_response(sip::TransactionId id, std::uint64_t cookie, const sip::Message& r) override;
    void on_client_timeout(sip::TransactionId id, std::uint64_t cookie,
                           sip::TransactionTimer timer) override;
    void on_transport_error(sip::TransactionId id, std::uint64_t cookie) override;
    void on_request(sip::TransactionId id, const sip::Message& request,
                    const sip::Address& from) override;
    void on_ack(const sip::Message& ack, const sip::Address& from) override;

  private:
    // One MESSAGE in flight: what a challenge answer needs to resend it.
    struct Pending {
        std::uint32_t caller = 0;
        std::uint32_t callee = 0;
        std::uint32_t cseq = 1;
        std::uint8_t auth_tries = 0;
        bool sent_cached_credentials = false;
        sip::TimePoint first_sent;
        std::string from_tag;
    };

    sip::TimePoint due(std::uint64_t index) const;
    void send_new(std::uint64_t index, sip::TimePoint now);
    // Sends (or resends, after a challenge) message `index`; false when the transport refused.
    bool send(std::uint64_t index, Pending& p, const std::string& authorization,
              sip::TimePoint now);
    void on_challenge(std::uint64_t index, Pending& p, const sip::Message& r, sip::TimePoint now);
    void fail(std::uint64_t index, const std::string& why);
    std::string call_id(std::uint64_t index) const;

    MessageLoadOptions options_;
    NowFn now_;
    sip::TransactionLayer* layer_ = nullptr;
    std::string sent_by_;
    std::string body_;
    std::vector<CallerDigest> digests_;  // one per caller
    std::vector<std::string> callee_uris_;
    sip::TimePoint t0_{};
    std::uint64_t next_index_ = 0;
    bool started_ = false;
    bool stopped_ = false;
    std::unordered_map<std::uint64_t, Pending> pending_;
    MethodLoadReport report_;
};

}  // namespace pbxbench::uac
