#include "uas/uas_pool.hpp"

#include <algorithm>
#include <map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <nlohmann/json.hpp>

#include "sip/endpoint.hpp"
#include "sip/text.hpp"
#include "uas/echo_media.hpp"

namespace pbxbench::uas {

using State = sip::Registration::State;

struct UasPool::Node {
    // Declared before the endpoint, so the endpoint (which calls into the agent) dies first.
    std::unique_ptr<UasAgent> agent;
    std::unique_ptr<sip::Endpoint> endpoint;
    bool reported = false;
};

struct UasPool::Timers {
    explicit Timers(boost::asio::io_context& io) : deadline(io), shutdown(io) {}
    boost::asio::steady_timer deadline;  // the earliest deadline of any agent
    std::optional<sip::TimePoint> armed_at;
    boost::asio::steady_timer shutdown;
};

std::vector<UserCredentials> parse_user_list(std::string_view list) {
    std::vector<UserCredentials> users;
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t end = std::min(list.find(',', start), list.size());
        std::string_view item = sip::trim(list.substr(start, end - start));
        if (!item.empty()) {
            std::size_t colon = item.find(':');
            users.push_back(
                {std::string(item.substr(0, colon)), colon == std::string_view::npos
                                                         ? std::string()
                                                         : std::string(item.substr(colon + 1))});
        }
        start = end + 1;
    }
    return users;
}

UasPool::UasPool(boost::asio::io_context& io, const PoolOptions& options, PoolListener& listener)
    : options_(options),
      listener_(listener),
      timers_(std::make_unique<Timers>(io)),
      drops_left_(options.drop_invites) {}

UasPool::~UasPool() {
    close();
}

Result<std::unique_ptr<UasPool>> UasPool::open(boost::asio::io_context& io,
                                               const PoolOptions& options, PoolListener& listener) {
    if (options.count < 1) return fail("--endpoints must be at least 1");
    std::unique_ptr<UasPool> pool(new UasPool(io, options, listener));
    const auto n = static_cast<unsigned>(options.count);
    if (options.media) {
        media::EngineOptions eo = options.media_engine;
        eo.bind_host = options.bind_host == "0.0.0.0" ? "127.0.0.1" : options.bind_host;
        eo.receive_on_ready = true;  // echo at once: the caller measures our turnaround
        auto engine = media::MediaEngine::open(io, eo, media::make_tone_source());
        if (!engine) return fail("media: " + engine.error().message);
        pool->media_ = std::move(*engine);
        pool->echo_ = std::make_unique<EchoMedia>(*pool->media_);
    }
    // Each endpoint advertises media ports from its own even-sized slice, at most 1,000 ports.
    unsigned span =
        std::min(1000u, (65534u - std::min<unsigned>(options.media_base_port, 65532u)) / n) & ~1u;
    span = std::max(span, 2u);
    for (unsigned i = 0; i < n; ++i) {
        auto node = std::make_unique<Node>();
        UserCredentials who = options.users.empty() ? UserCredentials{"pbxbench", {}}
                                                    : options.users[i % options.users.size()];
        AgentConfig ac;
        ac.user = who.user;
        ac.media_address = options.bind_host == "0.0.0.0" ? "127.0.0.1" : options.bind_host;
        ac.media_first_port =
            static_cast<std::uint16_t>(std::min(65534u, options.media_base_port + i * span));
        ac.media_port_count = static_cast<std::uint16_t>(span);
        ac.media = pool->echo_.get();
        ac.ring = options.ring;
        ac.send_180 = options.send_180;
        ac.early_media = options.early_media;
        ac.session_min_se_s = options.session_min_se_s;
        ac.session_refresher_uas = options.session_refresher_uas;
        ac.reject_ratio_ppm =
            static_cast<std::uint64_t>(std::clamp(options.reject_ratio, 0.0, 1.0) * 1e6 + 0.5);
        ac.reject_code = options.reject_code;
        ac.message_status = options.message_status;
        if (options.registrar) {
            sip::RegistrationConfig rc;
            rc.registrar = *options.registrar;
            rc.domain = options.domain;
            rc.registrar_uri = "sip:" + options.domain;
            rc.user = who.user;
            rc.password = who.password.empty() ? options.password : who.password;
            rc.expires = options.expires;
            ac.registration = std::move(rc);
        }
        node->agent = std::make_unique<UasAgent>(std::move(ac));

        sip::EndpointOptions eo;
        auto bind = sip::make_address(
            options.bind_host,
            options.base_port == 0 ? 0 : static_cast<std::uint16_t>(options.base_port + i));
        if (!bind) return fail("--bind: " + bind.error().message);
        eo.bind = *bind;
        // Many endpoints share the load; 8 MiB each would only be capped by rmem_max anyway.
        eo.udp.receive_buffer_bytes = n > 8 ? 1u << 20 : 4u << 20;
        if (options.drop_invites > 0) {
            UasPool* self = pool.get();
            UasAgent* agent = node->agent.get();
            eo.inbound_filter = [self, agent](std::string_view datagram, const sip::Address&) {
                if (self->drops_left_ == 0 || datagram.substr(0, 7) != "INVITE ") return true;
                --self->drops_left_;
                agent->count_dropped_invite();
                return false;
            };
        }
        auto endpoint = sip::Endpoint::open(io, *node->agent, eo);
        if (!endpoint) {
            return fail("cannot open endpoint " + std::to_string(i) + " on " + eo.bind.to_string() +
                        ": " + endpoint.error().message);
        }
        node->endpoint = std::move(*endpoint);
        node->agent->attach(node->endpoint->layer(), node->endpoint->sent_by());
        UasPool* self = pool.get();
        node->agent->on_wake = [self](sip::TimePoint when) { self->wake(when); };
        node->agent->on_registration_event = [self, i](UasAgent&) {
            self->on_registration_event(i);
        };
        pool->nodes_.push_back(std::move(node));
    }
    return pool;
}

void UasPool::start() {
    if (!registering()) {
        ready_ = true;
        listener_.on_ready();
        return;
    }
    sip::TimePoint now = sip::Clock::now();
    for (auto& node : nodes_) node->agent->start_registration(now);
}

void UasPool::wake(sip::TimePoint when) {
    if (timers_->armed_at && *timers_->armed_at <= when) return;
    timers_->armed_at = when;
    timers_->deadline.expires_at(when);
    timers_->deadline.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;  // re-armed earlier, or closed
        on_timer();
    });
}

void UasPool::on_timer() {
    timers_->armed_at.reset();
    sip::TimePoint now = sip::Clock::now();
    std::optional<sip::TimePoint> next;
    for (auto& node : nodes_) {
        node->agent->advance(now);
        auto d = node->agent->next_deadline();
        if (d && (!next || *d < *next)) next = d;
    }
    if (next) wake(*next);
}

void UasPool::on_registration_event(std::size_t index) {
    Node& node = *nodes_[index];
    const sip::Registration* r = node.agent->registration();
    if (!r) return;
    if (shutting_down_) {
        finish_shutdown_if_done();
        return;
    }
    if (r->state() == State::registered && !node.reported) {
        node.reported = true;
        ++registered_;
        listener_.on_registered(index);
        if (registered_ == nodes_.size() && !ready_) {
            ready_ = true;
            listener_.on_ready();
        }
    } else if (r->state() == State::failed) {
        listener_.on_registration_failed(index);
    }
}

std::size_t UasPool::unregister_pending() const {
    return static_cast<std::size_t>(
        std::count_if(nodes_.begin(), nodes_.end(), [](const auto& node) {
            const sip::Registration* r = node->agent->registration();
            return r && r->state() != State::unregistered && r->state() != State::failed;
        }));
}

void UasPool::shutdown(std::chrono::milliseconds limit, std::function<void()> done) {
    if (shutting_down_) return;
    shutting_down_ = true;
    done_ = std::move(done);
    sip::TimePoint now = sip::Clock::now();
    for (auto& node : nodes_) {
        node->agent->stop_answering();
        node->agent->unregister(now);
    }
    timers_->shutdown.expires_after(limit);
    timers_->shutdown.async_wait([this](const boost::system::error_code& ec) {
        if (ec || !done_) return;
        auto finish = std::move(done_);
        done_ = nullptr;
        finish();
    });
    finish_shutdown_if_done();
}

void UasPool::finish_shutdown_if_done() {
    if (!done_ || unregister_pending() > 0) return;
    timers_->shutdown.cancel();
    // Posted: we may be deep inside an endpoint's receive handler, and `done` closes it.
    boost::asio::post(timers_->deadline.get_executor(), std::move(done_));
    done_ = nullptr;
}

void UasPool::close() {
    if (!timers_) return;
    if (media_) media_->close();
    timers_->deadline.cancel();
    timers_->shutdown.cancel();
    for (auto& node : nodes_) {
        if (node->endpoint) node->endpoint->close();
    }
}

std::size_t UasPool::size() const {
    return nodes_.size();
}
const UasAgent& UasPool::agent(std::size_t index) const {
    return *nodes_[index]->agent;
}
std::uint16_t UasPool::port(std::size_t index) const {
    return nodes_[index]->endpoint->local_address().port;
}

UasCounters UasPool::counters() const {
    UasCounters total;
    for (const auto& node : nodes_) {
        total += node->agent->counters();
        if (!node->endpoint) continue;
        total.sip_datagrams_sent += node->endpoint->transport().datagrams_sent();
        total.sip_datagrams_received += node->endpoint->transport().datagrams_received();
    }
    return total;
}

CallsPerUser calls_per_user(const std::vector<std::pair<std::string, std::uint64_t>>& answered) {
    std::map<std::string, std::uint64_t> per_user;
    for (const auto& [user, n] : answered) per_user[user] += n;
    CallsPerUser c;
    c.users = per_user.size();
    bool first = true;
    for (const auto& [user, n] : per_user) {
        c.min = first ? n : std::min(c.min, n);
        c.max = std::max(c.max, n);
        if (n == 0) ++c.without_calls;
        first = false;
    }
    return c;
}

CallsPerUser UasPool::calls_per_user() const {
    std::vector<std::pair<std::string, std::uint64_t>> answered;
    for (const auto& node : nodes_)
        answered.emplace_back(node->agent->config().user, node->agent->calls_answered());
    return uas::calls_per_user(answered);
}

std::size_t UasPool::active_dialogs() const {
    std::size_t n = 0;
    for (const auto& node : nodes_) n += node->agent->active_dialogs();
    return n;
}

nlohmann::json UasPool::media_json() const {
    return media_ ? media_->to_json() : nlohmann::json(nullptr);
}

nlohmann::json UasPool::messages_json() const {
    std::vector<const MessageCounts*> inboxes;
    for (const auto& node : nodes_) inboxes.push_back(&node->agent->messages());
    return uas::messages_json(inboxes);
}

std::size_t UasPool::ringing() const {
    std::size_t n = 0;
    for (const auto& node : nodes_) n += node->agent->ringing();
    return n;
}

}  // namespace pbxbench::uas
