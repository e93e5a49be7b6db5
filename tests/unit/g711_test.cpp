#include "media/g711.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <numbers>
#include <vector>

using namespace pbxbench::media;
using ::testing::HasSubstr;

TEST(G711, EncodesTheTableEndpoints) {
    EXPECT_EQ(linear_to_ulaw(0), 0xFF);       // positive zero
    EXPECT_EQ(linear_to_ulaw(-1), 0x7F);      // negative zero: below the first decision value
    EXPECT_EQ(linear_to_ulaw(32767), 0x80);   // positive overload
    EXPECT_EQ(linear_to_ulaw(-32768), 0x00);  // negative overload
    EXPECT_EQ(linear_to_ulaw(-32767), 0x00);
}

TEST(G711, EncodesSegmentBoundariesOfTable2a) {
    // G.711 Table 2a in 14-bit magnitudes (×4 in 16-bit): decision value 1 splits codes 0xFF
    // and 0xFE, 31 ends segment 0 (0xF0 | 0xEF), 95 ends segment 1 (0xE0 | 0xDF), 8159 is the
    // top of segment 7.
    EXPECT_EQ(linear_to_ulaw(0 * 4), 0xFF);
    EXPECT_EQ(linear_to_ulaw(1 * 4), 0xFE);
    EXPECT_EQ(linear_to_ulaw(30 * 4), 0xF0);
    EXPECT_EQ(linear_to_ulaw(31 * 4), 0xEF);
    EXPECT_EQ(linear_to_ulaw(94 * 4), 0xE0);
    EXPECT_EQ(linear_to_ulaw(95 * 4), 0xDF);
    EXPECT_EQ(linear_to_ulaw(4062 * 4), 0x90);
    EXPECT_EQ(linear_to_ulaw(4063 * 4), 0x8F);
    EXPECT_EQ(linear_to_ulaw(-95 * 4), 0x5F);
}

TEST(G711, DecodesToIntervalCentres) {
    EXPECT_EQ(ulaw_to_linear(0xFF), 0);
    EXPECT_EQ(ulaw_to_linear(0x80), 32124);
    EXPECT_EQ(ulaw_to_linear(0x00), -32124);
    EXPECT_EQ(ulaw_to_linear(0xFE), 2 * 4);
}

TEST(G711, RoundTripErrorStaysWithinHalfAStep) {
    for (int x = -32768; x <= 32767; ++x) {
        const auto code = linear_to_ulaw(static_cast<std::int16_t>(x));
        const int back = ulaw_to_linear(code);
        const int segment = ((~code) >> 4) & 7;
        // Step in 16-bit units is 8 << segment; beyond the clip point the error grows.
        const int allowed = (4 << segment) + 4;
        if (std::abs(x) <= 32635) {
            ASSERT_LE(std::abs(back - x), allowed) << "x=" << x;
        }
        ASSERT_EQ(back >= 0, x >= 0 || back == 0) << "x=" << x;
    }
}

TEST(G711, ToneHasTheRequestedLevelAndIsPhaseContinuous) {
    ToneGenerator tone(440.0, -10.0);
    // -10 dBm0 is 13.17 dB below the overload point 32636.
    EXPECT_NEAR(tone.peak_linear(), 32636 * std::pow(10.0, -13.17 / 20), 1.0);

    std::array<std::uint8_t, pcmu_frame_bytes * 2> two_frames{};
    tone.render(std::span(two_frames).first(pcmu_frame_bytes));
    tone.render(std::span(two_frames).subspan(pcmu_frame_bytes));
    double sum_squares = 0;
    for (std::size_t i = 0; i < two_frames.size(); ++i) {
        const double expected =
            tone.peak_linear() * std::sin(2 * std::numbers::pi * 440.0 * i / 8000.0);
        const double got = ulaw_to_linear(two_frames[i]);
        ASSERT_NEAR(got, expected, 0.07 * tone.peak_linear() + 16) << "sample " << i;
        sum_squares += got * got;
    }
    const double rms = std::sqrt(sum_squares / two_frames.size());
    EXPECT_NEAR(rms, tone.peak_linear() / std::sqrt(2.0), 0.03 * rms);
}

TEST(G711, FrameSourceLoopsOverItsBuffer) {
    auto pcmu =
        std::make_shared<const std::vector<std::uint8_t>>(std::vector<std::uint8_t>{1, 2, 3, 4, 5});
    FrameSource source(pcmu);
    std::array<std::uint8_t, 7> out{};
    source.next_frame(out);
    EXPECT_EQ(out, (std::array<std::uint8_t, 7>{1, 2, 3, 4, 5, 1, 2}));
    source.next_frame(out);
    EXPECT_EQ(out, (std::array<std::uint8_t, 7>{3, 4, 5, 1, 2, 3, 4}));
}

TEST(G711, ToneSourceLoopIsSeamless) {
    FrameSource source = make_tone_source(440.0, -10.0);
    ASSERT_EQ(source.length_bytes(), 8000u);
    std::array<std::uint8_t, 8000> first{};
    std::array<std::uint8_t, 8000> second{};
    source.next_frame(first);
    source.next_frame(second);
    EXPECT_EQ(first, second);
}

namespace {

void put16(std::vector<std::uint8_t>& v, std::uint16_t x) {
    v.push_back(static_cast<std::uint8_t>(x));
    v.push_back(static_cast<std::uint8_t>(x >> 8));
}
void put32(std::vector<std::uint8_t>& v, std::uint32_t x) {
    put16(v, static_cast<std::uint16_t>(x));
    put16(v, static_cast<std::uint16_t>(x >> 16));
}
void tag(std::vector<std::uint8_t>& v, const char* t) {
    for (int i = 0; i < 4; ++i) v.push_back(static_cast<std::uint8_t>(t[i]));
}

std::vector<std::uint8_t> wav(std::uint16_t format, std::uint16_t channels, std::uint32_t rate,
                              std::uint16_t bits, const std::vector<std::uint8_t>& data) {
    std::vector<std::uint8_t> v;
    tag(v, "RIFF");
    put32(v, 0);  // readers must not depend on the RIFF size
    tag(v, "WAVE");
    tag(v, "LIST");  // an unrelated chunk with odd length, padded
    put32(v, 3);
    v.insert(v.end(), {'a', 'b', 'c', 0});
    tag(v, "fmt ");
    put32(v, 16);
    put16(v, format);
    put16(v, channels);
    put32(v, rate);
    put32(v, rate * channels * bits / 8);
    put16(v, static_cast<std::uint16_t>(channels * bits / 8));
    put16(v, bits);
    tag(v, "data");
    put32(v, static_cast<std::uint32_t>(data.size()));
    v.insert(v.end(), data.begin(), data.end());
    return v;
}

}  // namespace

TEST(G711, WavPcm16IsEncoded) {
    std::vector<std::uint8_t> samples;
    put16(samples, 0);
    put16(samples, 32767);
    put16(samples, static_cast<std::uint16_t>(-32768));
    auto pcmu = decode_wav_to_pcmu(wav(1, 1, 8000, 16, samples));
    ASSERT_TRUE(pcmu) << pcmu.error().message;
    EXPECT_EQ(*pcmu, (std::vector<std::uint8_t>{0xFF, 0x80, 0x00}));
}

TEST(G711, WavMulawIsCopied) {
    auto pcmu = decode_wav_to_pcmu(wav(7, 1, 8000, 8, {0x12, 0x34}));
    ASSERT_TRUE(pcmu) << pcmu.error().message;
    EXPECT_EQ(*pcmu, (std::vector<std::uint8_t>{0x12, 0x34}));
}

TEST(G711, WavErrorsNameTheProblem) {
    EXPECT_THAT(decode_wav_to_pcmu(wav(1, 1, 16000, 16, {0, 0})).error().message,
                HasSubstr("16000 Hz"));
    EXPECT_THAT(decode_wav_to_pcmu(wav(1, 2, 8000, 16, {0, 0, 0, 0})).error().message,
                HasSubstr("2 channels"));
    EXPECT_THAT(decode_wav_to_pcmu(wav(1, 1, 8000, 8, {0})).error().message, HasSubstr("8 bits"));
    EXPECT_THAT(decode_wav_to_pcmu(wav(3, 1, 8000, 32, {0, 0, 0, 0})).error().message,
                HasSubstr("format 3"));
    EXPECT_THAT(decode_wav_to_pcmu(wav(1, 1, 8000, 16, {})).error().message,
                HasSubstr("no samples"));
    const std::vector<std::uint8_t> junk{'R', 'I', 'F', 'X', 0, 0, 0, 0, 'W', 'A', 'V', 'E'};
    EXPECT_THAT(decode_wav_to_pcmu(junk).error().message, HasSubstr("not a WAV"));
    EXPECT_THAT(load_wav_source("/nonexistent/x.wav").error().message,
                HasSubstr("/nonexistent/x.wav"));
}
