#pragma once
// Minimal user agents over the fake network: a caller and a callee driving two
// TransactionLayers, enough to run INVITE/180/200/ACK/BYE/200 under injected faults.
#include <string>
#include <vector>

#include "sip/message_builder.hpp"
#include "sip/transaction_layer.hpp"
#include "tests/unit/support/fake_network.hpp"

namespace pbxbench::test {

inline Address fake_address(const char* ip, std::uint16_t port) {
    return *sip::make_address(ip, port);
}

inline std::string make_request(std::string_view method, std::string_view branch,
                                std::uint32_t cseq, std::string_view to_tag = {},
                                std::string_view call_id = "call-1") {
    sip::MessageBuilder b;
    b.request_line(method, "sip:bob@10.0.0.2:5060");
    b.header("Via", "SIP/2.0/UDP 10.0.0.1:5060;branch=", branch, ";rport");
    b.header("Max-Forwards", 70);
    b.header("From", "<sip:alice@10.0.0.1>;tag=a1");
    if (to_tag.empty()) {
        b.header("To", "<sip:bob@10.0.0.2>");
    } else {
        b.header("To", "<sip:bob@10.0.0.2>;tag=", to_tag);
    }
    b.header("Call-ID", call_id);
    b.header("CSeq", cseq, ' ', method);
    b.header("Contact", "<sip:alice@10.0.0.1:5060>");
    return b.finish();
}

struct Caller final : sip::TransactionUser {
    sip::TransactionLayer* layer = nullptr;
    FakeNetwork* net = nullptr;
    Address peer;
    std::vector<int> statuses;         // every response seen, in order
    std::vector<std::string> methods;  // CSeq method of each response
    std::vector<sip::TransactionTimer> timeouts;
    int transport_errors = 0;
    int stray = 0;
    int acks_sent = 0;
    std::string to_tag;

    void on_response(sip::TransactionId id, std::uint64_t, const sip::Message& r) override {
        if (id == 0) ++stray;
        statuses.push_back(r.status());
        methods.emplace_back(r.cseq().method_token);
        if (r.cseq().method == sip::Method::invite && r.status() >= 200 && r.status() < 300) {
            // The TU ACKs every 2xx, retransmissions included (§13.2.2.4).
            to_tag = std::string(r.to().tag());
            layer->send_stateless(make_request("ACK", layer->new_branch(), r.cseq().number, to_tag),
                                  peer);
            ++acks_sent;
        }
    }
    void on_client_timeout(sip::TransactionId, std::uint64_t, sip::TransactionTimer t) override {
        timeouts.push_back(t);
    }
    void on_transport_error(sip::TransactionId, std::uint64_t) override { ++transport_errors; }
    void on_request(sip::TransactionId, const sip::Message&, const Address&) override {}
    void on_ack(const sip::Message&, const Address&) override {}

    int count(int status, std::string_view method) const {
        int n = 0;
        for (std::size_t i = 0; i < statuses.size(); ++i)
            n += statuses[i] == status && methods[i] == method;
        return n;
    }
};

struct Callee final : sip::TransactionUser {
    sip::TransactionLayer* layer = nullptr;
    FakeNetwork* net = nullptr;
    int invite_status = 200;
    bool ring = true;
    bool answer = true;  // respond to requests at all
    std::vector<std::string> requests;
    int acks = 0;
    std::vector<sip::TransactionTimer> timeouts;
    int parse_errors = 0;

    void on_request(sip::TransactionId id, const sip::Message& req, const Address&) override {
        requests.emplace_back(req.method_token());
        if (!answer) return;
        if (req.method() == sip::Method::invite) {
            if (ring) layer->respond(id, sip::response_to(req, 180, "b1").finish(), 180, net->now);
            auto b = sip::response_to(req, invite_status, "b1");
            b.header("Contact", "<sip:bob@10.0.0.2:5060>");
            layer->respond(id, b.finish(), invite_status, net->now);
        } else {
            layer->respond(id, sip::response_to(req, 200, "b1").finish(), 200, net->now);
        }
    }
    void on_ack(const sip::Message&, const Address&) override { ++acks; }
    void on_server_timeout(sip::TransactionId, sip::TransactionTimer t) override {
        timeouts.push_back(t);
    }
    void on_response(sip::TransactionId, std::uint64_t, const sip::Message&) override {}
    void on_client_timeout(sip::TransactionId, std::uint64_t, sip::TransactionTimer) override {}
    void on_transport_error(sip::TransactionId, std::uint64_t) override {}
    void on_parse_error(std::string_view, const Address&, const Error&) override { ++parse_errors; }
};

// A caller at 10.0.0.1:5060 and a callee at 10.0.0.2:5060 on one fake network.
struct CallPair {
    FakeNetwork net;
    FakeSink caller_sink{net, fake_address("10.0.0.1", 5060)};
    FakeSink callee_sink{net, fake_address("10.0.0.2", 5060)};
    Caller caller;
    Callee callee;
    sip::TransactionLayer caller_layer;
    sip::TransactionLayer callee_layer;

    explicit CallPair(sip::TimerSettings timers = {})
        : caller_layer(caller_sink, caller, timers), callee_layer(callee_sink, callee, timers) {
        caller.layer = &caller_layer;
        caller.net = &net;
        caller.peer = callee_sink.self();
        callee.layer = &callee_layer;
        callee.net = &net;
    }

    // Runs the network and both layers' timers in 1 ms steps.
    void run_for(sip::Duration d) {
        TimePoint until = net.now + d;
        while (net.now < until) {
            for (auto& dg : net.take_due()) {
                auto& layer = dg.to == caller_sink.self() ? caller_layer : callee_layer;
                layer.receive(dg.bytes, dg.from, net.now);
            }
            caller_layer.advance(net.now);
            callee_layer.advance(net.now);
            net.now += std::chrono::milliseconds(1);
        }
    }

    sip::TransactionId send(std::string_view method, std::uint32_t cseq,
                            std::string_view to_tag = {}) {
        std::string branch = caller_layer.new_branch();
        return caller_layer.send_request(make_request(method, branch, cseq, to_tag),
                                         callee_sink.self(), sip::method_from(method), branch, cseq,
                                         net.now);
    }
};

}  // namespace pbxbench::test
