#pragma once
// What `pbxbench run` shows on stderr while it works: on a terminal one line rewritten in place
// (scenario, level, phase, active calls, call rate, SUT CPU and memory from the latest sample);
// otherwise one plain line per phase change, so logs stay readable.
#include <mutex>
#include <optional>
#include <ostream>
#include <string>

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

enum class Terminal { yes, no };

// Thread-safe: the monitor thread reports samples while the main thread reports calls.
class LiveView {
  public:
    LiveView(std::ostream& out, Terminal terminal)
        : out_(out), terminal_(terminal == Terminal::yes) {}

    void begin(const std::string& scenario, int level);
    // Prints a plain line on a phase change (and redraws the live line on a terminal).
    void phase(Phase phase);
    void calls(double active, double cps);
    // PSS is read only every few samples: an absent one keeps the last shown.
    void sample(std::optional<double> cpu_percent, double rss_bytes,
                std::optional<double> pss_bytes, std::optional<double> sut_calls);
    // A line for people ("started kamailio (process group 123)"), above the live line.
    void note(const std::string& line);
    // Ends the live line so later output starts on a fresh line.
    void finish();

  private:
    void draw_locked();
    void clear_locked();

    std::mutex mutex_;
    std::ostream& out_;
    bool terminal_;
    bool drawn_ = false;
    std::string scenario_;
    int level_ = 0;
    Phase phase_ = Phase::starting_sut;
    std::optional<Phase> printed_;  // the last phase given its own line
    double active_ = 0;
    double cps_ = 0;
    std::optional<double> cpu_percent_;
    double rss_bytes_ = 0;
    std::optional<double> pss_bytes_;
    std::optional<double> sut_calls_;
};

}  // namespace pbxbench::harness
