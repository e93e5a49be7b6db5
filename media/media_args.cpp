#include "media/media_args.hpp"

#include "sip/text.hpp"

namespace pbxbench::media {

Result<MediaSettings> to_media_settings(const MediaArgs& a, const std::string& default_ports,
                                        const std::string& bind_host) {
    MediaSettings m;
    m.enabled = !a.off;
    const std::string& range = a.ports.empty() ? default_ports : a.ports;
    const std::size_t dash = range.find('-');
    auto low = sip::parse_uint(std::string_view(range).substr(0, dash), 65535);
    auto high = dash == std::string::npos
                    ? std::optional<std::uint64_t>()
                    : sip::parse_uint(std::string_view(range).substr(dash + 1), 65535);
    if (!low || !high || *low < 1024 || *high <= *low + 1)
        return fail("--rtp-ports '" + range + "' is not a range LOW-HIGH within 1024-65535");
    m.engine.port_min = static_cast<std::uint16_t>(*low);
    m.engine.port_max = static_cast<std::uint16_t>(*high);
    m.engine.shared_sockets = a.shared_sockets;
    if (a.shared_sockets * 2 > *high - *low + 1) {
        return fail("--rtp-shared-sockets " + std::to_string(a.shared_sockets) + " needs " +
                    std::to_string(a.shared_sockets * 2) + " ports; --rtp-ports " + range +
                    " has fewer");
    }
    m.engine.tick = std::chrono::microseconds(static_cast<long>(a.tick_ms * 1000));
    m.engine.receive_buffer_bytes = a.receive_buffer_bytes;
    m.engine.linger = std::chrono::milliseconds(static_cast<long>(a.linger_ms));
    m.engine.bind_host = bind_host;
    if (!a.wav.empty()) {
        auto source = load_wav_source(a.wav);
        if (!source) return fail("--wav: " + source.error().message);
        m.audio = std::move(*source);
    }
    if (!a.dtmf.empty()) {
        auto schedule = parse_dtmf_schedule(a.dtmf);
        if (!schedule) return fail("--dtmf: " + schedule.error().message);
        m.dtmf = std::move(*schedule);
    }
    m.silence_threshold_ms = static_cast<std::int64_t>(a.silence_ms);
    return m;
}

}  // namespace pbxbench::media
