#pragma once
// A hand-written far end for the UAC core tests: answers INVITEs (after a digest challenge if
// asked), rings without answering, record-routes, serves REGISTER as a digest registrar, answers
// or challenges BYE, and sends in-dialog requests (re-INVITE, UPDATE, BYE, INFO) on demand.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sip/dialog.hpp"
#include "sip/digest.hpp"
#include "sip/message_builder.hpp"
#include "sip/sdp.hpp"
#include "sip/text.hpp"
#include "sip/uri.hpp"
#include "tests/unit/support/fake_network.hpp"

namespace pbxbench::test {

// An SDP offer from the far end at host:port (a re-INVITE or UPDATE moving its media).
inline std::string peer_offer(std::string_view host, std::uint16_t port, std::uint64_t version) {
    sip::OfferParams p;
    p.address = std::string(host);
    p.rtp_port = port;
    p.session_id = 77;
    p.session_version = version;
    return sip::build_offer(p);
}

// The answer to `offer_body` from host:port, or empty when the offer is unusable.
inline std::string answer_to(std::string_view offer_body, std::string_view host,
                             std::uint16_t port) {
    auto offer = sip::parse_sdp(offer_body);
    if (!offer) return {};
    sip::AnswerParams a;
    a.address = std::string(host);
    a.rtp_port = port;
    a.session_id = 77;
    a.session_version = 1;
    auto answer = sip::build_answer(*offer, a);
    return answer ? *answer : std::string{};
}

inline std::string uri_user(std::string_view uri) {
    auto u = sip::parse_uri(uri);
    return u ? std::string(u->user) : std::string{};
}

// A hand-written far end: answers INVITEs (after a digest challenge if asked), serves REGISTER
// as a digest registrar, answers BYE with `bye_status`, and sends in-dialog requests on demand.
struct Phone final : sip::TransactionUser {
    enum class Auth { none, proxy, www };

    sip::TransactionLayer* layer = nullptr;
    FakeNetwork* net = nullptr;
    Address uac;
    // How INVITEs are treated.
    bool answer_invites = true;  // false: never a response (Timer B)
    bool ring = true;
    bool send_final = true;    // false: ring and never answer (a CANCEL or Timer C ends it)
    bool cancel_487 = true;    // a CANCEL ends the ringing INVITE with 487
    std::string record_route;  // added to the 180/200 when set
    std::string contact_2xx = "sip:peer@10.0.0.2:5060";
    bool sdp_in_2xx = true;       // false: a 2xx without an answer (media cannot start)
    std::uint16_t early_media_port = 0;  // set: a 183 with an answer from this port first
    std::string session_expires_2xx;     // set: the 2xx carries this Session-Expires value
    // Extra header lines ("Name", "value") for the next request send() builds.
    std::vector<std::pair<std::string, std::string>> next_headers;
    int bye_status = 200;         // 0: BYEs get no answer (Timer F)
    bool challenge_byes = false;  // a BYE without credentials gets 407
    std::string media_host = "10.0.0.2";
    std::uint16_t media_port = 40000;
    // Digest: INVITEs are challenged with `auth`; REGISTERs always with 401.
    Auth auth = Auth::none;
    std::string algorithm = "MD5";
    bool stale_on_reuse = false;  // a reused nonce (nc > 1) gets a fresh one with stale=true
    bool stale_next = false;      // the next right credentials get a fresh nonce, stale=true
    bool always_stale = false;    // every right credentials do (a broken server)
    std::map<std::string, std::string> passwords;
    // Registrar.
    std::uint32_t max_expires = 3600;
    std::set<std::string> refuse;  // users whose REGISTER gets 403
    bool answer_registers = true;  // false: REGISTERs get no answer (Timer F)
    // Our own re-INVITEs: ACK every 2xx at once (false: send_ack() later); an offer in the
    // 2xx (to an SDP-less re-INVITE) is answered in the ACK from answer_host:answer_port.
    bool auto_ack = true;
    std::string answer_host = "10.0.0.6";
    std::uint16_t answer_port = 42000;
    // Re-INVITEs from the core (hold, resume) get these statuses in turn (0: no answer at
    // all), then 200; a 200 carries the RFC 3264 answer to the offer from media_host.
    std::vector<int> reinvite_statuses;
    std::vector<std::string> reinvites;  // raw re-INVITEs from the core, in arrival order
    std::vector<TimePoint> reinvite_times;
    // The Contact of our re-INVITEs and UPDATEs (a target refresh, RFC 3261 §12.2).
    std::string contact = "sip:peer@10.0.0.2:5060";

    // What arrived.
    std::vector<std::string> requests;  // method tokens, one per server transaction
    std::vector<std::string> invites;   // raw initial INVITEs
    std::vector<std::string> registers;
    std::map<std::string, int> register_ok;  // user -> 2xx to a binding REGISTER
    std::map<std::string, int> unregister_ok;
    std::map<std::string, int> bye_ok;    // call-id -> 2xx sent to a BYE
    std::vector<std::string> acks;        // raw ACKs of 2xx
    std::vector<std::string> challenges;  // nonces issued
    int stale_sent = 0;
    struct Response {
        int status;
        std::string method;
        std::string raw;
    };
    std::vector<Response> responses;               // to our own requests
    std::map<std::string, sip::Dialog> dialogs;    // call-id -> our side of an answered call
    std::map<std::string, std::uint64_t> last_nc;  // nonce -> highest nc accepted

    void on_request(sip::TransactionId id, const sip::Message& req, const Address&) override {
        requests.emplace_back(req.method_token());
        switch (req.method()) {
            case sip::Method::invite:
                if (req.to().tag().empty())
                    on_invite(id, req);
                else
                    on_reinvite(id, req);
                return;
            case sip::Method::register_:
                on_register(id, req);
                return;
            case sip::Method::bye:
                if (bye_status == 0) return;
                if (challenge_byes && !authorized(id, req, true)) return;
                respond(id, req, bye_status);
                if (bye_status == 200) ++bye_ok[std::string(req.call_id())];
                return;
            case sip::Method::cancel:
                respond(id, req, 200);
                if (auto it = ringing_.find(std::string(req.call_id()));
                    it != ringing_.end() && cancel_487) {
                    auto invite = sip::Message::parse(it->second.second);
                    layer->respond(it->second.first, sip::response_to(*invite, 487, "p1").finish(),
                                   487, net->now);
                    ringing_.erase(it);
                }
                return;
            default:
                respond(id, req, 200);
        }
    }
    void on_ack(const sip::Message& ack, const Address&) override { acks.emplace_back(ack.raw()); }
    void on_response(sip::TransactionId id, std::uint64_t, const sip::Message& r) override {
        if (id != 0)
            responses.push_back(
                {r.status(), std::string(r.cseq().method_token), std::string(r.raw())});
        const bool ok_invite =
            r.cseq().method == sip::Method::invite && r.status() >= 200 && r.status() < 300;
        if (ok_invite && auto_ack)
            send_ack(r.call_id(), r.cseq().number,
                     offerless_.count(r.cseq().number)
                         ? answer_to(r.body(), answer_host, answer_port)
                         : std::string{});
    }
    void on_client_timeout(sip::TransactionId, std::uint64_t, sip::TransactionTimer) override {}
    void on_transport_error(sip::TransactionId, std::uint64_t) override {}

    void respond(sip::TransactionId id, const sip::Message& req, int status,
                 std::string_view body = {}) {
        layer->respond(id, sip::response_to(req, status, "p1").finish(body), status, net->now);
    }

    // Sends an in-dialog request of ours in the call `call_id`; `cseq` overrides the next number.
    void send(std::string_view call_id, std::string_view method, std::string_view body = {},
              std::optional<std::uint32_t> cseq = {}) {
        sip::Dialog& d = dialogs.at(std::string(call_id));
        std::string branch = layer->new_branch();
        const bool target_refresh = method == "INVITE" || method == "UPDATE";
        std::vector<std::pair<std::string_view, std::string_view>> extra;
        for (const auto& [name, value] : next_headers) extra.emplace_back(name, value);
        std::string req = sip::build_in_dialog_request(
            d, {method, "10.0.0.2:5060", branch, cseq,
                target_refresh ? std::string_view(contact) : std::string_view{}, body, extra});
        next_headers.clear();
        if (method == "INVITE" && body.empty()) offerless_.insert(cseq ? *cseq : d.local_seq);
        layer->send_request(std::move(req), uac, sip::method_from(method), branch, 0, net->now);
    }
    void send_ack(std::string_view call_id, std::uint32_t cseq, std::string_view body) {
        auto it = dialogs.find(std::string(call_id));
        if (it == dialogs.end()) return;
        std::string ack = sip::build_in_dialog_request(
            it->second, {"ACK", "10.0.0.2:5060", layer->new_branch(), cseq, {}, body});
        layer->send_stateless(ack, uac);
    }
    const Response* last(std::string_view method) const {
        for (auto it = responses.rbegin(); it != responses.rend(); ++it)
            if (it->method == method) return &*it;
        return nullptr;
    }

  private:
    int tags_ = 0;
    std::size_t reinvites_answered_ = 0;

    void on_reinvite(sip::TransactionId id, const sip::Message& req) {
        reinvites.emplace_back(req.raw());
        reinvite_times.push_back(net->now);
        const int status = reinvites_answered_ < reinvite_statuses.size()
                               ? reinvite_statuses[reinvites_answered_]
                               : 200;
        ++reinvites_answered_;
        if (status == 0) return;
        respond(id, req, status,
                status == 200 ? answer_to(req.body(), media_host, media_port) : std::string{});
    }
    std::set<std::uint32_t> offerless_;  // CSeq of our re-INVITEs without SDP
    // call-id -> the ringing INVITE's transaction and raw text (send_final false)
    std::map<std::string, std::pair<sip::TransactionId, std::string>> ringing_;

    void on_invite(sip::TransactionId id, const sip::Message& req) {
        invites.emplace_back(req.raw());
        if (!answer_invites) return;
        if (auth != Auth::none && !authorized(id, req, auth == Auth::proxy)) return;
        const std::string tag = "p" + std::to_string(++tags_);
        if (ring) {
            auto b = sip::response_to(req, 180, tag);
            if (!record_route.empty()) b.header("Record-Route", record_route);
            layer->respond(id, b.finish(), 180, net->now);
        }
        if (early_media_port != 0) {
            auto b = sip::response_to(req, 183, tag);
            b.header("Contact", "<", contact_2xx, ">");
            layer->respond(id, b.finish(answer_to(req.body(), media_host, early_media_port)), 183,
                           net->now);
        }
        if (!send_final) {
            ringing_[std::string(req.call_id())] = {id, std::string(req.raw())};
            return;
        }
        auto b = sip::response_to(req, 200, tag);
        if (!record_route.empty()) b.header("Record-Route", record_route);
        b.header("Contact", "<", contact_2xx, ">");
        if (!session_expires_2xx.empty()) b.header("Session-Expires", session_expires_2xx);
        layer->respond(
            id,
            b.finish(sdp_in_2xx ? answer_to(req.body(), media_host, media_port) : std::string{}),
            200, net->now);
        auto d = sip::make_uas_dialog(req, tag);
        if (d) dialogs[std::string(req.call_id())] = std::move(*d);
    }

    void on_register(sip::TransactionId id, const sip::Message& req) {
        registers.emplace_back(req.raw());
        if (!answer_registers) return;
        if (!authorized(id, req, false)) return;
        const std::string user = uri_user(req.to().uri);
        if (refuse.count(user)) {
            respond(id, req, 403);
            return;
        }
        const auto expires = sip::parse_uint(req.header(sip::HeaderId::expires)).value_or(3600);
        auto b = sip::response_to(req, 200, "r1");
        if (expires == 0) {
            ++unregister_ok[user];
        } else {
            ++register_ok[user];
            auto binding = sip::parse_name_addr(req.header(sip::HeaderId::contact));
            b.header("Contact", "<", binding->uri,
                     ">;expires=", std::min<std::uint64_t>(expires, max_expires));
        }
        layer->respond(id, b.finish(), 200, net->now);
    }

    // Whether `req` carries valid credentials for a nonce we issued, with an nc higher than any
    // seen for that nonce (a replay is refused); otherwise sends a fresh challenge.
    bool authorized(sip::TransactionId id, const sip::Message& req, bool proxy) {
        auto value =
            req.header(proxy ? sip::HeaderId::proxy_authorization : sip::HeaderId::authorization);
        bool stale = false;
        auto f = sip::parse_authorization(value);
        if (!value.empty() && f && std::count(challenges.begin(), challenges.end(), f->nonce) &&
            passwords.count(f->username) &&
            sip::verify_authorization(*f, passwords[f->username], req.method_token())) {
            // Right credentials: refused only for how the nonce was used, which stale=true
            // says (RFC 7616 §3.3): an nc not above the last one (a replay, or two calls'
            // INVITEs reordered), a reuse we do not allow, or the test's stale_next.
            const std::uint64_t nc = f->nc.empty() ? 1 : std::stoull(f->nc, nullptr, 16);
            const bool replay = nc <= last_nc[f->nonce];
            last_nc[f->nonce] = std::max(last_nc[f->nonce], nc);
            if (!replay && !(stale_on_reuse && nc > 1) && !stale_next && !always_stale) return true;
            stale_next = false;
            stale = true;
            ++stale_sent;
        }
        challenges.push_back("nonce" + std::to_string(challenges.size() + 1));
        const int status = proxy ? 407 : 401;
        auto b = sip::response_to(req, status, "c1");
        b.header(proxy ? "Proxy-Authenticate" : "WWW-Authenticate",
                 "Digest realm=\"pbx.test\", nonce=\"", challenges.back(),
                 "\", qop=\"auth\", algorithm=", algorithm,
                 stale ? std::string_view(", stale=true") : std::string_view{});
        layer->respond(id, b.finish(), status, net->now);
        return false;
    }
};

}  // namespace pbxbench::test
