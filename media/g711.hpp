#pragma once
// G.711 μ-law (PCMU) and the sources of the audio we send: a generated tone or an 8 kHz WAV.
// Frames are 20 ms: 160 samples, 160 bytes of PCMU.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace pbxbench::media {

inline constexpr std::size_t pcmu_frame_bytes = 160;  // 20 ms at 8000 samples/s
inline constexpr std::uint32_t pcmu_clock_hz = 8000;
inline constexpr std::uint8_t pcmu_payload_type = 0;

// Encodes one 16-bit linear sample as a G.711 μ-law octet (with the transmitted bit inversion):
// 0 → 0xFF, 32767 → 0x80, -32768 → 0x00.
std::uint8_t linear_to_ulaw(std::int16_t sample);

// Decodes a μ-law octet to the 16-bit linear value at the centre of its quantization interval.
std::int16_t ulaw_to_linear(std::uint8_t code);

// A sine tone rendered straight to PCMU, phase-continuous across frames.
class ToneGenerator {
  public:
    // `level_dbm0` is relative to the G.711 μ-law digital milliwatt (0 dBm0 = a sine whose peak
    // is 3.17 dB below the coder's overload point).
    explicit ToneGenerator(double frequency_hz = 440.0, double level_dbm0 = -10.0);

    // Fills `out` (any length, usually pcmu_frame_bytes) with the next samples of the tone.
    void render(std::span<std::uint8_t> out);

    // The sine's peak in 16-bit linear units.
    double peak_linear() const { return peak_linear_; }

  private:
    double phase_step_rad_;
    double phase_rad_ = 0.0;
    double peak_linear_;
};

// A looping source of PCMU frames over audio prepared once per run (the same buffer is shared by
// every call's source, so a thousand calls do not copy a WAV a thousand times).
class FrameSource {
  public:
    // `pcmu` must not be empty.
    explicit FrameSource(std::shared_ptr<const std::vector<std::uint8_t>> pcmu);

    // Copies the next `out.size()` bytes, wrapping to the start at the end. Never allocates.
    void next_frame(std::span<std::uint8_t> out);

    // The loop's length: 8000 bytes per second of audio.
    std::size_t length_bytes() const { return pcmu_->size(); }

  private:
    std::shared_ptr<const std::vector<std::uint8_t>> pcmu_;
    std::size_t offset_ = 0;
};

// One second of a tone: a whole number of cycles for any integer frequency, so the loop is
// seamless.
FrameSource make_tone_source(double frequency_hz = 440.0, double level_dbm0 = -10.0);

// Decodes a WAV file image to PCMU. Accepts RIFF/WAVE with an 8000 Hz mono fmt chunk that is
// 16-bit PCM (format 1) or 8-bit μ-law (format 7); the error names what else it found.
Result<std::vector<std::uint8_t>> decode_wav_to_pcmu(std::span<const std::uint8_t> file_bytes);

// Reads and decodes the WAV at `path` (errors name the path) into a looping source.
Result<FrameSource> load_wav_source(const std::string& path);

}  // namespace pbxbench::media
