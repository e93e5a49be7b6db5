#pragma once
// A digest registrar on the fake network that keeps a binding table, with switches for the
// misbehaviours a load must survive: a shortened expiry, 423 Min-Expires, a 200 that does not
// echo our Contact, silence.
#include <map>
#include <string>
#include <vector>

#include "sip/digest.hpp"
#include "sip/message_builder.hpp"
#include "sip/text.hpp"
#include "sip/uri.hpp"
#include "tests/unit/support/fake_network.hpp"

namespace pbxbench::test {

struct FakeBindingRegistrar final : sip::TransactionUser {
    sip::TransactionLayer* layer = nullptr;
    FakeNetwork* net = nullptr;
    std::string password = "secret";
    std::string nonce = "n0";
    std::uint32_t min_expires = 0;                // 423 below this
    std::uint32_t max_expires = 3600;             // grants are cut to this
    bool echo_contact = true;                     // false: 200 without any Contact
    bool answer_options = true;                   // 200 to OPTIONS (to itself)
    bool challenge_options = false;               // 407 to OPTIONS without credentials
    std::map<std::string, std::string> bindings;  // AOR user -> contact
    std::vector<std::string> requests;            // every request received, raw
    std::vector<TimePoint> register_times;        // when each REGISTER arrived

    void on_request(sip::TransactionId id, const sip::Message& req, const Address&) override {
        requests.emplace_back(req.raw());
        if (req.method() == sip::Method::options) return options(id, req);
        register_times.push_back(net->now);
        auto fields = sip::parse_authorization(req.header(sip::HeaderId::authorization));
        const bool valid = fields && fields->nonce == nonce &&
                           sip::verify_authorization(*fields, password, "REGISTER");
        if (!valid) {
            auto b = sip::response_to(req, 401, "r1");
            b.header("WWW-Authenticate", "Digest realm=\"test\", nonce=\"", nonce,
                     "\", qop=\"auth\", algorithm=MD5");
            layer->respond(id, b.finish(), 401, net->now);
            return;
        }
        const auto expires = sip::parse_uint(req.header(sip::HeaderId::expires)).value_or(3600);
        if (expires != 0 && expires < min_expires) {
            auto b = sip::response_to(req, 423, "r1");
            b.header("Min-Expires", min_expires);
            layer->respond(id, b.finish(), 423, net->now);
            return;
        }
        auto contact = sip::parse_name_addr(req.header(sip::HeaderId::contact));
        auto to_uri = sip::parse_uri(req.to().uri);
        const std::string user(to_uri ? to_uri->user : std::string_view{});
        auto b = sip::response_to(req, 200, "r1");
        if (expires == 0) {
            bindings.erase(user);
        } else {
            const std::uint64_t granted = std::min<std::uint64_t>(expires, max_expires);
            bindings[user] = std::string(contact->uri);
            if (echo_contact) b.header("Contact", "<", contact->uri, ">;expires=", granted);
        }
        layer->respond(id, b.finish(), 200, net->now);
    }
    void options(sip::TransactionId id, const sip::Message& req) {
        if (challenge_options && !req.has(sip::HeaderId::proxy_authorization)) {
            auto b = sip::response_to(req, 407, "o1");
            b.header("Proxy-Authenticate", "Digest realm=\"test\", nonce=\"", nonce, "\"");
            layer->respond(id, b.finish(), 407, net->now);
            return;
        }
        if (!answer_options) return;
        // Users without a binding are unknown here; the PBX itself (no user part) answers.
        auto uri = sip::parse_uri(req.request_uri());
        const bool known = uri && (uri->user.empty() || bindings.count(std::string(uri->user)));
        const int status = known ? 200 : 404;
        layer->respond(id, sip::response_to(req, status, "o1").finish(), status, net->now);
    }
    void on_ack(const sip::Message&, const Address&) override {}
    void on_response(sip::TransactionId, std::uint64_t, const sip::Message&) override {}
    void on_client_timeout(sip::TransactionId, std::uint64_t, sip::TransactionTimer) override {}
    void on_transport_error(sip::TransactionId, std::uint64_t) override {}
};

}  // namespace pbxbench::test
