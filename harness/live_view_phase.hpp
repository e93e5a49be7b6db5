#pragma once
// The phases of one level, in the order they happen.
namespace pbxbench::harness {

enum class Phase {
    starting_sut,
    registering,
    ramping,
    holding,
    draining,
    collecting,
    stopping,
    cooldown
};

const char* phase_name(Phase phase);

// Ramping, holding and draining: while the calls are placed and held.
inline bool calls_phase(Phase phase) {
    return phase == Phase::ramping || phase == Phase::holding || phase == Phase::draining;
}

}  // namespace pbxbench::harness
