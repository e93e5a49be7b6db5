// The WAV half of g711.hpp: a minimal RIFF reader for the one format family we send.
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string_view>

#include "media/g711.hpp"

namespace pbxbench::media {

namespace {

std::uint32_t le32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
           (std::uint32_t{p[3]} << 24);
}

std::uint16_t le16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

bool tag_is(const std::uint8_t* p, std::string_view tag) {
    return std::memcmp(p, tag.data(), 4) == 0;
}

struct WavFormat {
    std::uint16_t format_tag = 0;
    std::uint16_t channels = 0;
    std::uint32_t sample_rate_hz = 0;
    std::uint16_t bits_per_sample = 0;
};

constexpr std::uint16_t wave_format_pcm = 1;
constexpr std::uint16_t wave_format_mulaw = 7;

Result<void> check_format(const WavFormat& f) {
    const bool pcm16 = f.format_tag == wave_format_pcm && f.bits_per_sample == 16;
    const bool mulaw8 = f.format_tag == wave_format_mulaw && f.bits_per_sample == 8;
    if (!pcm16 && !mulaw8) {
        return fail("WAV encoding is format " + std::to_string(f.format_tag) + " with " +
                    std::to_string(f.bits_per_sample) +
                    " bits per sample; need 16-bit PCM (format 1) or 8-bit mu-law (format 7)");
    }
    if (f.channels != 1) {
        return fail("WAV has " + std::to_string(f.channels) + " channels; need mono (1)");
    }
    if (f.sample_rate_hz != pcmu_clock_hz) {
        return fail("WAV sample rate is " + std::to_string(f.sample_rate_hz) + " Hz; need 8000 Hz");
    }
    return {};
}

}  // namespace

Result<std::vector<std::uint8_t>> decode_wav_to_pcmu(std::span<const std::uint8_t> file_bytes) {
    const std::uint8_t* d = file_bytes.data();
    const std::size_t size = file_bytes.size();
    if (size < 12 || !tag_is(d, "RIFF") || !tag_is(d + 8, "WAVE")) {
        return fail("not a WAV file (no RIFF/WAVE header)");
    }
    std::optional<WavFormat> format;
    std::span<const std::uint8_t> data;
    bool have_data = false;
    std::size_t offset = 12;
    while (offset + 8 <= size && !have_data) {
        const std::uint8_t* chunk = d + offset;
        const std::size_t chunk_bytes = le32(chunk + 4);
        const std::size_t available = size - offset - 8;
        if (tag_is(chunk, "fmt ")) {
            if (chunk_bytes < 16 || chunk_bytes > available)
                return fail("WAV fmt chunk is truncated");
            format =
                WavFormat{le16(chunk + 8), le16(chunk + 10), le32(chunk + 12), le16(chunk + 22)};
        } else if (tag_is(chunk, "data")) {
            if (!format) return fail("WAV data chunk comes before the fmt chunk");
            // Streaming writers leave the size at 0 or 0xFFFFFFFF: take what the file holds.
            const std::size_t n =
                (chunk_bytes == 0 || chunk_bytes > available) ? available : chunk_bytes;
            data = file_bytes.subspan(offset + 8, n);
            have_data = true;
        }
        // Chunks are padded to an even length (RIFF).
        offset += 8 + chunk_bytes + (chunk_bytes & 1);
    }
    if (!format) return fail("WAV has no fmt chunk");
    if (auto ok = check_format(*format); !ok) return tl::unexpected(ok.error());
    if (!have_data) return fail("WAV has no data chunk");

    std::vector<std::uint8_t> pcmu;
    if (format->format_tag == wave_format_mulaw) {
        pcmu.assign(data.begin(), data.end());
    } else {
        pcmu.reserve(data.size() / 2);
        for (std::size_t i = 0; i + 1 < data.size(); i += 2) {
            pcmu.push_back(linear_to_ulaw(static_cast<std::int16_t>(le16(data.data() + i))));
        }
    }
    if (pcmu.empty()) return fail("WAV data chunk holds no samples");
    return pcmu;
}

Result<FrameSource> load_wav_source(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail("cannot open WAV file " + path);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
    auto pcmu = decode_wav_to_pcmu(bytes);
    if (!pcmu) return fail(path + ": " + pcmu.error().message);
    return FrameSource(std::make_shared<const std::vector<std::uint8_t>>(std::move(*pcmu)));
}

}  // namespace pbxbench::media
