#pragma once
// A listening-and-talking quality estimate from the ITU-T G.107 E-model for G.711, with the
// standard's default values for everything a network benchmark cannot observe (loudness
// ratings, room noise, echo loss). docs/media.md gives the formulas and the chosen constants.
#include <optional>

namespace pbxbench::media {

// What the E-model needs from a measured call.
struct EModelInputs {
    double one_way_delay_ms = 0;     // Ta: mouth-to-ear delay
    double packet_loss_percent = 0;  // Ppl
    double burst_ratio = 1;          // BurstR: 1 = random loss
};

// The codec's impairment constants (G.113 Appendix I).
struct CodecImpairment {
    double ie = 0;      // equipment impairment without loss; 0 for G.711
    double bpl = 25.1;  // packet-loss robustness; 25.1 for G.711 with PLC (4.3 without)
};

// G.711 as our metrics assume it: receivers conceal loss (Appendix I PLC).
inline constexpr CodecImpairment g711_with_plc{0, 25.1};
inline constexpr CodecImpairment g711_without_plc{0, 4.3};

// Ro − Is with G.107's default parameters (Ro = 94.77, Is = 1.41); with Id at zero delay
// (0.15 from listener echo) this gives the standard's default R = 93.2.
inline constexpr double r0_minus_is = 93.36;

// The three terms of Id (G.107 §7.3), exposed for tests and for the docs' worked examples:
// talker echo with T in ms, listener echo with Tr (round-trip echo delay) in ms, and the
// absolute delay Idd with Ta in ms (0 up to 100 ms).
double talker_echo_impairment(double t_ms);
double listener_echo_impairment(double tr_ms);
double absolute_delay_impairment(double ta_ms);

// Id, the delay impairment: talker echo (Idte), listener echo (Idle) and absolute delay (Idd),
// with T = Ta and Tr = 2·Ta and the default TELR 65 dB and WEPL 110 dB.
double delay_impairment(double one_way_delay_ms);

// Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl/BurstR + Bpl).
double effective_equipment_impairment(double packet_loss_percent, double burst_ratio,
                                      const CodecImpairment& codec = g711_with_plc);

// R = (Ro − Is) − Id − Ie,eff + A, with A = 0 (no advantage factor for a wired call).
double r_factor(const EModelInputs& in, const CodecImpairment& codec = g711_with_plc);

// G.107 Annex B: 1 below R = 0, 4.5 above R = 100, else 1 + 0.035R + R(R − 60)(100 − R)·7e−6.
double mos_from_r(double r);

// The jitter buffer the delay assumes: twice the RFC 3550 jitter estimate (an adaptive buffer
// covering about ±2 standard deviations of delay variation), but at least one 20 ms frame.
double jitter_buffer_ms(double jitter_ms);

// Ta = RTT/2 (0 when not measured) + jitter buffer + 20 ms packetization.
double mouth_to_ear_delay_ms(std::optional<double> rtt_ms, double jitter_ms);

// The MOS of a G.711 call with these measurements.
double estimate_mos(std::optional<double> rtt_ms, double jitter_ms, double packet_loss_percent,
                    const CodecImpairment& codec = g711_with_plc);

}  // namespace pbxbench::media
