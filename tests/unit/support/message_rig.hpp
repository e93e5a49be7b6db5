#pragma once
// The MESSAGE load over the fake network and clock: the load on a transaction layer at
// 10.0.0.1:5060 and at 10.0.0.2:5060 either a real UasAgent (its inbox counts what arrived)
// or a MessagePeer written here, which challenges per user, answers with any status, or
// stays silent. The rig jumps the clock from one deadline to the next.
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sip/digest.hpp"
#include "sip/message_builder.hpp"
#include "tests/unit/support/test_agents.hpp"
#include "uac/message_load.hpp"
#include "uas/uas_agent.hpp"

namespace pbxbench::test {

// A far end for MESSAGEs: challenges (407 or 401) any MESSAGE without valid credentials for a
// nonce it issued, then answers `status_for(n)` for the n-th accepted MESSAGE (0-based).
struct MessagePeer final : sip::TransactionUser {
    enum class Auth { none, proxy, www };
    sip::TransactionLayer* layer = nullptr;
    FakeNetwork* net = nullptr;
    Auth auth = Auth::none;
    bool stale_on_reuse = false;  // a reused nonce (nc > 1) gets a fresh one with stale=true
    std::map<std::string, std::string> passwords;
    std::function<int(std::size_t n)> status_for = [](std::size_t) { return 200; };
    bool answer = true;  // false: no response at all (Timer F)

    std::vector<std::string> received;  // raw MESSAGEs, one per server transaction
    std::vector<std::string> accepted;  // those past the challenge
    std::vector<std::string> nonces;
    std::map<std::string, std::uint64_t> last_nc;

    void on_request(sip::TransactionId id, const sip::Message& req, const Address&) override {
        received.emplace_back(req.raw());
        if (!answer) return;
        if (auth != Auth::none && !authorized(id, req)) return;
        const int status = status_for(accepted.size());
        accepted.emplace_back(req.raw());
        layer->respond(id, sip::response_to(req, status, "p1").finish(), status, net->now);
    }
    bool authorized(sip::TransactionId id, const sip::Message& req) {
        const bool proxy = auth == Auth::proxy;
        auto value =
            req.header(proxy ? sip::HeaderId::proxy_authorization : sip::HeaderId::authorization);
        auto f = sip::parse_authorization(value);
        bool stale = false;
        if (!value.empty() && f && std::count(nonces.begin(), nonces.end(), f->nonce) &&
            passwords.count(f->username) &&
            sip::verify_authorization(*f, passwords[f->username], "MESSAGE")) {
            const std::uint64_t nc = f->nc.empty() ? 1 : std::stoull(f->nc, nullptr, 16);
            const bool replay = nc <= last_nc[f->nonce];
            last_nc[f->nonce] = std::max(last_nc[f->nonce], nc);
            if (!replay && !(stale_on_reuse && nc > 1)) return true;
            stale = true;
        }
        nonces.push_back("n" + std::to_string(nonces.size() + 1));
        const int status = proxy ? 407 : 401;
        auto b = sip::response_to(req, status, "p1");
        b.header(proxy ? "Proxy-Authenticate" : "WWW-Authenticate",
                 "Digest realm=\"pbx.test\", nonce=\"", nonces.back(), "\", qop=\"auth\"",
                 stale ? std::string_view(", stale=true") : std::string_view{});
        layer->respond(id, b.finish(), status, net->now);
        return false;
    }
    void on_ack(const sip::Message&, const Address&) override {}
    void on_response(sip::TransactionId, std::uint64_t, const sip::Message&) override {}
    void on_client_timeout(sip::TransactionId, std::uint64_t, sip::TransactionTimer) override {}
    void on_transport_error(sip::TransactionId, std::uint64_t) override {}
};

// `total` MESSAGEs at `rate`/s from `callers` (password "pw-USER") to `callees` at pbx.test.
inline uac::MessageLoadOptions message_options(std::vector<std::string> callers,
                                               std::vector<std::string> callees,
                                               std::uint64_t total, double rate) {
    uac::MessageLoadOptions o;
    for (auto& c : callers) o.population.callers.push_back({c, "pw-" + c});
    o.population.callees = std::move(callees);
    o.population.domain = "pbx.test";
    o.next_hop = fake_address("10.0.0.2", 5060);
    o.total = total;
    o.rate = rate;
    o.body_bytes = 100;
    o.id_prefix = "t";
    return o;
}

enum class FarEnd { peer, uas };

struct MessageRig {
    FakeNetwork net;
    FakeSink load_sink{net, fake_address("10.0.0.1", 5060)};
    FakeSink peer_sink{net, fake_address("10.0.0.2", 5060)};
    MessagePeer peer;
    std::unique_ptr<uas::UasAgent> uas;
    uac::MessageLoad load;
    sip::TransactionLayer load_layer;
    std::unique_ptr<sip::TransactionLayer> peer_layer;

    explicit MessageRig(uac::MessageLoadOptions o, FarEnd far = FarEnd::peer,
                        uas::AgentConfig uas_config = {})
        : load(std::move(o), [this] { return net.now; }), load_layer(load_sink, load) {
        if (far == FarEnd::uas) {
            uas_config.user = "bob";
            uas = std::make_unique<uas::UasAgent>(uas_config, [this] { return net.now; });
            peer_layer = std::make_unique<sip::TransactionLayer>(peer_sink, *uas);
            uas->attach(*peer_layer, "10.0.0.2:5060");
        } else {
            peer_layer = std::make_unique<sip::TransactionLayer>(peer_sink, peer);
        }
        for (const auto& c : load.options().population.callers) peer.passwords[c.user] = c.password;
        peer.layer = peer_layer.get();
        peer.net = &net;
        load.attach(load_layer, "10.0.0.1:5060");
    }

    void step() {
        for (auto& dg : net.take_due()) {
            if (dg.to == load_sink.self())
                load_layer.receive(dg.bytes, dg.from, net.now);
            else if (dg.to == peer_sink.self())
                peer_layer->receive(dg.bytes, dg.from, net.now);
        }
        load_layer.advance(net.now);
        peer_layer->advance(net.now);
        load.advance(net.now);
    }

    // Runs until the load finished and the network and both layers are idle, or `limit`.
    bool run(sip::Duration limit = std::chrono::seconds(300)) {
        load.start(net.now);
        const TimePoint until = net.now + limit;
        for (;;) {
            step();
            if (load.finished() && !net.next_delivery() && !load_layer.next_deadline()) return true;
            if (net.now >= until) return false;
            TimePoint next = until;
            for (auto t : {net.next_delivery(), load_layer.next_deadline(),
                           peer_layer->next_deadline(), load.next_deadline()})
                if (t && *t < next) next = *t;
            net.now = std::max(next, net.now + std::chrono::microseconds(100));
        }
    }

    // The MESSAGE requests the load sent, parsed, retransmissions included.
    std::vector<sip::Message> sent() const {
        std::vector<sip::Message> out;
        for (const auto& d : net.log) {
            if (!(d.from == load_sink.self())) continue;
            auto m = sip::Message::parse(d.bytes);
            if (m && m->is_request()) out.push_back(std::move(*m));
        }
        return out;
    }
};

}  // namespace pbxbench::test
