#pragma once
// The media options `pbxbench uac` and `pbxbench uas` share: on/off, ports and layout, pacing
// tick, socket buffers, and (for the caller) the audio and DTMF schedule. Part of UacArgs and
// UasArgs, so it travels in their config files too.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/arg_spec.hpp"
#include "base/error.hpp"
#include "media/dtmf.hpp"
#include "media/g711.hpp"
#include "media/media_engine.hpp"

namespace pbxbench::media {

struct MediaArgs {
    bool off = false;
    std::string ports;  // "20000-29999"; the owner sets its own default
    unsigned shared_sockets = 0;
    double tick_ms = 2;
    std::size_t receive_buffer_bytes = 0;
    double linger_ms = 200;
    std::string wav;
    std::string dtmf;
    double silence_ms = 2000;
};

// The defaults, with `ports` as the RTP port range (each side has its own).
inline MediaArgs media_args_with_ports(std::string ports) {
    MediaArgs a;
    a.ports = std::move(ports);
    return a;
}

enum class MediaRole { caller, callee };

// Names every media option once: --no-media, --rtp-ports, --rtp-shared-sockets,
// --media-tick, --rtp-rcvbuf, --media-linger and, for the caller, --wav, --dtmf and --silence.
// `visit(spec, field)` is called for each (see base/arg_fields.hpp).
template <class Args, class Visit>
void for_each_media_arg(Args& a, MediaRole role, Visit&& visit) {
    using args::ArgSpec;
    visit(ArgSpec{"--no-media", "Signaling only: no RTP sockets, nothing sent or measured"}, a.off);
    visit(ArgSpec{"--rtp-ports",
                  "RTP port range LOW-HIGH: an even RTP port and the next one for RTCP per call"},
          a.ports);
    visit(ArgSpec{"--rtp-shared-sockets",
                  "Shared-port layout: this many RTP/RTCP pairs carry every call, told apart by "
                  "SSRC and source address (0: a pair per call)",
                  0, 1000},
          a.shared_sockets);
    visit(ArgSpec{.names = "--media-tick",
                  .help = "Pacing tick: one timer sends every due packet of every call",
                  .min = 0.1,
                  .max = 20,
                  .duration = args::Unit::milliseconds,
                  .old_names = "--media-tick-ms"},
          a.tick_ms);
    visit(ArgSpec{"--rtp-rcvbuf",
                  "Receive buffer per RTP socket, bytes (0: 256 KiB per call, 16 MiB shared)"},
          a.receive_buffer_bytes);
    visit(ArgSpec{.names = "--media-linger",
                  .help = "After a call ends, packets still count for this long",
                  .min = 0,
                  .max = 10000,
                  .duration = args::Unit::milliseconds,
                  .old_names = "--media-linger-ms"},
          a.linger_ms);
    if (role != MediaRole::caller) return;
    visit(ArgSpec{"--wav",
                  "Audio to send: an 8 kHz mono WAV (16-bit PCM or mu-law), looped "
                  "(default: a 440 Hz tone)"},
          a.wav);
    visit(ArgSpec{"--dtmf", "RFC 4733 digits to send after media starts, e.g. \"1s:1,2s:#\""},
          a.dtmf);
    visit(ArgSpec{.names = "--silence",
                  .help = "A call with no RTP for longer than this counts as silent",
                  .min = 20,
                  .max = 600000,
                  .duration = args::Unit::milliseconds,
                  .old_names = "--silence-ms"},
          a.silence_ms);
}

struct MediaSettings {
    bool enabled = true;
    EngineOptions engine;
    std::optional<FrameSource> audio;
    std::vector<DtmfScheduleItem> dtmf;
    std::int64_t silence_threshold_ms = 2000;
};

// Validates and converts; errors name the option.
Result<MediaSettings> to_media_settings(const MediaArgs& a, const std::string& default_ports,
                                        const std::string& bind_host);

}  // namespace pbxbench::media
