#pragma once
// The media options `pbxbench uac` and `pbxbench uas` share: on/off, ports and layout, pacing
// tick, socket buffers, and (for the caller) the audio and DTMF schedule.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "media/dtmf.hpp"
#include "media/g711.hpp"
#include "media/media_engine.hpp"

namespace CLI {
class App;
}

namespace pbxbench::cli {

struct MediaArgs {
    bool off = false;
    std::string ports;  // "20000-29999"
    unsigned shared_sockets = 0;
    double tick_ms = 2;
    std::size_t receive_buffer_bytes = 0;
    double linger_ms = 200;
    std::string wav;
    std::string dtmf;
    double silence_ms = 2000;
};

// Adds --no-media, --rtp-ports, --rtp-shared-sockets, --media-tick-ms, --rtp-rcvbuf,
// --media-linger-ms and, with `caller`, --wav, --dtmf and --silence-ms.
void add_media_options(CLI::App& cmd, MediaArgs& a, const std::string& default_ports, bool caller);

struct MediaSettings {
    bool enabled = true;
    media::EngineOptions engine;
    std::optional<media::FrameSource> audio;
    std::vector<media::DtmfScheduleItem> dtmf;
    std::int64_t silence_threshold_ms = 2000;
};

// Validates and converts; bad values throw Fatal(usage) naming the option.
MediaSettings to_media_settings(const MediaArgs& a, const std::string& default_ports,
                                const std::string& bind_host);

}  // namespace pbxbench::cli
