#include "media/media_engine.hpp"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <deque>
#include <random>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "media/media_socket.hpp"

namespace pbxbench::media {

namespace asio = boost::asio;

std::int64_t steady_now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

namespace {

std::int64_t unix_now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Thousands of call sockets need more descriptors than the usual soft limit of 1,024.
void raise_descriptor_limit() {
    rlimit r{};
    if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
}

// epoll data: which socket of which stream, or which shared socket.
constexpr std::uint64_t shared_flag = 1ull << 63;
std::uint64_t tag(std::uint64_t index, bool rtcp) {
    return index << 1 | (rtcp ? 1 : 0);
}

}  // namespace

struct MediaEngine::Impl {
    struct Stream {
        explicit Stream(MediaStream m) : media(std::move(m)) {}
        std::uint32_t id = 0;
        MediaStream media;
        UdpSocket rtp;  // per-call layout only; shared streams use shared_[pair]
        UdpSocket rtcp;
        unsigned pair = 0;
        std::uint16_t port = 0;
        sip::Address remote_rtp;
        sip::Address remote_rtcp;
        bool rtcp_mux = false;
        std::array<sip::Address, 2> indexed{};  // shared layout: the addresses in by_address
        std::optional<std::uint32_t> indexed_peer_ssrc;  // and the peer's key in by_ssrc
        sip::Address last_source;                        // of the last RTP packet
        std::uint32_t source_changes = 0;
        bool latch_rtp = false;  // the next packet's source becomes remote_rtp
        bool latch_rtcp = false;
        bool started = false;
        bool bye_due = false;
        bool ending = false;
        std::int64_t end_us = 0;
        std::int64_t free_at_us = 0;
        std::size_t active_index = SIZE_MAX;
    };

    Impl(asio::io_context& io, EngineOptions o, FrameSource a)
        : options(std::move(o)), audio(std::move(a)), timer(io), epoll_desc(io) {}

    EngineOptions options;
    FrameSource audio;
    asio::steady_timer timer;
    asio::posix::stream_descriptor epoll_desc;
    int epoll_fd = -1;
    sip::Address bind_address;
    std::vector<UdpSocket> shared;  // rtp, rtcp, rtp, rtcp...
    unsigned next_pair = 0;
    std::deque<std::uint16_t> free_ports;
    std::unordered_map<std::uint32_t, std::unique_ptr<Stream>> streams;
    std::vector<Stream*> active;  // started or ending: the tick visits these
    // Shared layout: which stream a datagram belongs to.
    std::unordered_map<std::uint32_t, Stream*> by_ssrc;
    std::unordered_map<sip::Address, Stream*, sip::AddressHash> by_address;
    std::unordered_set<std::uint32_t> ssrcs;
    std::mt19937_64 random{std::random_device{}()};
    std::uint32_t next_id = 1;
    MediaAggregate aggregate;
    LagHistogram lag;
    EngineCounters counters;
    std::int64_t next_tick_us = 0;
    std::int64_t clock_offset_us = 0;  // unix − steady, refreshed every tick
    bool closed = false;
    std::vector<std::uint8_t> scratch = std::vector<std::uint8_t>(2048);

    bool is_shared() const { return options.shared_sockets > 0; }

    Result<void> open_shared() {
        for (unsigned i = 0; i < options.shared_sockets; ++i) {
            auto port = static_cast<std::uint16_t>(options.port_min + 2 * i);
            if (port + 1 > options.port_max)
                return fail("media port range too small for --rtp-shared-sockets");
            for (int k = 0; k < 2; ++k) {
                auto s = UdpSocket::open(bind_address, static_cast<std::uint16_t>(port + k),
                                         buffer_bytes(), kernel_timestamps());
                if (!s) return tl::unexpected(s.error());
                if (auto w = watch(s->fd(), shared_flag | tag(i, k == 1)); !w) return w;
                shared.push_back(std::move(*s));
            }
        }
        return {};
    }

    // Read at once (receive_on_ready), the time of the read is the arrival time: the kernel's
    // per-packet timestamp (4% of the receive path) buys nothing there.
    bool kernel_timestamps() const { return !options.receive_on_ready; }

    std::size_t buffer_bytes() const {
        if (options.receive_buffer_bytes) return options.receive_buffer_bytes;
        return is_shared() ? 16u << 20 : 256u << 10;
    }

    // A socket epoll does not watch is never read: its packets would show up as loss blamed
    // on the PBX. So a failure is counted (watch_errors) and fails the allocation.
    Result<void> watch(int fd, std::uint64_t data) {
        auto w = watch_socket(epoll_fd, fd, data);
        if (!w) ++counters.watch_errors;
        return w;
    }

    std::uint32_t new_ssrc() {
        for (;;) {
            auto s = static_cast<std::uint32_t>(random());
            if (s != 0 && ssrcs.insert(s).second) return s;
        }
    }

    Result<Allocation> allocate() {
        UdpSocket rtp;
        UdpSocket rtcp;
        std::uint16_t port = 0;
        unsigned pair = 0;
        if (is_shared()) {
            pair = next_pair++ % options.shared_sockets;
            port = shared[2 * pair].port();
        } else {
            // Least recently freed first, so a late packet of an earlier call rarely lands in
            // a new one; a port someone else holds is skipped for good.
            for (std::size_t tries = free_ports.size(); tries > 0 && !port; --tries) {
                const std::uint16_t candidate = free_ports.front();
                free_ports.pop_front();
                auto a =
                    UdpSocket::open(bind_address, candidate, buffer_bytes(), kernel_timestamps());
                if (!a) continue;
                auto b = UdpSocket::open(bind_address, static_cast<std::uint16_t>(candidate + 1),
                                         buffer_bytes(), kernel_timestamps());
                if (!b) continue;
                rtp = std::move(*a);
                rtcp = std::move(*b);
                port = candidate;
            }
            if (!port) {
                ++counters.port_failures;
                return fail("no free media port in " + std::to_string(options.port_min) + "-" +
                            std::to_string(options.port_max) +
                            " (calls hold two ports each; widen --rtp-ports)");
            }
        }
        StreamConfig c;
        c.ssrc = new_ssrc();
        auto st = std::make_unique<Stream>(MediaStream(c, audio));
        st->id = next_id++;
        st->rtp = std::move(rtp);
        st->rtcp = std::move(rtcp);
        st->port = port;
        st->pair = pair;
        if (!is_shared()) {
            auto w = watch(st->rtp.fd(), tag(st->id, false));
            if (w) {
                w = watch(st->rtcp.fd(), tag(st->id, true));
                if (!w) ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, st->rtp.fd(), nullptr);
            }
            if (!w) {
                free_ports.push_back(port);  // its sockets close with `st`
                return fail(w.error().message);
            }
        }
        Allocation a{st->id, st->port, c.ssrc};
        streams.emplace(st->id, std::move(st));
        return a;
    }

    Stream* find(std::uint32_t id) {
        auto it = streams.find(id);
        return it == streams.end() ? nullptr : it->second.get();
    }

    void index_shared(Stream& s, const StreamSpec& spec) {
        by_ssrc[s.media.ssrc()] = &s;  // a peer that echoes our packets unchanged (SIPp)
        if (spec.peer_ssrc) by_ssrc[*spec.peer_ssrc] = &s;
        s.indexed_peer_ssrc = spec.peer_ssrc;
        s.indexed = {spec.remote_rtp, spec.remote_rtcp};
        for (const sip::Address* a : {&spec.remote_rtp, &spec.remote_rtcp}) {
            if (a->port == 0) continue;
            auto [it, fresh] = by_address.emplace(*a, &s);
            if (!fresh && it->second != &s) it->second = nullptr;  // ambiguous: SSRC decides
        }
    }

    void unindex_shared(Stream& s) {
        // By key: a scan of the whole map per ended call was O(calls) on every BYE.
        for (std::optional<std::uint32_t> key :
             {std::optional(s.media.ssrc()), s.indexed_peer_ssrc}) {
            if (!key) continue;
            auto it = by_ssrc.find(*key);
            if (it != by_ssrc.end() && it->second == &s) by_ssrc.erase(it);
        }
        for (const sip::Address& a : s.indexed) {
            if (a.port == 0) continue;
            auto it = by_address.find(a);
            if (it != by_address.end() && (it->second == &s || it->second == nullptr))
                by_address.erase(it);
        }
    }

    void start(std::uint32_t id, StreamSpec spec, std::int64_t answer_us) {
        Stream* s = find(id);
        if (!s || s->started) return;
        spec.config.ssrc = s->media.ssrc();
        if (spec.config.seed == 1) spec.config.seed = random();
        s->media = MediaStream(spec.config, audio);
        s->remote_rtp = spec.remote_rtp;
        s->remote_rtcp = spec.rtcp_mux ? spec.remote_rtp : spec.remote_rtcp;
        s->rtcp_mux = spec.rtcp_mux;
        s->latch_rtp = spec.latch;
        s->latch_rtcp = spec.latch;
        if (is_shared()) index_shared(*s, spec);
        // Aligned to the tick, so pacing lag measures lateness, not where a call fell.
        s->media.start(std::max(next_tick_us, steady_now_us()), answer_us);
        s->started = true;
        s->active_index = active.size();
        active.push_back(s);
    }

    void retarget(std::uint32_t id, const sip::Address& rtp, const sip::Address& rtcp, bool mux) {
        Stream* s = find(id);
        if (!s || !s->started) return;
        if (is_shared()) unindex_shared(*s);
        s->remote_rtp = rtp;
        s->remote_rtcp = mux ? rtp : rtcp;
        s->rtcp_mux = mux;
        // The new SDP address wins: a late packet from the old peer (a relay that forwarded
        // the first packets before the re-INVITE) must not latch the stream back onto it.
        s->latch_rtp = false;
        s->latch_rtcp = false;
        if (!is_shared()) {
            s->rtp.disconnect();
        } else {
            StreamSpec spec;
            spec.remote_rtp = s->remote_rtp;
            spec.remote_rtcp = s->remote_rtcp;
            spec.peer_ssrc = s->indexed_peer_ssrc;
            index_shared(*s, spec);
        }
    }

    void stop_sending(std::uint32_t id) {
        Stream* s = find(id);
        if (!s || !s->started || !s->media.sending()) return;
        s->media.stop_sending();
        s->bye_due = s->media.config().rtcp;
    }

    void end(std::uint32_t id, std::int64_t end_us) {
        Stream* s = find(id);
        if (!s || s->ending) return;
        if (!s->started) {
            free_stream(*s, false);
            return;
        }
        if (s->media.config().role == StreamRole::echo) {
            // An echo answers through the linger: RTP its peer sent before the BYE can arrive
            // after it (a media relay delays RTP, not SIP), and the peer would count every
            // unanswered packet as lost. Its RTCP BYE still goes now.
            s->bye_due = s->media.config().rtcp && s->media.sending();
        } else {
            stop_sending(id);
        }
        s->ending = true;
        s->end_us = end_us;
        s->free_at_us = steady_now_us() + options.linger.count() * 1000;
    }

    void free_stream(Stream& s, bool summarize) {
        if (summarize) aggregate.add(s.media.summarize(s.end_us));
        if (is_shared()) unindex_shared(s);
        if (s.active_index != SIZE_MAX) {
            Stream* last = active.back();
            active[s.active_index] = last;
            last->active_index = s.active_index;
            active.pop_back();
        }
        if (!is_shared() && s.port) {
            counters.kernel_drops += s.rtp.drops() + s.rtcp.drops();
            free_ports.push_back(s.port);
        }
        ssrcs.erase(s.media.ssrc());
        streams.erase(s.id);  // closes the sockets (the epoll set forgets them)
    }

    void end_all() {
        const std::int64_t now = steady_now_us();
        std::vector<std::uint32_t> ids;
        for (auto& [id, s] : streams) ids.push_back(id);
        for (std::uint32_t id : ids) {
            Stream* s = find(id);
            if (!s->ending) s->end_us = now;
            free_stream(*s, s->started);
        }
    }

    // --- receiving ---

    Stream* demux_shared(const Datagram& d, bool rtcp) {
        // The SSRC: RTP carries it at bytes 8-11, RTCP's first packet at bytes 4-7. With
        // rtcp-mux RTCP comes in on the RTP socket too (where bytes 8-11 are an SR's NTP time).
        const std::size_t at = rtcp || looks_like_rtcp(d.bytes) ? 4 : 8;
        if (d.bytes.size() >= at + 4) {
            std::uint32_t ssrc = (std::uint32_t{d.bytes[at]} << 24) |
                                 (std::uint32_t{d.bytes[at + 1]} << 16) |
                                 (std::uint32_t{d.bytes[at + 2]} << 8) | d.bytes[at + 3];
            auto it = by_ssrc.find(ssrc);
            if (it != by_ssrc.end()) return it->second;
        }
        auto it = by_address.find(d.from);
        return it == by_address.end() ? nullptr : it->second;
    }

    void on_datagram(Stream* s, const Datagram& d, bool rtcp_socket, UdpSocket& socket) {
        if (s == nullptr || !s->started) {
            ++counters.unmatched;
            return;
        }
        const std::int64_t arrival = d.arrival_unix_us - clock_offset_us;
        const bool rtcp = rtcp_socket || (s->rtcp_mux && looks_like_rtcp(d.bytes));
        if (rtcp) {
            ++counters.rtcp_received;
            if (s->remote_rtcp.port == 0 || s->latch_rtcp) s->remote_rtcp = d.from;
            s->latch_rtcp = false;
            s->media.on_rtcp(d.bytes, arrival, d.arrival_unix_us);
            return;
        }
        ++counters.packets_received;
        if (!(d.from == s->last_source)) {
            if (s->last_source.port != 0) ++s->source_changes;
            s->last_source = d.from;
        }
        if (s->remote_rtp.port == 0 || s->latch_rtp) s->remote_rtp = d.from;
        s->latch_rtp = false;
        // A per-call socket whose peer sends from where we send to: connect it, so each send
        // skips the route lookup (a tenth of the send path at 100,000 packets/s). Never
        // before the peer has shown its source, or a relay sending from elsewhere would be cut.
        if (!is_shared() && !s->rtp.connected() && d.from == s->remote_rtp && !s->rtcp_mux)
            s->rtp.connect(d.from);
        const std::size_t n = s->media.on_rtp(d.bytes, arrival, scratch);
        if (n > 0) send_rtp(*s, socket, std::span(scratch).first(n));
    }

    void drain_socket(UdpSocket& socket, bool rtcp, Stream* owner) {
        socket.drain([&](const Datagram& d) {
            Stream* s = owner ? owner : demux_shared(d, rtcp);
            on_datagram(s, d, rtcp, socket);
        });
    }

    void poll_ready() {
        epoll_event events[256];
        for (int round = 0; round < 64; ++round) {
            const int n = epoll_wait(epoll_fd, events, 256, 0);
            if (n <= 0) break;
            for (int i = 0; i < n; ++i) {
                const std::uint64_t data = events[i].data.u64;
                const bool rtcp = data & 1;
                if (data & shared_flag) {
                    const std::uint64_t index = (data & ~shared_flag) >> 1;
                    drain_socket(shared[2 * index + (rtcp ? 1 : 0)], rtcp, nullptr);
                } else if (Stream* s = find(static_cast<std::uint32_t>(data >> 1))) {
                    drain_socket(rtcp ? s->rtcp : s->rtp, rtcp, s);
                }
            }
            if (n < 256) break;
        }
        for (UdpSocket& s : shared) counters.send_errors += s.flush();
    }

    void arm_ready() {
        epoll_desc.async_wait(asio::posix::stream_descriptor::wait_read,
                              [this](const boost::system::error_code& ec) {
                                  if (ec || closed) return;
                                  clock_offset_us = unix_now_us() - steady_now_us();
                                  poll_ready();
                                  arm_ready();
                              });
    }

    // --- sending ---

    UdpSocket& rtp_socket(Stream& s) { return is_shared() ? shared[2 * s.pair] : s.rtp; }
    UdpSocket& rtcp_socket(Stream& s) {
        if (s.rtcp_mux) return rtp_socket(s);
        return is_shared() ? shared[2 * s.pair + 1] : s.rtcp;
    }

    void send_rtp(Stream& s, UdpSocket& via, std::span<const std::uint8_t> bytes) {
        if (s.remote_rtp.port == 0) return;
        ++counters.packets_sent;
        if (!via.send(bytes, s.remote_rtp, is_shared())) ++counters.send_errors;
    }

    void send_rtcp(Stream& s, std::int64_t now, std::int64_t unix_now, bool bye) {
        const std::size_t n = s.media.write_rtcp(now, unix_now, scratch, bye);
        if (n == 0 || s.remote_rtcp.port == 0) return;
        ++counters.rtcp_sent;
        if (!rtcp_socket(s).send(std::span(scratch).first(n), s.remote_rtcp, is_shared()))
            ++counters.send_errors;
    }

    void tick() {
        const std::int64_t now = steady_now_us();
        const std::int64_t unix_now = unix_now_us();
        clock_offset_us = unix_now - now;
        if (!options.receive_on_ready) poll_ready();
        std::vector<Stream*> done;
        for (Stream* s : active) {
            SendTiming timing;
            while (s->media.next_send_us() <= now) {
                const std::size_t n = s->media.write_next_packet(now, scratch, &timing);
                if (n == 0) break;
                lag.add(timing.lag_us);
                send_rtp(*s, rtp_socket(*s), std::span(scratch).first(n));
            }
            if (s->bye_due) {
                s->bye_due = false;
                send_rtcp(*s, now, unix_now, true);
            } else if (s->media.sending() && !s->ending && s->media.rtcp_due(now)) {
                send_rtcp(*s, now, unix_now, false);
            }
            if (s->ending && now >= s->free_at_us) done.push_back(s);
        }
        for (UdpSocket& s : shared) counters.send_errors += s.flush();
        for (Stream* s : done) free_stream(*s, true);
        schedule_tick(now);
    }

    void schedule_tick(std::int64_t now) {
        const std::int64_t step = std::max<std::int64_t>(options.tick.count(), 100);
        next_tick_us += step;
        if (next_tick_us <= now) next_tick_us = now + step;  // behind: skip, do not burst ticks
        timer.expires_at(
            std::chrono::steady_clock::time_point(std::chrono::microseconds(next_tick_us)));
        timer.async_wait([this](const boost::system::error_code& ec) {
            if (!ec && !closed) tick();
        });
    }
};

MediaEngine::MediaEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MediaEngine::~MediaEngine() {
    close();
    impl_->epoll_desc.close();  // closes the epoll descriptor
}

void MediaEngine::close() {
    if (impl_->closed) return;
    impl_->end_all();
    impl_->closed = true;
    impl_->timer.cancel();
    impl_->epoll_desc.cancel();
}

Result<std::unique_ptr<MediaEngine>> MediaEngine::open(asio::io_context& io, EngineOptions options,
                                                       FrameSource audio) {
    if (options.port_min % 2 != 0) ++options.port_min;
    if (options.port_max <= options.port_min)
        return fail("media port range " + std::to_string(options.port_min) + "-" +
                    std::to_string(options.port_max) + " is empty");
    auto bind = sip::make_address(options.bind_host, 0);
    if (!bind) return tl::unexpected(bind.error());
    raise_descriptor_limit();
    auto impl = std::make_unique<Impl>(io, std::move(options), std::move(audio));
    impl->bind_address = *bind;
    impl->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (impl->epoll_fd < 0) return fail(std::string("epoll_create1: ") + std::strerror(errno));
    impl->epoll_desc.assign(impl->epoll_fd);
    if (impl->is_shared()) {
        if (auto r = impl->open_shared(); !r) return tl::unexpected(r.error());
    } else {
        for (unsigned p = impl->options.port_min; p + 1 <= impl->options.port_max; p += 2)
            impl->free_ports.push_back(static_cast<std::uint16_t>(p));
    }
    impl->next_tick_us = steady_now_us();
    impl->schedule_tick(impl->next_tick_us);
    if (impl->options.receive_on_ready) impl->arm_ready();
    return std::unique_ptr<MediaEngine>(new MediaEngine(std::move(impl)));
}

Result<Allocation> MediaEngine::allocate() {
    return impl_->allocate();
}
void MediaEngine::start(std::uint32_t id, StreamSpec spec, std::int64_t answer_us) {
    impl_->start(id, std::move(spec), answer_us);
}
void MediaEngine::retarget(std::uint32_t id, const sip::Address& remote_rtp,
                           const sip::Address& remote_rtcp, bool rtcp_mux) {
    impl_->retarget(id, remote_rtp, remote_rtcp, rtcp_mux);
}
std::optional<RtpSource> MediaEngine::rtp_source(std::uint32_t id) const {
    auto it = impl_->streams.find(id);
    if (it == impl_->streams.end() || it->second->last_source.port == 0) return std::nullopt;
    return RtpSource{it->second->last_source, it->second->source_changes};
}
std::optional<ReceiveSnapshot> MediaEngine::received(std::uint32_t id) const {
    auto it = impl_->streams.find(id);
    if (it == impl_->streams.end() || !it->second->started) return std::nullopt;
    return it->second->media.received();
}
void MediaEngine::set_directions(std::uint32_t id, bool may_send, bool expect_receive,
                                 std::int64_t now_us) {
    auto it = impl_->streams.find(id);
    if (it == impl_->streams.end() || it->second->ending) return;
    it->second->media.set_directions(may_send, expect_receive, now_us);
}
void MediaEngine::stop_sending(std::uint32_t id) {
    impl_->stop_sending(id);
}
void MediaEngine::end(std::uint32_t id, std::int64_t end_us) {
    impl_->end(id, end_us);
}
void MediaEngine::end_all() {
    impl_->end_all();
}
const MediaAggregate& MediaEngine::aggregate() const {
    return impl_->aggregate;
}
const LagHistogram& MediaEngine::pacing_lag() const {
    return impl_->lag;
}
EngineCounters MediaEngine::counters() const {
    EngineCounters c = impl_->counters;
    for (const UdpSocket& s : impl_->shared) c.kernel_drops += s.drops();
    for (const auto& [id, s] : impl_->streams) c.kernel_drops += s->rtp.drops() + s->rtcp.drops();
    return c;
}
std::size_t MediaEngine::streams() const {
    return impl_->streams.size();
}

nlohmann::json MediaEngine::to_json() const {
    return media_report_json(impl_->aggregate, impl_->lag, counters(),
                             impl_->is_shared() ? "shared" : "per_call",
                             static_cast<double>(impl_->options.tick.count()) / 1000.0);
}

Result<void> watch_socket(int epoll_fd, int fd, std::uint64_t data) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = data;
    if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0)
        return fail(std::string("cannot watch media socket ") + std::to_string(fd) +
                    " (epoll_ctl): " + std::strerror(errno));
    return {};
}

EngineCounters& EngineCounters::operator+=(const EngineCounters& o) {
    packets_sent += o.packets_sent;
    packets_received += o.packets_received;
    rtcp_sent += o.rtcp_sent;
    rtcp_received += o.rtcp_received;
    unmatched += o.unmatched;
    send_errors += o.send_errors;
    watch_errors += o.watch_errors;
    kernel_drops += o.kernel_drops;
    port_failures += o.port_failures;
    return *this;
}

nlohmann::json media_report_json(const MediaAggregate& aggregate, const LagHistogram& lag,
                                 const EngineCounters& c, std::string_view layout, double tick_ms) {
    nlohmann::json j = aggregate.to_json();
    j["generator"] = {{"packets_sent", c.packets_sent},
                      {"packets_received", c.packets_received},
                      {"rtcp_sent", c.rtcp_sent},
                      {"rtcp_received", c.rtcp_received},
                      {"unmatched_datagrams", c.unmatched},
                      {"send_errors", c.send_errors},
                      {"watch_errors", c.watch_errors},
                      {"kernel_drops", c.kernel_drops},
                      {"port_failures", c.port_failures},
                      {"pacing_lag", lag.to_json()},
                      {"layout", layout},
                      {"tick_ms", tick_ms}};
    return j;
}

}  // namespace pbxbench::media
