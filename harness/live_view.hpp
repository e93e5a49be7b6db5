#pragma once
// What `pbxbench run` (and `capacity`) show on stderr while they work. On a terminal two status
// lines are redrawn in place (where in the run, phase, elapsed and remaining time; calls, rate,
// failures, loss, SUT CPU and memory); above them one line per phase, note and finished level
// scrolls. `--progress plain` prints the same lines timestamped, and the status every few
// seconds, with no escape codes (CI logs); not on a terminal, only the scrolling lines appear.
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "harness/live_view_phase.hpp"
#include "harness/progress_estimate.hpp"
#include "harness/progress_mode.hpp"
#include "monitor/clock.hpp"

namespace pbxbench::harness {

// How the view writes, once the mode met the terminal.
enum class ViewOutput {
    redraw,       // a terminal: status lines rewritten in place
    lines,        // not a terminal under auto: phase, note and level lines only
    timestamped,  // --progress plain: every line timestamped, the status every few seconds
    none,         // --progress none: problems only
};

ViewOutput resolve_view_output(ProgressMode mode, bool stderr_is_terminal);

// One `progress` event of `pbxbench uac`.
struct CallProgress {
    double attempted = 0;
    double active = 0;  // placed and not yet ended: INVITE sent, BYE not yet answered
    double ended = 0;   // completed or failed
    double failed = 0;
    double cps = 0;
    std::optional<double> packets_sent;  // RTP so far, when media flows
    std::optional<double> packets_received;
};

// Thread-safe: the monitor thread reports samples while the main thread reports calls, and a
// ticker thread redraws the clock (redraw and timestamped output only).
class LiveView {
  public:
    // `prefix` starts every scrolling line ("pbxbench run"). `width_fd`: the terminal whose
    // width limits the status lines (else `set_width`, default 100).
    LiveView(std::ostream& out, ViewOutput output, monitor::Clock& clock,
             std::string prefix = "pbxbench run", int width_fd = -1);
    ~LiveView();
    LiveView(const LiveView&) = delete;
    LiveView& operator=(const LiveView&) = delete;

    // What the SUT's call count is, e.g. "kamailio dialogs".
    void set_sut_label(std::string label);
    void set_width(int columns);
    void plan(const LivePlan& plan);
    // The next level's place in the plan (0-based); its slot (cooldown included) starts now.
    void position(int scenario_index, int level_index);
    void begin(const std::string& scenario, const LevelShape& shape);
    // A line per phase change; phases a short level passed between two progress events
    // (ramping, holding, draining) get their line too, in order.
    void phase(Phase phase);
    void calls(const CallProgress& progress);
    // PSS is read only every few samples: an absent one keeps the last shown.
    void sample(std::optional<double> cpu_percent, double rss_bytes,
                std::optional<double> pss_bytes, std::optional<double> sut_calls);
    // A line for people ("started kamailio (process group 123)"), above the status lines.
    void note(const std::string& line);
    // A warning or a failure: shown even with --progress none.
    void problem(const std::string& line);
    // The level is over: its headline figures ("mediaproxy_none@20 ok: 20/20 ...").
    void level_done(const std::string& headline);
    // Ends the status lines so later output starts on a fresh line; stops the ticker.
    void finish();

    // The status lines as they are drawn now (tests, and plain output).
    std::vector<std::string> status_lines();

  private:
    void line_locked(const std::string& text);
    void draw_locked();
    void clear_locked();
    void reset_figures_locked();
    std::vector<std::string> status_locked();
    double now_s();
    void tick_loop(std::stop_token stop);

    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::ostream& out_;
    ViewOutput output_;
    monitor::Clock& clock_;
    std::string prefix_;
    int width_fd_;
    int width_ = 100;
    int drawn_lines_ = 0;
    bool finished_ = false;
    ProgressEstimate estimate_;
    std::optional<LivePlan> plan_;
    int scenario_index_ = -1;
    int level_index_ = -1;
    std::string sut_label_ = "SUT calls";
    std::string scenario_;
    LevelShape shape_;
    Phase phase_ = Phase::starting_sut;
    std::optional<Phase> printed_;  // the last phase given its own line
    CallProgress calls_;
    std::optional<double> cpu_percent_;
    double rss_bytes_ = 0;
    std::optional<double> pss_bytes_;
    std::optional<double> sut_calls_;
    double last_plain_status_ = -1e9;
    std::jthread ticker_;  // last: started after everything it reads
};

// "0:07", "12:05", "1:02:03".
std::string clock_text(double seconds);

}  // namespace pbxbench::harness
