#pragma once
// The UAC call core over the fake network and clock: the core (with a recording media fake) on
// one transaction layer at 10.0.0.1:5060, and at 10.0.0.2:5060 either a real UasAgent or a
// hand-written Phone that challenges, registers, refuses and sends in-dialog requests of its own.
// The rig jumps the clock from one deadline to the next, so 30 s of Timer B cost nothing.
#include <map>
#include <memory>
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
#include "tests/unit/support/test_agents.hpp"
#include "uac/call_core.hpp"
#include "uas/uas_agent.hpp"

namespace pbxbench::test {

// Records what the core asks of the media layer; every stream reports `source` as its RTP source.
class FakeMedia final : public uac::UacMedia {
  public:
    struct Target {
        std::uint32_t id;
        sip::MediaEndpoint remote;
    };
    std::vector<std::uint32_t> allocated;
    std::vector<Target> started;
    std::vector<Target> retargeted;
    std::vector<std::uint32_t> stopped;
    std::vector<std::uint32_t> ended;
    std::optional<uac::UacRtpSource> source;
    bool exhausted = false;  // allocate() finds no free port

    std::optional<uac::UacMediaSlot> allocate() override {
        if (exhausted) return std::nullopt;
        const auto id = static_cast<std::uint32_t>(allocated.size() + 1);
        allocated.push_back(id);
        ++live_;
        return uac::UacMediaSlot{id, static_cast<std::uint16_t>(30000 + 2 * id), 0x1000 + id};
    }
    void start(std::uint32_t id, const sip::MediaEndpoint& remote, sip::TimePoint) override {
        started.push_back({id, remote});
    }
    void retarget(std::uint32_t id, const sip::MediaEndpoint& remote) override {
        retargeted.push_back({id, remote});
    }
    void stop_sending(std::uint32_t id) override { stopped.push_back(id); }
    std::optional<uac::UacRtpSource> rtp_source(std::uint32_t) const override { return source; }
    void end(std::uint32_t id, sip::TimePoint) override {
        ended.push_back(id);
        --live_;
    }
    std::size_t streams() const override { return live_; }
    std::chrono::milliseconds linger() const override { return std::chrono::milliseconds(200); }

  private:
    std::size_t live_ = 0;
};

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
    int bye_status = 200;         // 0: BYEs get no answer (Timer F)
    bool challenge_byes = false;  // a BYE without credentials gets 407
    std::string media_host = "10.0.0.2";
    std::uint16_t media_port = 40000;
    // Digest: INVITEs are challenged with `auth`; REGISTERs always with 401.
    Auth auth = Auth::none;
    std::string algorithm = "MD5";
    bool stale_on_reuse = false;  // a reused nonce (nc > 1) gets a fresh one with stale=true
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
                    respond(id, req, 200);
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
        std::string req = sip::build_in_dialog_request(
            d, {method, "10.0.0.2:5060", branch, cseq,
                target_refresh ? std::string_view(contact) : std::string_view{}, body});
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
        if (!send_final) {
            ringing_[std::string(req.call_id())] = {id, std::string(req.raw())};
            return;
        }
        auto b = sip::response_to(req, 200, tag);
        if (!record_route.empty()) b.header("Record-Route", record_route);
        b.header("Contact", "<", contact_2xx, ">");
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
            const std::uint64_t nc = f->nc.empty() ? 1 : std::stoull(f->nc, nullptr, 16);
            if (nc > last_nc[f->nonce]) {
                last_nc[f->nonce] = nc;
                if (!(stale_on_reuse && nc > 1)) return true;
                stale = true;
                ++stale_sent;
            }
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

// Forwards the far end's transaction events, recording the requests it saw (each server
// transaction once): "what the UAS saw".
struct Tap final : sip::TransactionUser {
    sip::TransactionUser* inner = nullptr;
    std::vector<std::string> requests;

    void on_request(sip::TransactionId id, const sip::Message& r, const Address& a) override {
        requests.emplace_back(r.raw());
        inner->on_request(id, r, a);
    }
    void on_ack(const sip::Message& m, const Address& a) override { inner->on_ack(m, a); }
    void on_response(sip::TransactionId id, std::uint64_t c, const sip::Message& r) override {
        inner->on_response(id, c, r);
    }
    void on_client_timeout(sip::TransactionId id, std::uint64_t c,
                           sip::TransactionTimer t) override {
        inner->on_client_timeout(id, c, t);
    }
    void on_transport_error(sip::TransactionId id, std::uint64_t c) override {
        inner->on_transport_error(id, c);
    }
    void on_server_timeout(sip::TransactionId id, sip::TransactionTimer t) override {
        inner->on_server_timeout(id, t);
    }

    // The initial INVITEs seen, parsed.
    std::vector<sip::Message> invites() const {
        std::vector<sip::Message> out;
        for (const auto& raw : requests) {
            auto m = sip::Message::parse(raw);
            if (m && m->method() == sip::Method::invite && m->to().tag().empty())
                out.push_back(std::move(*m));
        }
        return out;
    }
};

// Options for calls to bob at the far end, one call held 1 s, no media ports needed.
inline uac::BatchOptions rig_options() {
    uac::BatchOptions o;
    o.target_uri = "sip:bob@10.0.0.2:5060";
    o.next_hop = fake_address("10.0.0.2", 5060);
    o.total = 1;
    o.cps = 10;
    o.hold = std::chrono::milliseconds(1000);
    o.call_id_prefix = "t1";
    return o;
}

// A population of named callers (password "pw-USER") and callees in domain pbx.test.
inline uac::Population population(std::vector<std::string> callers,
                                  std::vector<std::string> callees) {
    uac::Population p;
    for (auto& c : callers) p.callers.push_back({c, "pw-" + c});
    p.callees = std::move(callees);
    p.domain = "pbx.test";
    return p;
}

enum class WithMedia { yes, no };

struct UacRig {
    FakeNetwork net;
    FakeSink uac_sink{net, fake_address("10.0.0.1", 5060)};
    FakeSink peer_sink{net, fake_address("10.0.0.2", 5060)};
    FakeMedia media;
    Phone phone;
    std::unique_ptr<uas::UasAgent> uas;
    Tap tap;
    uac::UacCore core;
    sip::TransactionLayer uac_layer;
    sip::TransactionLayer peer_layer;
    int ready = 0;     // on_ready calls
    int finished = 0;  // on_finished calls
    // Checked when on_ready fires (e.g. that every caller registered first).
    std::function<void()> at_ready;

    // The far end is a UasAgent when `uas_config` is given, else the Phone.
    explicit UacRig(uac::BatchOptions o, std::optional<uas::AgentConfig> uas_config = {},
                    WithMedia with_media = WithMedia::yes)
        : core(std::move(o), with_media == WithMedia::yes ? &media : nullptr,
               [this] { return net.now; }),
          uac_layer(uac_sink, core, core.options().timers),
          peer_layer(peer_sink, tap, core.options().timers) {
        if (uas_config) {
            uas_config->user = "bob";
            uas_config->media_address = "10.0.0.2";
            uas = std::make_unique<uas::UasAgent>(*uas_config, [this] { return net.now; });
            uas->attach(peer_layer, "10.0.0.2:5060");
            tap.inner = uas.get();
        } else {
            tap.inner = &phone;
        }
        phone.layer = &peer_layer;
        phone.net = &net;
        phone.uac = uac_sink.self();
        core.on_ready = [this] {
            ++ready;
            if (at_ready) at_ready();
            core.begin_calls(net.now, net.now);
        };
        core.on_finished = [this] { ++finished; };
        core.attach(uac_layer, "10.0.0.1:5060", "10.0.0.1");
    }

    void start() { core.start(net.now); }

    // Delivers what is due, then fires every timer due now.
    void step() {
        for (auto& dg : net.take_due()) {
            if (dg.to == uac_sink.self()) {
                uac_layer.receive(dg.bytes, dg.from, net.now);
            } else if (dg.to == peer_sink.self()) {
                peer_layer.receive(dg.bytes, dg.from, net.now);
            }
        }
        uac_layer.advance(net.now);
        peer_layer.advance(net.now);
        if (uas) uas->advance(net.now);
        core.advance(net.now);
    }

    // Runs until `done()` holds or `limit` of simulated time passed, jumping from one deadline
    // to the next (at least 1 ms at a time). Returns done().
    template <class Done>
    bool run_until(Done done, sip::Duration limit = std::chrono::seconds(300)) {
        const TimePoint until = net.now + limit;
        for (;;) {
            step();
            if (done()) return true;
            if (net.now >= until) return false;
            TimePoint next = until;
            auto consider = [&](std::optional<TimePoint> t) {
                if (t && *t < next) next = *t;
            };
            consider(net.next_delivery());
            consider(uac_layer.next_deadline());
            consider(peer_layer.next_deadline());
            consider(core.next_deadline());
            if (uas) consider(uas->next_deadline());
            net.now = std::max(next, net.now + std::chrono::milliseconds(1));
        }
    }
    void run_for(sip::Duration d) {
        const TimePoint until = net.now + d;
        run_until([&] { return net.now >= until; }, d);
    }
    // Starts and runs until the core finished; false if it did not within `limit`.
    bool run(sip::Duration limit = std::chrono::seconds(300)) {
        start();
        return run_until([&] { return core.finished(); }, limit);
    }

    const uac::CallStats& stats() const { return core.stats(); }
    std::uint64_t count(uac::Outcome o) const { return core.stats().count(o); }
    std::uint64_t ended() const {
        std::uint64_t n = 0;
        for (auto v : core.stats().outcomes) n += v;
        return n;
    }
    // The requests the core sent, parsed, retransmissions included.
    std::vector<sip::Message> sent(std::string_view method) const {
        return requests_from(uac_sink.self(), method);
    }
    // The requests the far end sent.
    std::vector<sip::Message> peer_sent(std::string_view method) const {
        return requests_from(peer_sink.self(), method);
    }
    std::vector<sip::Message> requests_from(const Address& from, std::string_view method) const {
        std::vector<sip::Message> out;
        for (const auto& d : net.log) {
            if (!(d.from == from)) continue;
            auto m = sip::Message::parse(d.bytes);
            if (m && m->is_request() && m->method_token() == method) out.push_back(std::move(*m));
        }
        return out;
    }
    // The responses the core sent with this status, parsed.
    std::vector<sip::Message> replies(int status, std::string_view method) const {
        std::vector<sip::Message> out;
        for (const auto& d : net.log) {
            if (!(d.from == uac_sink.self())) continue;
            auto m = sip::Message::parse(d.bytes);
            if (m && m->is_response() && m->status() == status && m->cseq().method_token == method)
                out.push_back(std::move(*m));
        }
        return out;
    }
    // The Call-ID of the only call the Phone answered.
    std::string answered_call() const {
        return phone.dialogs.empty() ? std::string{} : phone.dialogs.begin()->first;
    }
};

}  // namespace pbxbench::test
