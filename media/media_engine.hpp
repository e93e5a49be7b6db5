#pragma once
// The RTP sockets and the pacing of every call's media on one io_context. One timer tick
// drives all streams (no timer per call); sockets sit in one epoll set read in batches
// (recvmmsg, kernel arrival timestamps, so reading late does not disturb jitter); shared
// sockets send in batches (sendmmsg). Two layouts: a socket pair per call from a port range
// (realistic), or a few shared pairs demultiplexed by SSRC and source address (dense).
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "base/error.hpp"
#include "media/call_media_stats.hpp"
#include "media/g711.hpp"
#include "media/lag_histogram.hpp"
#include "media/media_stream.hpp"
#include "sip/address.hpp"

namespace boost::asio {
class io_context;
}

namespace pbxbench::media {

struct EngineOptions {
    std::string bind_host = "127.0.0.1";
    // Per call: an even RTP port from [port_min, port_max] and RTCP on the next one. Shared:
    // `shared_sockets` pairs from port_min.
    std::uint16_t port_min = 20000;
    std::uint16_t port_max = 29999;
    unsigned shared_sockets = 0;  // 0: a socket pair per call
    std::chrono::microseconds tick{2000};
    // Read as soon as a packet is ready (echo endpoints answer at once) rather than on ticks.
    bool receive_on_ready = false;
    std::size_t receive_buffer_bytes = 0;   // 0: 256 KiB per call socket, 16 MiB shared
    std::chrono::milliseconds linger{200};  // after end(): late packets still count
};

// What the SDP exchange decided for one call.
struct StreamSpec {
    StreamConfig config;       // ssrc is filled in by the engine
    sip::Address remote_rtp;   // port 0: learn it from the first packet (symmetric RTP)
    sip::Address remote_rtcp;  // port 0: likewise
    bool rtcp_mux = false;
    std::optional<std::uint32_t> peer_ssrc;  // announced in the peer's SDP (a=ssrc)
    // Send to where the peer's packets come from once they come (symmetric RTP, RFC 4961),
    // whatever its SDP said: relays such as rtpengine latch the same way.
    bool latch = false;
};

struct RtpSource {
    sip::Address last;
    std::uint32_t changes = 0;  // a packet came from another address than the one before
};

struct Allocation {
    std::uint32_t id = 0;
    std::uint16_t port = 0;  // RTP; RTCP is port + 1
    std::uint32_t ssrc = 0;
};

struct EngineCounters {
    std::uint64_t packets_sent = 0;  // RTP
    std::uint64_t packets_received = 0;
    std::uint64_t rtcp_sent = 0;
    std::uint64_t rtcp_received = 0;
    std::uint64_t unmatched = 0;  // datagrams no stream claimed
    std::uint64_t send_errors = 0;
    std::uint64_t watch_errors = 0;   // sockets epoll refused to watch (their calls get no media)
    std::uint64_t kernel_drops = 0;   // SO_RXQ_OVFL: receive buffer full
    std::uint64_t port_failures = 0;  // allocations that found no free port

    EngineCounters& operator+=(const EngineCounters& o);
};

// Adds `fd` to `epoll_fd` for reading with `data`; an error with errno's reason otherwise.
Result<void> watch_socket(int epoll_fd, int fd, std::uint64_t data);

class MediaEngine {
  public:
    // Binds the shared sockets (if any) and starts the tick. `audio` is what sources send.
    static Result<std::unique_ptr<MediaEngine>> open(boost::asio::io_context& io,
                                                     EngineOptions options, FrameSource audio);
    ~MediaEngine();
    MediaEngine(const MediaEngine&) = delete;
    MediaEngine& operator=(const MediaEngine&) = delete;

    // A port and SSRC for an SDP, before the exchange completes. Fails when no port is free.
    Result<Allocation> allocate();
    // Media flows: a source's first packet leaves on the next tick.
    void start(std::uint32_t id, StreamSpec spec, std::int64_t answer_us);
    // The far end moved its media (a re-INVITE or UPDATE): send to the new addresses from now
    // on, and accept packets from anywhere again (a connected per-call socket would drop them).
    // Sequence numbers carry on, so the switch is not counted as loss.
    void retarget(std::uint32_t id, const sip::Address& remote_rtp, const sip::Address& remote_rtcp,
                  bool rtcp_mux);
    // Where the stream's RTP last came from and how often that source changed; nullopt before
    // the first packet or for an unknown id.
    std::optional<RtpSource> rtp_source(std::uint32_t id) const;
    // What the stream received so far; nullopt for an unknown or unstarted stream.
    std::optional<ReceiveSnapshot> received(std::uint32_t id) const;
    // A mid-call offer/answer changed the directions (hold, resume): MediaStream::set_directions.
    void set_directions(std::uint32_t id, bool may_send, bool expect_receive, std::int64_t now_us);
    // The call is ending: no more RTP; a final SR with BYE goes out on the next tick.
    void stop_sending(std::uint32_t id);
    // The call ended at `end_us`: a source stops sending, an echo keeps answering until the
    // linger is over (RTP sent before the BYE may still be on its way); then its figures join
    // the aggregate and the sockets are freed. An allocation never started is freed at once,
    // without figures.
    void end(std::uint32_t id, std::int64_t end_us);
    // Ends every stream now (shutdown): figures as of now, sockets closed.
    void end_all();
    // end_all() and stops the tick, so the io_context can run out of work.
    void close();

    const MediaAggregate& aggregate() const;
    const LagHistogram& pacing_lag() const;
    EngineCounters counters() const;
    std::size_t streams() const;  // allocated and not yet freed
    // {"aggregate", "pacing_lag", counters...} for summaries and stats lines.
    nlohmann::json to_json() const;

  private:
    struct Impl;
    explicit MediaEngine(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The media JSON of a summary: the aggregate's keys plus "generator" (counters, pacing lag,
// layout, tick). Shards (--threads) merge their aggregates, histograms and counters first.
nlohmann::json media_report_json(const MediaAggregate& aggregate, const LagHistogram& lag,
                                 const EngineCounters& counters, std::string_view layout,
                                 double tick_ms);

// Microseconds on the steady clock the engine and the SIP layers share.
std::int64_t steady_now_us();
inline std::int64_t to_us(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace pbxbench::media
