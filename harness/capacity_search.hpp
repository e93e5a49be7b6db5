#pragma once
// The capacity search as a state machine without I/O: it names the next trial (value, length,
// purpose) and learns each trial's verdict and wall-time cost; the caller runs the trials and
// keeps the clock. RFC 7502's Session Establishment Rate search made fast (docs/capacity.md):
// an exponential probe up from `start` to the first failure, bisection to `resolution`, then
// one longer confirmation trial; a failed confirmation steps down and confirms again. The
// result is only ever a value a confirmation trial passed.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace pbxbench::harness {

enum class TrialVerdict {
    pass,             // every SLO held
    fail,             // the SUT broke an SLO
    generator_bound,  // our side could not offer the load: the SUT's limit is unknown above it
    error,            // nothing measured (the SUT never became ready, registration failed)
    interrupted       // SIGINT/SIGTERM
};

enum class TrialPurpose {
    probe,    // exponential probe (up from `start`, or down when `start` already fails)
    bisect,   // between the highest pass and the lowest failure
    retest,   // the same value again: a first failure, or a pass where a failure was seen
    confirm,  // the longer trial at the result
};

enum class StopReason {
    confirmed,        // a confirmation trial passed: the result
    budget,           // the wall-time budget ran out before any confirmation passed
    generator_bound,  // the generator could not offer the load at stopped_at; `confirmed`, if
                      // any, is a floor: the SUT holds at least that much
    error,            // a trial measured nothing (limit_value: where)
    interrupted,
    below_minimum,  // even `min_value` failed
};

std::string_view to_string(TrialVerdict v);
std::string_view to_string(TrialPurpose p);
std::string_view to_string(StopReason r);

struct SearchConfig {
    double start = 100;  // first value offered
    double resolution =
        0.05;  // bisection ends when (lowest failure - highest pass) <= this × highest pass
    double growth = 2;           // probe factor
    double min_value = 1;        // the search gives up below this
    double max_value = 20000;    // never offered above this (the generator's ceiling)
    bool whole_numbers = false;  // concurrent calls: values are rounded down to integers
    double trial_s = 10;         // length of a search trial
    double confirm_s = 60;       // length of a confirmation trial
    double budget_s = 600;       // wall time for the whole search
    // First guess at what a trial costs beyond its length (SUT start, registration, drain);
    // replaced by the most any passing trial has cost so far.
    double overhead_s = 5;
};

// Usage errors in a config (exit 2): a budget too short for one search trial and its
// confirmation, a start outside [min, max], a resolution outside (0, 1).
Result<void> validate(const SearchConfig& config);

struct TrialRequest {
    int index = 0;  // 0-based, in the order run
    double value = 0;
    double duration_s = 0;
    TrialPurpose purpose = TrialPurpose::probe;
};

struct TrialRecord {
    TrialRequest request;
    TrialVerdict verdict = TrialVerdict::error;
    double cost_s = 0;  // wall time it took, SUT start to stop
};

struct SearchOutcome {
    StopReason reason = StopReason::budget;
    std::optional<double> confirmed;  // the highest value a confirmation trial passed; never more
    std::optional<double> highest_pass;    // highest value believed to pass a short trial
    std::optional<double> lowest_failure;  // lowest value believed to fail (any trial)
    bool resolution_reached = false;       // bisection narrowed to `resolution` before confirming
    std::optional<double> stopped_at;      // the value of the generator-bound or error trial
};

class CapacitySearch {
  public:
    explicit CapacitySearch(SearchConfig config);

    // The next trial to run when `elapsed_s` of the budget is spent; nullopt when the search is
    // over. Asking twice without recording returns the same trial.
    std::optional<TrialRequest> next(double elapsed_s);
    // The verdict of the trial `next` returned, and what it cost in wall time.
    void record(const TrialRequest& trial, TrialVerdict verdict, double cost_s);

    bool done() const { return phase_ == Phase::done; }
    SearchOutcome outcome() const;
    const std::vector<TrialRecord>& history() const { return history_; }
    const SearchConfig& config() const { return config_; }
    // Expected wall time of a trial `duration_s` long, from what trials have cost so far.
    double estimated_cost_s(double duration_s) const;

  private:
    enum class Phase { probe_up, probe_down, bisect, confirm, done };
    struct Tally {
        double value = 0;
        int passes = 0;
        int fails = 0;
    };

    Tally& tally(double value);
    bool failed_at_or_below(double value) const;
    double round(double value) const;
    void believe_pass(double value);
    void believe_fail(double value);
    void after_short_trial();
    void start_confirm(double value);
    void finish(StopReason reason);
    std::optional<TrialRequest> make(double value, double duration_s, TrialPurpose purpose);

    SearchConfig config_;
    Phase phase_ = Phase::probe_up;
    double probe_value_ = 0;  // the next probe (probe phases)
    double confirm_value_ = 0;
    int confirm_failures_ = 0;
    std::optional<double> lo_;      // highest value believed to pass a short trial
    std::optional<double> hi_;      // lowest value believed to fail
    std::optional<double> retest_;  // a value to run again before believing it
    std::optional<double> confirmed_;
    std::optional<double> stopped_at_;
    bool retested_first_failure_ = false;
    bool generator_bound_ = false;     // a trial was generator-bound: confirming a floor
    bool generator_retested_ = false;  // the first generator-bound trial was run again
    bool resolution_reached_ = false;
    StopReason reason_ = StopReason::budget;
    std::optional<TrialRequest> pending_;
    std::vector<Tally> tallies_;  // short trials per value
    std::vector<TrialRecord> history_;
};

}  // namespace pbxbench::harness
