#include "cli/media_args.hpp"

#include <CLI/CLI.hpp>

#include "base/error.hpp"
#include "sip/text.hpp"

namespace pbxbench::cli {

void add_media_options(CLI::App& cmd, MediaArgs& a, const std::string& default_ports, bool caller) {
    a.ports = default_ports;
    cmd.add_flag("--no-media", a.off, "Signaling only: no RTP sockets, nothing sent or measured");
    cmd.add_option("--rtp-ports", a.ports,
                   "RTP port range LOW-HIGH: an even RTP port and the next one for RTCP per call")
        ->capture_default_str();
    cmd.add_option("--rtp-shared-sockets", a.shared_sockets,
                   "Shared-port layout: this many RTP/RTCP pairs carry every call, told apart by "
                   "SSRC and source address (0: a pair per call)")
        ->capture_default_str()
        ->check(CLI::Range(0u, 1000u));
    cmd.add_option("--media-tick-ms", a.tick_ms,
                   "Pacing tick: one timer sends every due packet of every call")
        ->capture_default_str()
        ->check(CLI::Range(0.1, 20.0));
    cmd.add_option("--rtp-rcvbuf", a.receive_buffer_bytes,
                   "Receive buffer per RTP socket, bytes (0: 256 KiB per call, 16 MiB shared)")
        ->capture_default_str();
    cmd.add_option("--media-linger-ms", a.linger_ms,
                   "After a call ends, packets still count for this long")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 10000.0));
    if (!caller) return;
    cmd.add_option("--wav", a.wav, "Audio to send: an 8 kHz mono WAV (16-bit PCM or mu-law), looped "
                                   "(default: a 440 Hz tone)");
    cmd.add_option("--dtmf", a.dtmf,
                   "RFC 4733 digits to send after media starts, e.g. \"1s:1,2s:#\"");
    cmd.add_option("--silence-ms", a.silence_ms,
                   "A call with no RTP for longer than this counts as silent")
        ->capture_default_str()
        ->check(CLI::Range(20.0, 600000.0));
}

MediaSettings to_media_settings(const MediaArgs& a, const std::string& default_ports,
                                const std::string& bind_host) {
    MediaSettings m;
    m.enabled = !a.off;
    const std::string& range = a.ports.empty() ? default_ports : a.ports;
    const std::size_t dash = range.find('-');
    auto low = sip::parse_uint(std::string_view(range).substr(0, dash), 65535);
    auto high = dash == std::string::npos
                    ? std::optional<std::uint64_t>()
                    : sip::parse_uint(std::string_view(range).substr(dash + 1), 65535);
    if (!low || !high || *low < 1024 || *high <= *low + 1) {
        throw Fatal("--rtp-ports '" + range + "' is not a range LOW-HIGH within 1024-65535",
                    ExitCode::usage);
    }
    m.engine.port_min = static_cast<std::uint16_t>(*low);
    m.engine.port_max = static_cast<std::uint16_t>(*high);
    m.engine.shared_sockets = a.shared_sockets;
    if (a.shared_sockets * 2 > *high - *low + 1) {
        throw Fatal("--rtp-shared-sockets " + std::to_string(a.shared_sockets) +
                        " needs " + std::to_string(a.shared_sockets * 2) + " ports; --rtp-ports " +
                        range + " has fewer",
                    ExitCode::usage);
    }
    m.engine.tick = std::chrono::microseconds(static_cast<long>(a.tick_ms * 1000));
    m.engine.receive_buffer_bytes = a.receive_buffer_bytes;
    m.engine.linger = std::chrono::milliseconds(static_cast<long>(a.linger_ms));
    m.engine.bind_host = bind_host;
    if (!a.wav.empty()) {
        auto source = media::load_wav_source(a.wav);
        if (!source) throw Fatal("--wav: " + source.error().message, ExitCode::usage);
        m.audio = std::move(*source);
    }
    if (!a.dtmf.empty()) {
        auto schedule = media::parse_dtmf_schedule(a.dtmf);
        if (!schedule) throw Fatal("--dtmf: " + schedule.error().message, ExitCode::usage);
        m.dtmf = std::move(*schedule);
    }
    m.silence_threshold_ms = static_cast<std::int64_t>(a.silence_ms);
    return m;
}

}  // namespace pbxbench::cli
