#include "media/g711.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>

namespace pbxbench::media {

namespace {

// G.711 μ-law works on 14-bit magnitudes (13 bits + sign); 16-bit input drops its two low bits.
constexpr int ulaw_bias = 33;    // shifts the segment boundaries (31, 95, 223, ...) to 2^n - 33
constexpr int ulaw_clip = 8158;  // largest magnitude that still fits segment 7 after biasing
// 0 dBm0 is 3.17 dB below the μ-law overload point (G.711 Table 5 / the digital milliwatt).
constexpr double ulaw_overload_linear16 = 8159.0 * 4.0;
constexpr double dbm0_headroom_db = 3.17;

}  // namespace

std::uint8_t linear_to_ulaw(std::int16_t sample) {
    const bool negative = sample < 0;
    int magnitude = negative ? -(static_cast<int>(sample)) : sample;
    magnitude = std::min(magnitude >> 2, ulaw_clip) + ulaw_bias;
    // With the bias, segment s holds magnitudes in [2^(s+5), 2^(s+6)): the segment is the
    // position of the top bit, and the 4 bits below it are the step within the segment.
    const int segment = std::bit_width(static_cast<unsigned>(magnitude)) - 6;
    const int step = (magnitude >> (segment + 1)) & 0x0F;
    const auto code = static_cast<std::uint8_t>(~((segment << 4) | step));
    // Transmitted octets have every bit inverted; the sign bit then reads 1 for positive.
    return negative ? static_cast<std::uint8_t>(code & 0x7F) : code;
}

std::int16_t ulaw_to_linear(std::uint8_t code) {
    const int inverted = ~code & 0xFF;
    const int segment = (inverted >> 4) & 0x07;
    const int step = inverted & 0x0F;
    // The interval centre in biased 14-bit units is (2*step + 33) << segment; scale to 16 bits.
    const int magnitude = (((2 * step + ulaw_bias) << segment) - ulaw_bias) * 4;
    return static_cast<std::int16_t>((inverted & 0x80) ? -magnitude : magnitude);
}

ToneGenerator::ToneGenerator(double frequency_hz, double level_dbm0)
    : phase_step_rad_(2.0 * std::numbers::pi * frequency_hz / pcmu_clock_hz),
      peak_linear_(ulaw_overload_linear16 *
                   std::pow(10.0, (level_dbm0 - dbm0_headroom_db) / 20.0)) {}

void ToneGenerator::render(std::span<std::uint8_t> out) {
    for (auto& byte : out) {
        double v = std::clamp(peak_linear_ * std::sin(phase_rad_), -32768.0, 32767.0);
        byte = linear_to_ulaw(static_cast<std::int16_t>(std::lround(v)));
        phase_rad_ += phase_step_rad_;
        // Keep the phase small so sin() stays exact over an hour-long call.
        if (phase_rad_ >= 2.0 * std::numbers::pi) phase_rad_ -= 2.0 * std::numbers::pi;
    }
}

FrameSource::FrameSource(std::shared_ptr<const std::vector<std::uint8_t>> pcmu)
    : pcmu_(std::move(pcmu)) {
    if (!pcmu_ || pcmu_->empty()) throw Fatal("media: a frame source needs at least one sample");
}

void FrameSource::next_frame(std::span<std::uint8_t> out) {
    const std::vector<std::uint8_t>& src = *pcmu_;
    std::size_t written = 0;
    while (written < out.size()) {
        const std::size_t n = std::min(out.size() - written, src.size() - offset_);
        std::copy_n(src.begin() + static_cast<std::ptrdiff_t>(offset_), n, out.begin() + written);
        written += n;
        offset_ = (offset_ + n) % src.size();
    }
}

FrameSource make_tone_source(double frequency_hz, double level_dbm0) {
    auto pcmu = std::make_shared<std::vector<std::uint8_t>>(pcmu_clock_hz);
    ToneGenerator(frequency_hz, level_dbm0).render(*pcmu);
    return FrameSource(std::move(pcmu));
}

}  // namespace pbxbench::media
