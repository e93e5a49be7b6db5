#include "harness/live_view.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace pbxbench::harness {

namespace {

// The plain output repeats the status this often, so a CI log shows a long hold moving.
constexpr double plain_status_every_s = 5.0;

std::string fixed(double v, int digits) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

std::string count(double v) {
    return fixed(v, 0);
}

int phase_rank(Phase p) {
    return static_cast<int>(p);
}

}  // namespace

const char* phase_name(Phase phase) {
    switch (phase) {
        case Phase::starting_sut:
            return "starting SUT";
        case Phase::registering:
            return "registering";
        case Phase::ramping:
            return "ramping";
        case Phase::holding:
            return "holding";
        case Phase::draining:
            return "draining";
        case Phase::collecting:
            return "collecting";
        case Phase::stopping:
            return "stopping";
        case Phase::cooldown:
            return "cooldown";
    }
    return "?";
}

ViewOutput resolve_view_output(ProgressMode mode, bool stderr_is_terminal) {
    switch (mode) {
        case ProgressMode::automatic:
            return stderr_is_terminal ? ViewOutput::redraw : ViewOutput::lines;
        case ProgressMode::plain:
            return ViewOutput::timestamped;
        case ProgressMode::none:
            return ViewOutput::none;
    }
    return ViewOutput::lines;
}

std::string clock_text(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

LiveView::LiveView(std::ostream& out, ViewOutput output, monitor::Clock& clock, std::string prefix,
                   int width_fd)
    : out_(out), output_(output), clock_(clock), prefix_(std::move(prefix)), width_fd_(width_fd) {
    // The clock moves on its own between events (a SUT starting, a cooldown): redraw it.
    if (output_ == ViewOutput::redraw || output_ == ViewOutput::timestamped)
        ticker_ = std::jthread([this](std::stop_token stop) { tick_loop(stop); });
}

LiveView::~LiveView() {
    finish();
}

void LiveView::tick_loop(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
        wake_.wait_for(lock, stop, std::chrono::milliseconds(500), [] { return false; });
        if (stop.stop_requested() || finished_) break;
        draw_locked();
    }
}

double LiveView::now_s() {
    return std::chrono::duration<double>(clock_.now().time_since_epoch()).count();
}

void LiveView::set_sut_label(std::string label) {
    std::lock_guard lock(mutex_);
    sut_label_ = std::move(label);
}

void LiveView::set_width(int columns) {
    std::lock_guard lock(mutex_);
    width_ = columns;
}

void LiveView::plan(const LivePlan& plan) {
    std::lock_guard lock(mutex_);
    plan_ = plan;
    estimate_.set_plan(plan, now_s());
}

void LiveView::position(int scenario_index, int level_index) {
    std::lock_guard lock(mutex_);
    scenario_index_ = scenario_index;
    level_index_ = level_index;
    estimate_.position(scenario_index, level_index, now_s());
    // The slot starts with the cooldown: show the level to come, not the one that ended.
    if (plan_) {
        if (scenario_index >= 0 && scenario_index < static_cast<int>(plan_->scenarios.size()))
            scenario_ = plan_->scenarios[static_cast<std::size_t>(scenario_index)];
        if (level_index >= 0 && level_index < static_cast<int>(plan_->levels.size()))
            shape_ = {plan_->levels[static_cast<std::size_t>(level_index)], plan_->cps,
                      plan_->hold_s};
    }
    reset_figures_locked();
}

void LiveView::begin(const std::string& scenario, const LevelShape& shape) {
    std::lock_guard lock(mutex_);
    scenario_ = scenario;
    shape_ = shape;
    reset_figures_locked();
    printed_.reset();
    estimate_.begin_level(shape, now_s());
}

void LiveView::reset_figures_locked() {
    calls_ = {};
    rss_bytes_ = 0;
    pss_bytes_.reset();
    cpu_percent_.reset();
    sut_calls_.reset();
}

void LiveView::phase(Phase phase) {
    std::lock_guard lock(mutex_);
    phase_ = phase;
    estimate_.phase(phase, now_s());
    if (printed_ == phase) return;  // progress repeats the phase every half second
    // Progress comes every 0.5 s: a 0.4 s ramp or a short drain falls between two events, and
    // the phase lines would skip it. Those phases did happen; say so in order.
    if (calls_phase(phase) && (!printed_ || phase_rank(*printed_) < phase_rank(phase))) {
        const int from = printed_ && calls_phase(*printed_) ? phase_rank(*printed_) + 1
                                                            : phase_rank(Phase::ramping);
        for (int p = from; p < phase_rank(phase); ++p)
            line_locked(scenario_ + " at " + std::to_string(shape_.calls) +
                        " calls: " + phase_name(static_cast<Phase>(p)));
    }
    printed_ = phase;
    line_locked(scenario_ + " at " + std::to_string(shape_.calls) + " calls: " + phase_name(phase));
}

void LiveView::calls(const CallProgress& progress) {
    std::lock_guard lock(mutex_);
    calls_ = progress;
    draw_locked();
}

void LiveView::sample(std::optional<double> cpu_percent, double rss_bytes,
                      std::optional<double> pss_bytes, std::optional<double> sut_calls) {
    std::lock_guard lock(mutex_);
    cpu_percent_ = cpu_percent;
    rss_bytes_ = rss_bytes;
    if (pss_bytes) pss_bytes_ = pss_bytes;
    sut_calls_ = sut_calls;
    draw_locked();
}

void LiveView::note(const std::string& line) {
    std::lock_guard lock(mutex_);
    line_locked(line);
}

void LiveView::problem(const std::string& line) {
    std::lock_guard lock(mutex_);
    if (output_ != ViewOutput::none) {
        line_locked(line);
        return;
    }
    out_ << prefix_ << ": " << line << '\n' << std::flush;
}

void LiveView::level_done(const std::string& headline) {
    std::lock_guard lock(mutex_);
    estimate_.end_level(now_s());
    line_locked("done " + headline);
}

void LiveView::finish() {
    {
        std::lock_guard lock(mutex_);
        clear_locked();
        finished_ = true;
        out_.flush();
    }
    if (ticker_.joinable()) {
        ticker_.request_stop();
        ticker_.join();
    }
}

std::vector<std::string> LiveView::status_lines() {
    std::lock_guard lock(mutex_);
    return status_locked();
}

// A scrolling line: above the status lines on a terminal, timestamped in plain output.
void LiveView::line_locked(const std::string& text) {
    if (output_ == ViewOutput::none || finished_) return;
    clear_locked();
    if (output_ == ViewOutput::timestamped) {
        const std::time_t t = static_cast<std::time_t>(clock_.unix_ms() / 1000);
        std::tm tm{};
        ::gmtime_r(&t, &tm);
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ ", &tm);
        out_ << stamp;
    }
    out_ << prefix_ << ": " << text << '\n';
    draw_locked();
}

void LiveView::clear_locked() {
    if (output_ != ViewOutput::redraw || drawn_lines_ == 0) return;
    // The cursor sits at the end of the last status line: wipe it and the ones above.
    out_ << "\r\033[K";
    for (int i = 1; i < drawn_lines_; ++i) out_ << "\033[1A\r\033[K";
    drawn_lines_ = 0;
}

void LiveView::draw_locked() {
    if (finished_ || scenario_.empty()) {
        out_.flush();
        return;
    }
    if (output_ == ViewOutput::timestamped) {
        const double now = now_s();
        if (now - last_plain_status_ < plain_status_every_s) return;
        last_plain_status_ = now;
        const auto status = status_locked();
        // The status is printed as lines of its own (no redraw), so it must not recurse.
        const std::time_t t = static_cast<std::time_t>(clock_.unix_ms() / 1000);
        std::tm tm{};
        ::gmtime_r(&t, &tm);
        char stamp[32];
        std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ ", &tm);
        for (const auto& l : status) out_ << stamp << prefix_ << ": status: " << l << '\n';
        out_ << std::flush;
        return;
    }
    if (output_ != ViewOutput::redraw) {
        out_.flush();
        return;
    }
    if (width_fd_ >= 0) {
        winsize ws{};
        if (::ioctl(width_fd_, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) width_ = ws.ws_col;
    }
    clear_locked();
    const auto status = status_locked();
    for (std::size_t i = 0; i < status.size(); ++i) {
        // One column short of the width: a full line would wrap and break the redraw.
        std::string l = status[i].substr(0, static_cast<std::size_t>(std::max(10, width_ - 1)));
        out_ << (i ? "\n" : "") << l;
    }
    drawn_lines_ = static_cast<int>(status.size());
    out_ << std::flush;
}

std::vector<std::string> LiveView::status_locked() {
    const double now = now_s();
    std::string where;
    if (plan_ && scenario_index_ >= 0)
        where = "scenario " + std::to_string(scenario_index_ + 1) + " of " +
                std::to_string(plan_->scenarios.size()) + ": " + scenario_ + " | level " +
                std::to_string(level_index_ + 1) + " of " + std::to_string(plan_->levels.size()) +
                ": " + std::to_string(shape_.calls) + " calls";
    else
        where = scenario_ + " | " + std::to_string(shape_.calls) + " calls";
    std::string times = "level " + clock_text(estimate_.level_elapsed(now));
    if (auto left = estimate_.level_remaining(now)) times += ", ~" + clock_text(*left) + " left";
    times += " | run " + clock_text(estimate_.run_elapsed(now));
    if (auto left = estimate_.run_remaining(now)) times += ", ~" + clock_text(*left) + " left";
    std::string first = where + " | " + phase_name(phase_) + " | " + times;

    // "ours" counts a call from its INVITE to the BYE's answer; the SUT counts what it tracks
    // (Kamailio: confirmed dialogs), so the two differ by the calls being set up or torn down.
    std::string second = "calls: ours " + count(calls_.active) + ", " + sut_label_ + " " +
                         (sut_calls_ ? count(*sut_calls_) : std::string("n/a")) + " | " +
                         fixed(calls_.cps, 1) + " cps | failed " + count(calls_.failed) +
                         " | loss ";
    if (calls_.packets_sent && calls_.packets_received && *calls_.packets_sent > 0)
        second +=
            fixed(std::max(0.0, 100.0 * (1.0 - *calls_.packets_received / *calls_.packets_sent)),
                  2) +
            "%";
    else
        second += "n/a";
    second += " | SUT CPU " + (cpu_percent_ ? fixed(*cpu_percent_, 0) + "%" : std::string("n/a")) +
              " RSS " + (rss_bytes_ > 0 ? fixed(rss_bytes_ / 1e6, 1) + " MB" : std::string("n/a")) +
              " PSS " + (pss_bytes_ ? fixed(*pss_bytes_ / 1e6, 1) + " MB" : std::string("n/a"));
    return {first, second};
}

}  // namespace pbxbench::harness
