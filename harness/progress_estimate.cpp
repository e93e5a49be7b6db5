#include "harness/progress_estimate.hpp"

#include <algorithm>

namespace pbxbench::harness {

void ProgressEstimate::set_plan(const LivePlan& plan, double now) {
    plan_ = plan;
    run_start_ = now;
}

void ProgressEstimate::position(int scenario_index, int level_index, double now) {
    scenario_index_ = scenario_index;
    level_index_ = level_index;
    positioned_ = true;
    stage_ = Stage::idle;
    slot_start_ = stage_start_ = now;
    calls_start_.reset();
    post_start_.reset();
    if (plan_ && level_index >= 0 && level_index < static_cast<int>(plan_->levels.size()))
        shape_ = {plan_->levels[static_cast<std::size_t>(level_index)], plan_->cps, plan_->hold_s};
}

void ProgressEstimate::begin_level(const LevelShape& shape, double now) {
    // Without position() (capacity's trials) the slot starts here.
    if (!positioned_) slot_start_ = now;
    positioned_ = false;
    shape_ = shape;
    stage_ = Stage::pre;
    stage_start_ = pre_start_ = now;
    calls_start_.reset();
    post_start_.reset();
}

void ProgressEstimate::phase(Phase phase, double now) {
    Stage next = stage_;
    if (phase == Phase::cooldown)
        next = Stage::cooldown;
    else if (phase == Phase::starting_sut || phase == Phase::registering)
        next = Stage::pre;
    else if (calls_phase(phase))
        next = Stage::calls;
    else
        next = Stage::post;
    if (next == stage_) return;
    // A level that fails before its calls goes from pre straight to post.
    if (next == Stage::calls && !calls_start_) calls_start_ = now;
    if (next == Stage::post && !post_start_) post_start_ = now;
    stage_ = next;
    stage_start_ = now;
}

void ProgressEstimate::end_level(double now) {
    // A running mean: one slow start (a cold page cache) should not dominate the rest.
    if (calls_start_) {
        pre_s_ = (pre_s_ * measured_pre_ + (*calls_start_ - pre_start_)) / (measured_pre_ + 1);
        ++measured_pre_;
    }
    if (post_start_ && calls_start_) {
        post_s_ = (post_s_ * measured_post_ + (now - *post_start_)) / (measured_post_ + 1);
        ++measured_post_;
    }
    stage_ = Stage::done;
    stage_start_ = now;
}

double ProgressEstimate::level_elapsed(double now) const {
    return std::max(0.0, now - slot_start_);
}

double ProgressEstimate::run_elapsed(double now) const {
    return std::max(0.0, now - run_start_);
}

double ProgressEstimate::calls_s(const LevelShape& shape) const {
    return (shape.cps > 0 ? shape.calls / shape.cps : 0.0) + shape.hold_s;
}

double ProgressEstimate::slot_s(int calls, bool with_cooldown) const {
    const double cooldown = with_cooldown && plan_ ? plan_->cooldown_s : 0.0;
    return cooldown + pre_s_ +
           calls_s({calls, plan_ ? plan_->cps : 1.0, plan_ ? plan_->hold_s : 0}) + post_s_;
}

std::optional<double> ProgressEstimate::level_remaining(double now) const {
    const double in_stage = now - stage_start_;
    auto left = [&](double planned) { return std::max(0.0, planned - in_stage); };
    const double calls = calls_s(shape_);
    switch (stage_) {
        case Stage::idle:
            if (!plan_ || !positioned_) return std::nullopt;
            return pre_s_ + calls + post_s_;
        case Stage::cooldown:
            return left(plan_ ? plan_->cooldown_s : 0.0) + pre_s_ + calls + post_s_;
        case Stage::pre:
            return left(pre_s_) + calls + post_s_;
        case Stage::calls:
            return std::max(0.0, calls - (now - calls_start_.value_or(now))) + post_s_;
        case Stage::post:
            return left(post_s_);
        case Stage::done:
            return 0.0;
    }
    return std::nullopt;
}

std::optional<double> ProgressEstimate::run_remaining(double now) const {
    if (!plan_) return std::nullopt;
    const int n = static_cast<int>(plan_->levels.size());
    double total = 0;
    if (auto here = level_remaining(now))
        total = *here;
    else if (n > 0)
        return std::nullopt;
    // Later levels of this scenario, then every level of each later scenario.
    for (int k = level_index_ + 1; k < n; ++k)
        total += slot_s(plan_->levels[static_cast<std::size_t>(k)], true);
    for (int j = scenario_index_ + 1; j < static_cast<int>(plan_->scenarios.size()); ++j)
        for (int k = 0; k < n; ++k)
            total += slot_s(plan_->levels[static_cast<std::size_t>(k)], true);
    return total;
}

}  // namespace pbxbench::harness
