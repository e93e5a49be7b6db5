#include "uac/message_load.hpp"

#include <random>

#include "sip/message_builder.hpp"
#include "sip/pbxbench_headers.hpp"

namespace pbxbench::uac {

namespace {

// The page-mode body: readable text of exactly `bytes` bytes, so the size asked for is the
// size on the wire (Content-Length), whatever the message number.
std::string make_body(std::size_t bytes) {
    static constexpr std::string_view text = "pbxbench MESSAGE load, RFC 3428 page mode. ";
    std::string body;
    body.reserve(bytes);
    while (body.size() < bytes) body.append(text.substr(0, bytes - body.size()));
    return body;
}

}  // namespace

MessageLoad::MessageLoad(MessageLoadOptions options, NowFn now)
    : options_(std::move(options)), now_(std::move(now)) {
    if (options_.id_prefix.empty()) {
        std::random_device rd;
        char prefix[20];
        std::snprintf(prefix, sizeof prefix, "msg%08x", rd());
        options_.id_prefix = prefix;
    }
    if (options_.rate <= 0) options_.rate = 1;
    body_ = make_body(options_.body_bytes);
    report_.method = "message";
    report_.counters["accepted_202"] = 0;
    report_.counters["challenges"] = 0;
}

void MessageLoad::attach(sip::TransactionLayer& layer, std::string sent_by) {
    layer_ = &layer;
    sent_by_ = std::move(sent_by);
    digests_.assign(options_.population.callers.size(), CallerDigest{});
    callee_uris_.clear();
    for (const auto& e : options_.population.callees)
        callee_uris_.push_back("sip:" + e + "@" + options_.population.domain);
}

sip::TimePoint MessageLoad::due(std::uint64_t index) const {
    // From t0 every time, never by accumulation, so rounding cannot drift.
    return t0_ + std::chrono::duration_cast<sip::Duration>(
                     std::chrono::duration<double>(static_cast<double>(index) / options_.rate));
}

void MessageLoad::start(sip::TimePoint now) {
    t0_ = now;
    started_ = true;
    advance(now);
}

void MessageLoad::advance(sip::TimePoint now) {
    while (started_ && !stopped_ && next_index_ < options_.total && due(next_index_) <= now)
        send_new(next_index_++, now);
}

std::optional<sip::TimePoint> MessageLoad::next_deadline() const {
    if (!started_ || stopped_ || next_index_ >= options_.total) return std::nullopt;
    return due(next_index_);
}

void MessageLoad::stop(sip::TimePoint) {
    stopped_ = true;
}

bool MessageLoad::finished() const {
    return started_ && pending_.empty() && (stopped_ || next_index_ >= options_.total);
}

MethodLoadReport MessageLoad::report() const {
    MethodLoadReport r = report_;
    // MESSAGEs still waiting for their answer when asked (after a stop and its grace).
    if (!pending_.empty()) r.counters["unanswered"] = pending_.size();
    return r;
}

std::string MessageLoad::call_id(std::uint64_t index) const {
    std::string id = options_.id_prefix;
    id.append("-m");
    sip::append_uint(id, index);
    id.append("@pbxbench");
    return id;
}

void MessageLoad::send_new(std::uint64_t index, sip::TimePoint now) {
    const CallPair pair = options_.population.pick(index);
    Pending p;
    p.caller = pair.caller;
    p.callee = pair.callee;
    p.first_sent = now;
    p.from_tag = options_.id_prefix;
    sip::append_uint(p.from_tag, index);
    ++report_.sent;
    const Subscriber& caller = options_.population.callers[p.caller];
    std::string authorization = digests_[p.caller].cached_line({caller.user, caller.password},
                                                               "MESSAGE", callee_uris_[p.callee]);
    if (!authorization.empty()) {
        p.sent_cached_credentials = true;
        ++report_.counters["nonce_reused"];
    }
    auto [it, inserted] = pending_.emplace(index, std::move(p));
    if (!send(index, it->second, authorization, now)) fail(index, "transport");
}

bool MessageLoad::send(std::uint64_t index, Pending& p, const std::string& authorization,
                       sip::TimePoint now) {
    const Subscriber& caller = options_.population.callers[p.caller];
    const std::string& to = callee_uris_[p.callee];
    const std::string branch = layer_->new_branch();
    sip::MessageBuilder b(640 + body_.size());
    b.request_line("MESSAGE", to);
    b.header("Via", "SIP/2.0/UDP ", sent_by_, ";branch=", branch, ";rport");
    b.header("Max-Forwards", 70);
    b.header("From", "<sip:", caller.user, "@", options_.population.domain, ">;tag=", p.from_tag);
    b.header("To", "<", to, ">");
    b.header("Call-ID", call_id(index));
    b.header("CSeq", p.cseq, " MESSAGE");
    b.header(sip::id_header, options_.id_prefix, '-', index);
    // The first send's time, also on a resend after a challenge: delivery latency then
    // includes the challenge round trip, as the user waiting for the message sees it.
    b.header(sip::sent_header, sip::stamp_ns(p.first_sent));
    if (!authorization.empty()) {
        const auto colon = authorization.find(':');
        b.header(std::string_view(authorization).substr(0, colon),
                 std::string_view(authorization).substr(colon + 2));
    }
    b.header("User-Agent", "pbxbench/" PBXBENCH_VERSION);
    std::string bytes = b.finish(body_, options_.content_type);
    return layer_->send_request(std::move(bytes), options_.next_hop, sip::Method::message, branch,
                                index, now) != 0;
}

void MessageLoad::fail(std::uint64_t index, const std::string& why) {
    pending_.erase(index);
    ++report_.failed;
    ++report_.failures[why];
}

void MessageLoad::on_response(sip::TransactionId id, std::uint64_t cookie, const sip::Message& r) {
    // A response matching no transaction (id 0) repeats one already handled: ignored, so a
    // retransmitted 200 is never counted twice.
    if (id == 0 || r.status() < 200) return;
    auto it = pending_.find(cookie);
    if (it == pending_.end()) return;
    const sip::TimePoint now = now_();
    if (r.status() < 300) {
        const double ms =
            std::chrono::duration<double, std::milli>(now - it->second.first_sent).count();
        report_.latency_ms.push_back(ms);
        ++report_.ok;
        if (r.status() == 202) ++report_.counters["accepted_202"];
        pending_.erase(it);
        return;
    }
    if (r.status() == 401 || r.status() == 407) {
        on_challenge(cookie, it->second, r, now);
        return;
    }
    fail(cookie, std::to_string(r.status()));
}

void MessageLoad::on_challenge(std::uint64_t index, Pending& p, const sip::Message& r,
                               sip::TimePoint now) {
    ++report_.counters["challenges"];
    CallerDigest& digest = digests_[p.caller];
    // As for INVITEs (call_core_auth.cpp): one answer per request, one more when the first
    // send reused a nonce the server no longer takes, and one more for stale=true (right
    // credentials, refused nonce); never an endless loop with a server that is always stale.
    const int allowed = (p.sent_cached_credentials ? 2 : 1) + (CallerDigest::is_stale(r) ? 1 : 0);
    if (p.auth_tries >= allowed) {
        ++report_.counters["auth_failures"];
        digest.forget();
        fail(index, std::to_string(r.status()));
        return;
    }
    const Subscriber& caller = options_.population.callers[p.caller];
    std::string line;
    auto answer =
        digest.answer(r, {caller.user, caller.password}, "MESSAGE", callee_uris_[p.callee], line);
    if (answer != CallerDigest::Answer::answered) {
        if (answer == CallerDigest::Answer::unsupported) ++report_.counters["auth_unsupported"];
        fail(index, std::to_string(r.status()));
        return;
    }
    ++p.auth_tries;
    ++p.cseq;
    if (!send(index, p, line, now)) fail(index, "transport");
}

void MessageLoad::on_client_timeout(sip::TransactionId, std::uint64_t cookie,
                                    sip::TransactionTimer) {
    if (pending_.contains(cookie)) fail(cookie, "timeout");
}

void MessageLoad::on_transport_error(sip::TransactionId, std::uint64_t cookie) {
    if (pending_.contains(cookie)) fail(cookie, "transport");
}

void MessageLoad::on_request(sip::TransactionId id, const sip::Message& request,
                             const sip::Address&) {
    // A load sends only; anything sent to it is refused rather than left to time out.
    layer_->respond(id, sip::response_to(request, 405, {}).finish(), 405, now_());
}

void MessageLoad::on_ack(const sip::Message&, const sip::Address&) {}

}  // namespace pbxbench::uac
