#include "harness/live_view.hpp"

#include <cstdio>

namespace pbxbench::harness {

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

void LiveView::begin(const std::string& scenario, int level) {
    std::lock_guard lock(mutex_);
    scenario_ = scenario;
    level_ = level;
    active_ = cps_ = rss_bytes_ = 0;
    pss_bytes_.reset();
    printed_.reset();
    cpu_percent_.reset();
    sut_calls_.reset();
}

void LiveView::phase(Phase phase) {
    std::lock_guard lock(mutex_);
    phase_ = phase;
    if (printed_ == phase) return;  // progress repeats the phase every half second
    printed_ = phase;
    clear_locked();
    out_ << "pbxbench run: " << scenario_ << " at " << level_ << " calls: " << phase_name(phase)
         << '\n';
    draw_locked();
}

void LiveView::calls(double active, double cps) {
    std::lock_guard lock(mutex_);
    active_ = active;
    cps_ = cps;
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
    clear_locked();
    out_ << "pbxbench run: " << line << '\n';
    draw_locked();
}

void LiveView::finish() {
    std::lock_guard lock(mutex_);
    clear_locked();
    out_.flush();
}

void LiveView::clear_locked() {
    if (terminal_ && drawn_) out_ << "\r\033[K";
    drawn_ = false;
}

void LiveView::draw_locked() {
    if (!terminal_ || scenario_.empty()) {
        out_.flush();
        return;
    }
    char line[256];
    std::snprintf(
        line, sizeof line,
        "\r\033[K%s@%d %-12s active %5.0f  %6.1f cps  SUT: calls %s  CPU %s  RSS %.1f MB  PSS %s "
        "MB",
        scenario_.c_str(), level_, phase_name(phase_), active_, cps_,
        sut_calls_ ? std::to_string(static_cast<long>(*sut_calls_)).c_str() : "-",
        cpu_percent_ ? (std::to_string(static_cast<int>(*cpu_percent_)) + "%").c_str() : "-",
        rss_bytes_ / 1e6,
        pss_bytes_ ? std::to_string(static_cast<int>(*pss_bytes_ / 1e6)).c_str() : "-");
    out_ << line << std::flush;
    drawn_ = true;
}

}  // namespace pbxbench::harness
