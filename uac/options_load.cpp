#include "uac/options_load.hpp"

#include "sip/digest.hpp"
#include "sip/message_builder.hpp"

namespace pbxbench::uac {

using sip::TimePoint;

OptionsLoad::OptionsLoad(OptionsLoadOptions options, std::function<TimePoint()> clock)
    : options_(std::move(options)), clock_(std::move(clock)) {
    report_.method = "options";
    for (const char* c : {"to_pbx", "to_users", "challenges"}) report_.counters[c] = 0;
}

void OptionsLoad::attach(sip::TransactionLayer& layer, std::string sent_by) {
    layer_ = &layer;
    sent_by_ = std::move(sent_by);
}

TimePoint OptionsLoad::due(std::uint64_t index) const {
    return t0_ + std::chrono::duration_cast<sip::Duration>(
                     std::chrono::duration<double>(static_cast<double>(index) / options_.rate));
}

bool OptionsLoad::finished() const {
    const bool schedule_done = stopping_ || (options_.count != 0 && next_ >= options_.count);
    return started_ && schedule_done && pending_.empty();
}

void OptionsLoad::start(TimePoint now) {
    if (started_ || options_.targets.empty()) return;
    started_ = true;
    t0_ = now;
    advance(now);
}

void OptionsLoad::stop(TimePoint) {
    stopping_ = true;
    started_ = true;  // a load stopped before it started has nothing left to do
}

std::optional<TimePoint> OptionsLoad::next_deadline() const {
    if (!started_ || stopping_ || (options_.count != 0 && next_ >= options_.count))
        return std::nullopt;
    return due(next_);
}

void OptionsLoad::advance(TimePoint now) {
    if (!started_) return;
    while (!stopping_ && (options_.count == 0 || next_ < options_.count) && due(next_) <= now) {
        const std::uint64_t index = next_++;
        Ping& ping = pending_[index];
        ping.started = now;
        ping.target = index % options_.targets.size();
        // Call-IDs are unique per generator; the branch generator already is.
        ping.call_id = layer_->new_branch() + "@pbxbench";
        const bool to_user = options_.targets[ping.target].find('@') != std::string::npos;
        ++report_.counters[to_user ? "to_users" : "to_pbx"];
        ++report_.sent;
        send(index, ping, {}, now);
    }
}

void OptionsLoad::send(std::uint64_t index, Ping& ping, std::string_view authorization,
                       TimePoint now) {
    const std::string& target = options_.targets[ping.target];
    const std::string branch = layer_->new_branch();
    sip::MessageBuilder b;
    b.request_line("OPTIONS", target);
    b.header("Via", "SIP/2.0/UDP ", sent_by_, ";branch=", branch, ";rport");
    b.header("Max-Forwards", 70);
    b.header("From", "<sip:", options_.from_user, "@", options_.domain, ">;tag=o", index);
    b.header("To", "<", target, ">");
    b.header("Call-ID", ping.call_id);
    b.header("CSeq", ping.cseq, " OPTIONS");
    b.header("Contact", "<sip:", options_.from_user, "@", sent_by_, ">");
    b.header("Accept", "application/sdp");
    if (!authorization.empty()) {
        const std::size_t colon = authorization.find(':');
        b.header(authorization.substr(0, colon), authorization.substr(colon + 2));
    }
    const auto id = layer_->send_request(b.finish(), options_.next_hop, sip::Method::options,
                                         branch, index, now);
    if (id == 0) end(index, false, "transport", now);
}

void OptionsLoad::end(std::uint64_t index, bool ok, const std::string& failure, TimePoint now) {
    auto it = pending_.find(index);
    if (it == pending_.end()) return;
    if (ok) {
        ++report_.ok;
        report_.latency_ms.push_back(
            std::chrono::duration<double, std::milli>(now - it->second.started).count());
    } else {
        ++report_.failed;
        ++report_.failures[failure];
    }
    pending_.erase(it);
}

void OptionsLoad::on_response(sip::TransactionId id, std::uint64_t cookie, const sip::Message& r) {
    if (id == 0 || r.status() < 200) return;
    auto it = pending_.find(cookie);
    if (it == pending_.end()) return;
    Ping& ping = it->second;
    const int status = r.status();
    const TimePoint now = clock_();
    if ((status == 401 || status == 407) && !options_.password.empty() && !ping.challenged) {
        auto challenge = sip::parse_challenge(r.header(
            status == 401 ? sip::HeaderId::www_authenticate : sip::HeaderId::proxy_authenticate));
        if (challenge) {
            // Once per ping, with the next CSeq in the same call: a second challenge is a refusal.
            ping.challenged = true;
            ++ping.cseq;
            ++report_.counters["challenges"];
            const std::string value = sip::build_authorization(
                *challenge, {options_.from_user, options_.password}, "OPTIONS",
                options_.targets[ping.target], 1, sip::make_cnonce());
            send(
                cookie, ping,
                std::string(status == 401 ? "Authorization" : "Proxy-Authorization") + ": " + value,
                now);
            return;
        }
    }
    end(cookie, status < 300, std::to_string(status), now);
}

void OptionsLoad::on_client_timeout(sip::TransactionId, std::uint64_t cookie,
                                    sip::TransactionTimer) {
    end(cookie, false, "timeout", clock_());
}

void OptionsLoad::on_transport_error(sip::TransactionId, std::uint64_t cookie) {
    end(cookie, false, "transport", clock_());
}

void OptionsLoad::on_request(sip::TransactionId id, const sip::Message& request,
                             const sip::Address&) {
    layer_->respond(id, sip::response_to(request, 405, "ol").finish(), 405, clock_());
}

}  // namespace pbxbench::uac
