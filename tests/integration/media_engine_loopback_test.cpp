// Two MediaEngines on one io_context over real loopback sockets: a source engine (the UAC's)
// and an echo engine (the UAS's), 50 calls for a second, in both socket layouts. Every packet
// must come back, every datagram must find its stream, and both sides must see no loss.
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "media/dtmf.hpp"
#include "media/media_engine.hpp"
#include "sip/address.hpp"
#include "sip/sdp.hpp"
#include "uas/echo_media.hpp"

namespace pbxbench::media {
namespace {

using namespace std::chrono_literals;

constexpr int calls = 50;

struct Engines {
    std::unique_ptr<MediaEngine> source;
    std::unique_ptr<MediaEngine> echo;
};

// Port ranges from the pid, so parallel runs (and other users of the machine) rarely meet;
// a shared layout needs its exact ports, so a busy range is retried elsewhere.
Engines open_engines(boost::asio::io_context& io, unsigned shared_sockets) {
    for (unsigned attempt = 0; attempt < 8; ++attempt) {
        const unsigned slot = (static_cast<unsigned>(::getpid()) + attempt * 7) % 48;
        const auto base = static_cast<std::uint16_t>(41000 + slot * 400);
        EngineOptions so;
        so.port_min = base;
        so.port_max = static_cast<std::uint16_t>(base + 199);
        so.shared_sockets = shared_sockets;
        so.linger = 150ms;
        EngineOptions eo = so;
        eo.port_min = static_cast<std::uint16_t>(base + 200);
        eo.port_max = static_cast<std::uint16_t>(base + 399);
        eo.receive_on_ready = true;  // as `pbxbench uas` runs it
        auto source = MediaEngine::open(io, so, make_tone_source());
        if (!source) continue;
        auto echo = MediaEngine::open(io, eo, make_tone_source());
        if (!echo) continue;
        return {std::move(*source), std::move(*echo)};
    }
    ADD_FAILURE() << "no free port range for the media engines";
    return {};
}

sip::Address loopback(std::uint16_t port) {
    return *sip::make_address("127.0.0.1", port);
}

// How the calls end. together: the source stops sending, its last echoes return, both end.
// echo_first: the echo side ends 60 ms before the source stops sending, as when the BYE
// overtakes RTP that a media relay delays; the echo must answer through its linger.
enum class Ending { together, echo_first };

enum class Mux { no, yes };  // RTCP on the RTP port (RFC 5761), as a=rtcp-mux negotiates

void run_calls(unsigned shared_sockets, Ending ending = Ending::together, Mux mux = Mux::no) {
    boost::asio::io_context io;
    Engines e = open_engines(io, shared_sockets);
    ASSERT_TRUE(e.source && e.echo);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ids;
    for (int i = 0; i < calls; ++i) {
        auto a = e.source->allocate();
        auto b = e.echo->allocate();
        ASSERT_TRUE(a && b);
        StreamSpec echo_spec;
        echo_spec.config.role = StreamRole::echo;
        echo_spec.remote_rtp = loopback(a->port);
        echo_spec.remote_rtcp = loopback(static_cast<std::uint16_t>(a->port + 1));
        echo_spec.peer_ssrc = a->ssrc;  // as a=ssrc in the offer announces it
        echo_spec.rtcp_mux = mux == Mux::yes;
        e.echo->start(b->id, echo_spec, steady_now_us());
        StreamSpec source_spec;
        source_spec.config.role = StreamRole::source;
        source_spec.config.peer_echoes = true;
        source_spec.remote_rtp = loopback(b->port);
        source_spec.remote_rtcp = loopback(static_cast<std::uint16_t>(b->port + 1));
        source_spec.peer_ssrc = b->ssrc;
        source_spec.rtcp_mux = mux == Mux::yes;
        e.source->start(a->id, source_spec, steady_now_us());
        ids.emplace_back(a->id, b->id);
    }
    io.run_for(600ms);
    if (ending == Ending::echo_first) {
        for (auto [a, b] : ids) e.echo->end(b, steady_now_us());
        io.run_for(60ms);
    }
    // As the UAC does: stop sending, let the last echoes come back, then both sides end.
    for (auto [a, b] : ids) e.source->stop_sending(a);
    io.run_for(60ms);
    const std::int64_t end = steady_now_us();
    for (auto [a, b] : ids) {
        e.source->end(a, end);
        if (ending == Ending::together) e.echo->end(b, end);
    }
    io.run_for(250ms);  // the 150 ms linger and a tick
    EXPECT_EQ(e.source->streams(), 0u);
    EXPECT_EQ(e.echo->streams(), 0u);

    const EngineCounters s = e.source->counters();
    const EngineCounters r = e.echo->counters();
    EXPECT_GE(s.packets_sent, static_cast<std::uint64_t>(calls * 25))
        << "about 30 per call in 0.6 s";
    EXPECT_EQ(r.packets_received, s.packets_sent);
    EXPECT_EQ(r.packets_sent, r.packets_received) << "the echo answers every packet";
    EXPECT_EQ(s.packets_received, r.packets_sent);
    EXPECT_EQ(s.unmatched, 0u);
    EXPECT_EQ(r.unmatched, 0u);
    EXPECT_EQ(s.send_errors + r.send_errors, 0u);
    EXPECT_EQ(s.kernel_drops + r.kernel_drops, 0u);
    EXPECT_GE(r.rtcp_received, static_cast<std::uint64_t>(calls)) << "at least each BYE";
    EXPECT_GE(s.rtcp_received, static_cast<std::uint64_t>(calls));

    const nlohmann::json sj = e.source->to_json();
    const nlohmann::json rj = e.echo->to_json();
    EXPECT_EQ(sj.at("calls"), calls);
    EXPECT_EQ(rj.at("calls"), calls);
    EXPECT_EQ(sj.at("loss_percent"), 0.0) << sj.dump();
    EXPECT_EQ(rj.at("loss_percent"), 0.0) << rj.dump();
    EXPECT_EQ(sj.at("silent_calls"), 0);
    EXPECT_EQ(sj.at("one_way_calls"), 0);
    EXPECT_EQ(sj.at("generator").at("layout"), shared_sockets ? "shared" : "per_call");
    e.source->close();
    e.echo->close();
}

TEST(MediaEngineLoopback, PerCallPorts) {
    run_calls(0);
}
TEST(MediaEngineLoopback, SharedSocketsDemuxedBySsrc) {
    run_calls(2);
}
// RTCP arriving on a shared RTP socket must be told apart by its sender SSRC (bytes 4-7),
// not by where RTP keeps the SSRC (bytes 8-11: an SR's NTP time).
TEST(MediaEngineLoopback, SharedSocketsWithRtcpMux) {
    run_calls(2, Ending::together, Mux::yes);
}
TEST(MediaEngineLoopback, EchoAnswersThroughItsLingerAfterTheBye) {
    run_calls(0, Ending::echo_first);
}

// The UAS's echo (EchoMedia) learns the telephone-event payload type from the offer; encoding
// names are case-insensitive (RFC 4566 §6), so a peer spelling it in capitals still gets its
// DTMF counted, and echoed back as events.
TEST(MediaEngineLoopback, EchoMediaCountsDtmfWhateverTheEncodingCase) {
    boost::asio::io_context io;
    Engines e = open_engines(io, 0);
    ASSERT_TRUE(e.source && e.echo);
    uas::EchoMedia echo_media(*e.echo);
    auto a = e.source->allocate();
    auto slot = echo_media.allocate();
    ASSERT_TRUE(a && slot);
    sip::OfferParams offer;
    offer.address = "127.0.0.1";
    offer.rtp_port = a->port;
    offer.ssrc = a->ssrc;
    offer.codecs = {sip::Codec{0, "PCMU", 8000, ""},
                    sip::Codec{101, "TELEPHONE-EVENT", 8000, "0-16"}};
    echo_media.start(slot->id, sip::build_offer(offer), std::chrono::steady_clock::now());
    StreamSpec spec;
    spec.config.role = StreamRole::source;
    spec.config.peer_echoes = true;
    spec.config.event_payload_type = 101;
    spec.config.dtmf = *parse_dtmf_schedule("100ms:1,300ms:2");
    spec.remote_rtp = loopback(slot->port);
    spec.remote_rtcp = loopback(static_cast<std::uint16_t>(slot->port + 1));
    spec.peer_ssrc = slot->ssrc;
    e.source->start(a->id, spec, steady_now_us());
    io.run_for(700ms);
    e.source->stop_sending(a->id);
    io.run_for(60ms);
    e.source->end(a->id, steady_now_us());
    echo_media.end(slot->id, std::chrono::steady_clock::now());
    io.run_for(250ms);
    const nlohmann::json sj = e.source->to_json();
    const nlohmann::json rj = e.echo->to_json();
    EXPECT_EQ(sj.at("dtmf_sent"), 2);
    EXPECT_EQ(rj.at("dtmf_received"), 2) << rj.dump();
    EXPECT_EQ(sj.at("dtmf_received"), 2) << "the echoed events";
    EXPECT_EQ(sj.at("loss_percent"), 0.0);
    e.source->close();
    e.echo->close();
}

// A direct-media B2BUA moves the echo's peer by re-INVITE: first the relay (source a) sends,
// then the caller itself (source b) from another port. The echo's per-call socket was connected
// to a once a's packets came; EchoMedia::moved must open it to b, or the kernel drops every
// packet of b and the call looks dead after the move.
TEST(MediaEngineLoopback, EchoFollowsAReinviteThatMovesItsPeer) {
    boost::asio::io_context io;
    Engines e = open_engines(io, 0);
    ASSERT_TRUE(e.source && e.echo);
    uas::EchoMedia echo_media(*e.echo);
    auto a = e.source->allocate();
    auto b = e.source->allocate();
    auto slot = echo_media.allocate();
    ASSERT_TRUE(a && b && slot);
    auto offer_from = [](std::uint16_t port, std::uint32_t ssrc) {
        sip::OfferParams offer;
        offer.address = "127.0.0.1";
        offer.rtp_port = port;
        offer.ssrc = ssrc;
        return sip::build_offer(offer);
    };
    auto source_spec = [&](std::uint32_t) {
        StreamSpec spec;
        spec.config.role = StreamRole::source;
        spec.config.peer_echoes = false;  // the echo answers with its own SSRC and sequence
        spec.remote_rtp = loopback(slot->port);
        spec.remote_rtcp = loopback(static_cast<std::uint16_t>(slot->port + 1));
        spec.peer_ssrc = slot->ssrc;
        return spec;
    };
    echo_media.start(slot->id, offer_from(a->port, a->ssrc), std::chrono::steady_clock::now());
    e.source->start(a->id, source_spec(a->id), steady_now_us());
    io.run_for(300ms);
    e.source->stop_sending(a->id);
    io.run_for(60ms);
    const EngineCounters before = e.source->counters();
    EXPECT_GT(before.packets_received, 10u) << "the echo answered the first peer";
    // The re-INVITE: from now on the peer is b.
    echo_media.moved(slot->id, offer_from(b->port, b->ssrc), std::chrono::steady_clock::now());
    e.source->start(b->id, source_spec(b->id), steady_now_us());
    io.run_for(400ms);
    e.source->stop_sending(b->id);
    io.run_for(60ms);
    const EngineCounters after = e.source->counters();
    const std::uint64_t sent_by_b = after.packets_sent - before.packets_sent;
    EXPECT_GE(sent_by_b, 15u);
    EXPECT_EQ(after.packets_received - before.packets_received, sent_by_b)
        << "every packet of the new peer was echoed back to it";
    auto src = e.source->rtp_source(b->id);
    ASSERT_TRUE(src.has_value());
    EXPECT_EQ(src->last, loopback(slot->port));
    e.source->end(a->id, steady_now_us());
    e.source->end(b->id, steady_now_us());
    echo_media.end(slot->id, std::chrono::steady_clock::now());
    io.run_for(250ms);
    e.source->close();
    e.echo->close();
}

// The race Asterisk's direct_media showed: the re-INVITE moves the echo to b before the relay's
// first packet (from a) has arrived. That late packet must not latch the echo back onto a (and
// connect its socket there), or every packet b sends afterwards is dropped by the kernel.
TEST(MediaEngineLoopback, ALateRelayedPacketDoesNotPullAMovedEchoBack) {
    boost::asio::io_context io;
    Engines e = open_engines(io, 0);
    ASSERT_TRUE(e.source && e.echo);
    uas::EchoMedia echo_media(*e.echo);
    auto a = e.source->allocate();
    auto b = e.source->allocate();
    auto slot = echo_media.allocate();
    ASSERT_TRUE(a && b && slot);
    auto offer_from = [](std::uint16_t port, std::uint32_t ssrc) {
        sip::OfferParams offer;
        offer.address = "127.0.0.1";
        offer.rtp_port = port;
        offer.ssrc = ssrc;
        return sip::build_offer(offer);
    };
    StreamSpec spec;
    spec.config.role = StreamRole::source;
    spec.config.peer_echoes = false;
    spec.remote_rtp = loopback(slot->port);
    spec.remote_rtcp = loopback(static_cast<std::uint16_t>(slot->port + 1));
    spec.peer_ssrc = slot->ssrc;
    echo_media.start(slot->id, offer_from(a->port, a->ssrc), std::chrono::steady_clock::now());
    // The re-INVITE comes first, then the relay's late packets, then the new peer's.
    echo_media.moved(slot->id, offer_from(b->port, b->ssrc), std::chrono::steady_clock::now());
    e.source->start(a->id, spec, steady_now_us());
    io.run_for(100ms);
    e.source->stop_sending(a->id);
    io.run_for(60ms);
    const EngineCounters before = e.source->counters();
    e.source->start(b->id, spec, steady_now_us());
    io.run_for(400ms);
    e.source->stop_sending(b->id);
    io.run_for(60ms);
    const EngineCounters after = e.source->counters();
    const std::uint64_t sent_by_b = after.packets_sent - before.packets_sent;
    EXPECT_GE(sent_by_b, 15u);
    auto src = e.source->rtp_source(b->id);
    ASSERT_TRUE(src.has_value()) << "the echo answered the new peer at all";
    e.source->end(a->id, steady_now_us());
    e.source->end(b->id, steady_now_us());
    echo_media.end(slot->id, std::chrono::steady_clock::now());
    io.run_for(250ms);
    EXPECT_GE(after.packets_received - before.packets_received, sent_by_b - 1)
        << "b's packets were echoed back to b";
    e.source->close();
    e.echo->close();
}

}  // namespace
}  // namespace pbxbench::media
