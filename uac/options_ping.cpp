#include "uac/options_ping.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sip/digest.hpp"
#include "sip/endpoint.hpp"
#include "sip/message_builder.hpp"

namespace pbxbench::uac {

namespace {

using sip::Clock;

class Pinger final : public sip::TransactionUser {
  public:
    Pinger(boost::asio::io_context& io, const PingOptions& o,
           const std::function<void(const PingReply&)>& cb)
        : io_(io), options_(o), on_reply_(cb), timer_(io) {}

    void attach(sip::Endpoint& e) { endpoint_ = &e; }

    void send_next() {
        if (summary_.sent >= options_.count) return;
        int seq = ++summary_.sent;
        call_id_ = endpoint_->layer().new_branch() + "@pbxbench";
        cseq_ = 1;
        challenge_answered_ = false;
        started_ = Clock::now();
        send(seq, {});
    }

    // One OPTIONS of ping `seq`; `authorization` is a whole header line or empty.
    void send(int seq, std::string_view authorization) {
        std::string branch = endpoint_->layer().new_branch();
        const std::string& me = endpoint_->sent_by();
        // From our identity at the target's domain: a PBX matches its users by this.
        const std::string from = "sip:" + options_.from_user + "@" + options_.target.to_string();
        sip::MessageBuilder b;
        b.request_line("OPTIONS", options_.target_uri);
        b.header("Via", "SIP/2.0/UDP ", me, ";branch=", branch, ";rport");
        b.header("Max-Forwards", 70);
        b.header("From", "<", from, ">;tag=p", seq);
        b.header("To", "<", options_.target_uri, ">");
        b.header("Call-ID", call_id_);
        b.header("CSeq", cseq_, " OPTIONS");
        b.header("Contact", "<sip:", options_.from_user, "@", me, ">");
        b.header("Accept", "application/sdp");
        b.header("User-Agent", "pbxbench/" PBXBENCH_VERSION);
        if (!authorization.empty())
            b.header(authorization.substr(0, authorization.find(':')),
                     authorization.substr(authorization.find(':') + 2));
        auto id =
            endpoint_->layer().send_request(b.finish(), options_.target, sip::Method::options,
                                            branch, static_cast<std::uint64_t>(seq), Clock::now());
        if (id == 0) finish(PingReply{seq, 0, "send failed: transport refused the datagram", 0, 0});
    }

    void on_response(sip::TransactionId id, std::uint64_t cookie, const sip::Message& r) override {
        if (id == 0 || r.status() < 200) return;
        const int status = r.status();
        // A challenge is answered once per ping, with a new CSeq in the same call.
        if ((status == 401 || status == 407) && !options_.password.empty() &&
            !challenge_answered_) {
            auto challenge =
                sip::parse_challenge(status == 401 ? r.header(sip::HeaderId::www_authenticate)
                                                   : r.header(sip::HeaderId::proxy_authenticate));
            if (challenge) {
                challenge_answered_ = true;
                ++cseq_;
                const std::string value =
                    sip::build_authorization(*challenge, {options_.from_user, options_.password},
                                             "OPTIONS", options_.target_uri, 1, sip::make_cnonce());
                send(static_cast<int>(cookie),
                     std::string(status == 401 ? "Authorization" : "Proxy-Authorization") + ": " +
                         value);
                return;
            }
        }
        double rtt = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
        ++summary_.answered;
        if (status < 300) ++summary_.ok;
        PingReply reply{static_cast<int>(cookie), status, std::string(r.reason()), rtt, 0};
        reply.answered_challenge = challenge_answered_;
        finish(reply);
    }
    void on_client_timeout(sip::TransactionId, std::uint64_t cookie,
                           sip::TransactionTimer t) override {
        finish(PingReply{static_cast<int>(cookie), 0,
                         "no answer (timer " + std::string(sip::timer_name(t)) + ")", 0, 0});
    }
    void on_transport_error(sip::TransactionId, std::uint64_t cookie) override {
        finish(PingReply{static_cast<int>(cookie), 0, "transport error", 0, 0});
    }
    void on_request(sip::TransactionId id, const sip::Message& req, const sip::Address&) override {
        // We are no server; say so rather than let the peer retransmit.
        endpoint_->layer().respond(id, sip::response_to(req, 405, "pbxbench").finish(), 405,
                                   Clock::now());
    }
    void on_ack(const sip::Message&, const sip::Address&) override {}

    const PingSummary& summary() {
        summary_.retransmissions = endpoint_->layer().counters().retransmissions_sent;
        return summary_;
    }

  private:
    void finish(PingReply reply) {
        on_reply_(reply);
        if (summary_.sent >= options_.count) {
            endpoint_->close();
            return;
        }
        timer_.expires_at(started_ + options_.interval);
        timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) send_next();
        });
    }

    boost::asio::io_context& io_;
    PingOptions options_;
    const std::function<void(const PingReply&)>& on_reply_;
    boost::asio::steady_timer timer_;
    sip::Endpoint* endpoint_ = nullptr;
    PingSummary summary_;
    Clock::time_point started_;
    std::string call_id_;
    int cseq_ = 1;
    bool challenge_answered_ = false;
};

}  // namespace

Result<PingSummary> ping(const PingOptions& in,
                         const std::function<void(const PingReply&)>& on_reply) {
    PingOptions options = in;
    if (options.target_uri.empty()) options.target_uri = "sip:" + options.target.to_string();
    if (options.count < 1) return fail("--count must be at least 1");
    boost::asio::io_context io;
    Pinger pinger(io, options, on_reply);
    sip::EndpointOptions eo;
    eo.bind = options.bind;
    eo.timers.t1 = options.t1;
    eo.udp.receive_buffer_bytes = 256u << 10;
    auto endpoint = sip::Endpoint::open(io, pinger, eo);
    if (!endpoint) return tl::unexpected(endpoint.error());
    pinger.attach(**endpoint);
    pinger.send_next();
    io.run();
    return pinger.summary();
}

}  // namespace pbxbench::uac
