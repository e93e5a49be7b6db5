#include "media/quality.hpp"

#include <algorithm>
#include <cmath>

namespace pbxbench::media {

namespace {

// G.107 Table 3 defaults that the delay terms use.
constexpr double ro = 94.77;     // basic signal-to-noise ratio from the default noise floor No
constexpr double telr_db = 65;   // talker echo loudness rating
constexpr double wepl_db = 110;  // weighted echo path loss
constexpr double packetization_ms = 20;

}  // namespace

// Talker echo, G.107 §7.3 (STMR ≥ 9 form, default 15).
double talker_echo_impairment(double t_ms) {
    const double roe = ro;  // −1.5(No − 2) with the default No = −61.18 dBm0p
    const double terv = telr_db - 40 * std::log10((1 + t_ms / 10) / (1 + t_ms / 150)) +
                        6 * std::exp(-0.3 * t_ms * t_ms);
    const double re = 80 + 2.5 * (terv - 14);
    const double half = (roe - re) / 2;
    return (half + std::sqrt(half * half + 100) - 1) * (1 - std::exp(-t_ms));
}

// Listener echo, G.107 §7.3.
double listener_echo_impairment(double tr_ms) {
    const double rle = 10.5 * (wepl_db + 7) * std::pow(tr_ms + 1, -0.25);
    const double half = (ro - rle) / 2;
    return half + std::sqrt(half * half + 169);
}

// Absolute delay, G.107 §7.3: a smooth rise that starts at 100 ms.
double absolute_delay_impairment(double ta_ms) {
    if (ta_ms <= 100) return 0;
    const double x = std::log10(ta_ms / 100) / std::log10(2.0);
    return 25 * (std::pow(1 + std::pow(x, 6), 1.0 / 6) -
                 3 * std::pow(1 + std::pow(x / 3, 6), 1.0 / 6) + 2);
}

double delay_impairment(double one_way_delay_ms) {
    const double ta = std::max(one_way_delay_ms, 0.0);
    return talker_echo_impairment(ta) + listener_echo_impairment(2 * ta) +
           absolute_delay_impairment(ta);
}

double effective_equipment_impairment(double packet_loss_percent, double burst_ratio,
                                      const CodecImpairment& codec) {
    const double ppl = std::clamp(packet_loss_percent, 0.0, 100.0);
    const double burst = std::max(burst_ratio, 1e-9);
    return codec.ie + (95 - codec.ie) * ppl / (ppl / burst + codec.bpl);
}

double r_factor(const EModelInputs& in, const CodecImpairment& codec) {
    return r0_minus_is - delay_impairment(in.one_way_delay_ms) -
           effective_equipment_impairment(in.packet_loss_percent, in.burst_ratio, codec);
}

double mos_from_r(double r) {
    if (r < 0) return 1.0;
    if (r > 100) return 4.5;
    return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

double jitter_buffer_ms(double jitter_ms) {
    return std::max(2 * jitter_ms, packetization_ms);
}

double mouth_to_ear_delay_ms(std::optional<double> rtt_ms, double jitter_ms) {
    return rtt_ms.value_or(0) / 2 + jitter_buffer_ms(jitter_ms) + packetization_ms;
}

double estimate_mos(std::optional<double> rtt_ms, double jitter_ms, double packet_loss_percent,
                    const CodecImpairment& codec) {
    EModelInputs in;
    in.one_way_delay_ms = mouth_to_ear_delay_ms(rtt_ms, jitter_ms);
    in.packet_loss_percent = packet_loss_percent;
    return mos_from_r(r_factor(in, codec));
}

}  // namespace pbxbench::media
