#include "harness/capacity_search.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pbxbench::harness {

namespace {

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

}  // namespace

std::string_view to_string(TrialVerdict v) {
    switch (v) {
        case TrialVerdict::pass:
            return "pass";
        case TrialVerdict::fail:
            return "fail";
        case TrialVerdict::generator_bound:
            return "generator_bound";
        case TrialVerdict::error:
            return "error";
        case TrialVerdict::interrupted:
            return "interrupted";
    }
    return "?";
}

std::string_view to_string(TrialPurpose p) {
    switch (p) {
        case TrialPurpose::probe:
            return "probe";
        case TrialPurpose::bisect:
            return "bisect";
        case TrialPurpose::retest:
            return "retest";
        case TrialPurpose::confirm:
            return "confirm";
    }
    return "?";
}

std::string_view to_string(StopReason r) {
    switch (r) {
        case StopReason::confirmed:
            return "confirmed";
        case StopReason::budget:
            return "budget";
        case StopReason::generator_bound:
            return "generator_bound";
        case StopReason::error:
            return "error";
        case StopReason::interrupted:
            return "interrupted";
        case StopReason::below_minimum:
            return "below_minimum";
    }
    return "?";
}

Result<void> validate(const SearchConfig& c) {
    if (!(c.resolution > 0 && c.resolution < 1))
        return fail("--resolution must be between 0% and 100% (e.g. 5%), got " +
                    number(c.resolution * 100) + "%");
    if (!(c.growth > 1)) return fail("the probe factor must be above 1");
    if (!(c.min_value > 0) || c.min_value > c.max_value)
        return fail("--max (" + number(c.max_value) + ") must be at least the minimum (" +
                    number(c.min_value) + ")");
    if (c.start < c.min_value || c.start > c.max_value)
        return fail("--start " + number(c.start) + " is outside what the generator can offer (" +
                    number(c.min_value) + " to " + number(c.max_value) +
                    "): pick a start in that range, or raise --max");
    if (!(c.trial_s > 0) || !(c.confirm_s > 0))
        return fail("--trial and --confirm must be longer than 0 s");
    const double one = c.trial_s + c.confirm_s + 2 * c.overhead_s;
    if (c.budget_s < one)
        return fail("--budget " + number(c.budget_s) + " s is too short for one search trial (" +
                    number(c.trial_s) + " s) and its confirmation (" + number(c.confirm_s) +
                    " s) with about " + number(c.overhead_s) +
                    " s each to start and stop the SUT: give at least --budget " +
                    number(std::ceil(one)) + "s, or shorten --trial/--confirm");
    return {};
}

CapacitySearch::CapacitySearch(SearchConfig config) : config_(config) {
    probe_value_ = round(config_.start);
}

double CapacitySearch::round(double value) const {
    if (config_.whole_numbers) return std::max(1.0, std::floor(value));
    // Three significant digits: "212" reads better than "212.890625" and costs under 0.5%.
    if (value <= 0) return value;
    const double scale = std::pow(10.0, std::floor(std::log10(value)) - 2);
    return std::round(value / scale) * scale;
}

double CapacitySearch::estimated_cost_s(double duration_s) const {
    // Failing trials end early, so only passing ones say what a full trial costs.
    std::optional<double> overhead;
    for (const TrialRecord& r : history_)
        if (r.verdict == TrialVerdict::pass)
            overhead = std::max(overhead.value_or(0.0), r.cost_s - r.request.duration_s);
    return duration_s + overhead.value_or(config_.overhead_s);
}

CapacitySearch::Tally& CapacitySearch::tally(double value) {
    for (Tally& t : tallies_)
        if (t.value == value) return t;
    tallies_.push_back({value, 0, 0});
    return tallies_.back();
}

bool CapacitySearch::failed_at_or_below(double value) const {
    return hi_ && *hi_ <= value;
}

void CapacitySearch::finish(StopReason reason) {
    phase_ = Phase::done;
    reason_ = reason;
    retest_.reset();
}

void CapacitySearch::start_confirm(double value) {
    phase_ = Phase::confirm;
    confirm_value_ = value;
    retest_.reset();
}

std::optional<TrialRequest> CapacitySearch::make(double value, double duration_s,
                                                 TrialPurpose purpose) {
    pending_ = TrialRequest{static_cast<int>(history_.size()), value, duration_s, purpose};
    return pending_;
}

std::optional<TrialRequest> CapacitySearch::next(double elapsed_s) {
    if (pending_) return pending_;
    const double left_s = config_.budget_s - elapsed_s;
    const double confirm_cost = estimated_cost_s(config_.confirm_s);
    if (phase_ != Phase::confirm && phase_ != Phase::done) {
        // A search trial runs only while the confirmation still fits after it.
        if (estimated_cost_s(config_.trial_s) + confirm_cost > left_s) {
            if (!lo_) {
                finish(StopReason::budget);
                return std::nullopt;
            }
            start_confirm(*lo_);
        } else if (retest_) {
            return make(*retest_, config_.trial_s, TrialPurpose::retest);
        } else if (phase_ == Phase::probe_up || phase_ == Phase::probe_down) {
            return make(probe_value_, config_.trial_s, TrialPurpose::probe);
        } else {
            const double mid = round((*lo_ + *hi_) / 2);
            if (*hi_ - *lo_ > config_.resolution * *lo_ && mid > *lo_ && mid < *hi_)
                return make(mid, config_.trial_s, TrialPurpose::bisect);
            resolution_reached_ = true;
            start_confirm(*lo_);
        }
    }
    if (phase_ == Phase::confirm) {
        if (confirm_cost > left_s) {
            finish(generator_bound_ ? StopReason::generator_bound : StopReason::budget);
            return std::nullopt;
        }
        return make(confirm_value_, config_.confirm_s, TrialPurpose::confirm);
    }
    return std::nullopt;
}

void CapacitySearch::record(const TrialRequest& trial, TrialVerdict verdict, double cost_s) {
    pending_.reset();
    history_.push_back({trial, verdict, cost_s});
    if (phase_ == Phase::done) return;
    switch (verdict) {
        case TrialVerdict::generator_bound:
            // Nothing above this value is the SUT's to answer for. The highest pass is still
            // worth confirming: a floor ("at least"), reported with the generator's limit.
            // Run once more first: on a shared machine one busy moment can starve the
            // generator, and that should not end the search.
            if (!generator_retested_ && !generator_bound_ &&
                trial.purpose != TrialPurpose::confirm) {
                generator_retested_ = true;
                retest_ = trial.value;
                return;
            }
            if (!stopped_at_) stopped_at_ = trial.value;
            if (generator_bound_ || trial.purpose == TrialPurpose::confirm || !lo_)
                return finish(StopReason::generator_bound);
            generator_bound_ = true;
            hi_.reset();
            return start_confirm(*lo_);
        case TrialVerdict::error:
            stopped_at_ = trial.value;
            return finish(StopReason::error);
        case TrialVerdict::interrupted:
            stopped_at_ = trial.value;
            return finish(StopReason::interrupted);
        case TrialVerdict::pass:
        case TrialVerdict::fail:
            break;
    }
    const bool passed = verdict == TrialVerdict::pass;

    if (trial.purpose == TrialPurpose::confirm) {
        if (passed) {
            confirmed_ = trial.value;
            return finish(generator_bound_ ? StopReason::generator_bound : StopReason::confirmed);
        }
        // Failing the longer trial is a failure at that value: step down. The first step is
        // half the resolution (short trials passed here, so the limit is likely just below);
        // each further one doubles, so a leaking SUT does not cost ten confirmations.
        hi_ = std::min(hi_.value_or(trial.value), trial.value);
        if (lo_ && *lo_ >= trial.value) lo_.reset();
        const double step = config_.resolution / 2 * std::pow(2.0, confirm_failures_++);
        const double lower = round(trial.value * (1 - std::min(step, 0.5)));
        if (lower < config_.min_value || lower >= trial.value)
            return finish(StopReason::below_minimum);
        confirm_value_ = lower;
        return;
    }

    Tally& t = tally(trial.value);
    (passed ? t.passes : t.fails)++;
    // The first failure ends the probe and bounds every later trial, so a spurious one would
    // cap the whole search: it is run once more (an early-aborted failure costs seconds).
    if (!passed && !retested_first_failure_ && t.passes == 0 && t.fails == 1) {
        retested_first_failure_ = true;
        retest_ = trial.value;
        return;
    }
    // A surprising pass (where a failure was seen, at this value or below) is believed only
    // when a second pass outvotes the failures; votes at one value end after three trials.
    const bool surprising = t.fails > 0 || failed_at_or_below(trial.value);
    if (passed && surprising && !(t.passes >= 2 && t.passes > t.fails)) {
        retest_ = trial.value;
        return;
    }
    if (!passed && t.passes > 0 && t.passes == t.fails) {
        retest_ = trial.value;
        return;
    }
    retest_.reset();
    if (t.passes > t.fails)
        believe_pass(trial.value);
    else
        believe_fail(trial.value);
    after_short_trial();
}

void CapacitySearch::believe_pass(double value) {
    lo_ = std::max(lo_.value_or(value), value);
    if (hi_ && *hi_ <= value) {
        // The pass outvoted a failure below it: the bound moves to the next failure above.
        hi_.reset();
        for (const Tally& t : tallies_)
            if (t.value > value && t.fails > t.passes)
                hi_ = std::min(hi_.value_or(t.value), t.value);
    }
}

void CapacitySearch::believe_fail(double value) {
    hi_ = std::min(hi_.value_or(value), value);
    if (lo_ && *lo_ >= value) {
        // A failure at or below the highest pass: the highest pass below it still stands.
        lo_.reset();
        for (const Tally& t : tallies_)
            if (t.value < value && t.passes > t.fails)
                lo_ = std::max(lo_.value_or(t.value), t.value);
    }
}

void CapacitySearch::after_short_trial() {
    if (!hi_) {
        const double next = round(std::min(*lo_ * config_.growth, config_.max_value));
        if (next <= *lo_) return start_confirm(*lo_);  // passed at the generator's ceiling
        phase_ = Phase::probe_up;
        probe_value_ = next;
        return;
    }
    if (!lo_) {
        const double next = round(*hi_ / config_.growth);
        if (next < config_.min_value || next >= *hi_) return finish(StopReason::below_minimum);
        phase_ = Phase::probe_down;
        probe_value_ = next;
        return;
    }
    phase_ = Phase::bisect;
}

SearchOutcome CapacitySearch::outcome() const {
    SearchOutcome o;
    o.reason = phase_ == Phase::done ? reason_ : StopReason::budget;
    o.confirmed = confirmed_;
    o.highest_pass = lo_;
    o.lowest_failure = hi_;
    o.resolution_reached = resolution_reached_;
    o.stopped_at = stopped_at_;
    return o;
}

}  // namespace pbxbench::harness
