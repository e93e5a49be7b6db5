#include "report/compare.hpp"

#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include <nlohmann/json.hpp>

#include "report/level_state.hpp"
#include "report/welch.hpp"

namespace pbxbench::report {

namespace {

using nlohmann::json;

// (scenario, level); level -1 for a scaling row.
using Key = std::pair<std::string, int>;

struct Side {
    std::map<Key, std::vector<const json*>> rows;
    std::vector<Key> order;  // first appearance
};

Side collect(const std::vector<RunData>& runs) {
    Side side;
    auto add = [&](const json& row, int level) {
        Key key{string_at(row, "scenario"), level};
        auto [it, inserted] = side.rows.try_emplace(key);
        if (inserted) side.order.push_back(key);
        it->second.push_back(&row);
    };
    for (const RunData& run : runs) {
        for (const json& row : run.levels) add(row, static_cast<int>(*number_at(row, "level")));
        for (const json& row : run.scalings) add(row, -1);
    }
    return side;
}

std::optional<double> mean(const std::vector<double>& v) {
    if (v.empty()) return std::nullopt;
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// Whether `worse_by` (the change in the worse direction) exceeds every limit set.
bool exceeds(const Threshold& t, double worse_by, double base) {
    if (worse_by <= 0) return false;
    if (t.absolute && !(worse_by > *t.absolute)) return false;
    if (t.relative_percent && base != 0 &&
        !(100.0 * worse_by / std::fabs(base) > *t.relative_percent))
        return false;
    return true;
}

MetricComparison judge(const Metric& m, const std::vector<const json*>& base,
                       const std::vector<const json*>& next, const Threshold& t) {
    MetricComparison c;
    c.metric = &m;
    c.threshold = describe(m, t);
    for (const json* r : base)
        if (auto v = m.extract(*r)) c.base_values.push_back(*v);
    for (const json* r : next)
        if (auto v = m.extract(*r)) c.new_values.push_back(*v);
    c.base_mean = mean(c.base_values);
    c.new_mean = mean(c.new_values);
    if (!c.base_mean || !c.new_mean) return c;  // not_available
    c.delta = *c.new_mean - *c.base_mean;
    if (*c.base_mean != 0) c.relative_percent = 100.0 * *c.delta / std::fabs(*c.base_mean);
    if (auto w = welch_t_test(c.base_values, c.new_values)) c.p_value = w->p_two_sided;
    if (!t.enabled()) {
        c.verdict = Verdict::not_judged;
        return c;
    }
    const double worse_by = m.worse == Worse::higher ? *c.delta : -*c.delta;
    const bool significant = !c.p_value || *c.p_value < significance_alpha;
    if (exceeds(t, worse_by, *c.base_mean))
        c.verdict = significant ? Verdict::regression : Verdict::not_significant;
    else if (exceeds(t, -worse_by, *c.base_mean) && significant)
        c.verdict = Verdict::improved;
    else
        c.verdict = Verdict::pass;
    return c;
}

// "repeat 2: SUT died: the SUT kamailio exited mid-run (killed by SIGKILL)".
std::string state_note(const json& row) {
    std::string note = "repeat " +
                       std::to_string(static_cast<int>(number_at(row, "repeat").value_or(1))) +
                       ": " + std::string(state_words(level_state(row)));
    std::string error = string_at(row, "error");
    error = error.substr(0, std::min(error.find('\n'), error.find("; its log ends with")));
    if (!error.empty()) note += ": " + error.substr(0, 200);
    return note;
}

// Failed in a way that counts against NEW: anything but ok and interrupted (a run the user
// stopped is not a regression of the PBX).
bool failed(LevelState s) {
    return s != LevelState::ok && s != LevelState::interrupted;
}

// The first differing value of `field` across the rows' `run` objects, as a warning.
void check_metadata(const std::vector<RunData>& base, const std::vector<RunData>& next,
                    std::vector<std::string>& warnings) {
    for (const char* field : {"hostname", "cpu_model", "cores", "pinning", "profile_sha256"}) {
        std::map<std::string, std::vector<std::string>> seen;  // value -> where
        auto note = [&](const std::vector<RunData>& runs, const char* side) {
            for (const RunData& r : runs) {
                const json* v =
                    r.run.is_object() && r.run.contains(field) ? &r.run[field] : nullptr;
                seen[v == nullptr     ? "(missing)"
                     : v->is_string() ? v->get<std::string>()
                                      : v->dump()]
                    .push_back(std::string(side) + " " + r.results.string());
            }
        };
        note(base, "BASE");
        note(next, "NEW");
        if (seen.size() < 2) continue;
        std::string w = std::string(field) + " differs:";
        for (const auto& [value, where] : seen)
            w += " '" + value + "' in " + where.front() +
                 (where.size() > 1 ? " (+" + std::to_string(where.size() - 1) + " more)" : "") +
                 ";";
        w.pop_back();
        warnings.push_back(w);
    }
}

// Load settings that change what a level means.
void check_config(const Key& key, const std::vector<const json*>& base,
                  const std::vector<const json*>& next, std::vector<std::string>& warnings) {
    for (const char* field : {"cps", "hold_s", "uas_count", "monitor_interval_ms"}) {
        std::set<std::string> values;
        for (const auto* side : {&base, &next})
            for (const json* r : *side) {
                auto v = number_at(*r, std::string("config.") + field);
                values.insert(v ? json(*v).dump() : "(missing)");
            }
        if (values.size() > 1) {
            std::string list;
            for (const auto& v : values) list += (list.empty() ? "" : " vs ") + v;
            warnings.push_back(group_name(key.first, key.second) + ": config." + field +
                               " differs (" + list + "): the levels did not offer the same load");
        }
    }
}

}  // namespace

std::string_view to_string(Verdict v) {
    switch (v) {
        case Verdict::pass:
            return "pass";
        case Verdict::regression:
            return "REGRESSION";
        case Verdict::not_significant:
            return "within noise";
        case Verdict::improved:
            return "improved";
        case Verdict::not_judged:
            return "not judged";
        case Verdict::not_available:
            return "n/a";
    }
    return "n/a";
}

std::string group_name(const std::string& scenario, std::optional<int> level) {
    if (!level || *level < 0) return scenario + " (scaling)";
    return scenario + "@" + std::to_string(*level);
}

int Comparison::regressions() const {
    int n = 0;
    for (const GroupComparison& g : groups) {
        if (g.failed_in_new) ++n;
        for (const MetricComparison& m : g.metrics)
            if (m.verdict == Verdict::regression) ++n;
    }
    return n;
}

Comparison compare_runs(const std::vector<RunData>& base, const std::vector<RunData>& next,
                        const Thresholds& thresholds) {
    Comparison c;
    for (const RunData& r : base) c.base_sources.push_back(r.results.string());
    for (const RunData& r : next) c.new_sources.push_back(r.results.string());
    check_metadata(base, next, c.warnings);
    const Side b = collect(base), n = collect(next);
    for (const Key& key : b.order) {
        auto other = n.rows.find(key);
        if (other == n.rows.end()) {
            c.only_in_base.push_back(group_name(key.first, key.second));
            continue;
        }
        std::vector<const json*> base_rows = b.rows.at(key);
        std::vector<const json*> new_rows = other->second;
        GroupComparison g;
        g.scenario = key.first;
        if (key.second >= 0) g.level = key.second;
        const RowKind kind = key.second >= 0 ? RowKind::level : RowKind::scaling;
        if (kind == RowKind::level) {
            check_config(key, base_rows, new_rows, c.warnings);
            // Only levels measured in full are compared; the others are named, never used.
            bool base_failed = false, new_failed = false;
            std::vector<const json*> base_ok, new_ok;
            for (const json* r : base_rows) {
                if (measured_in_full(*r)) {
                    base_ok.push_back(r);
                    continue;
                }
                base_failed = base_failed || failed(level_state(*r));
                g.notes.push_back("BASE " + state_note(*r) + " (not used)");
            }
            for (const json* r : new_rows) {
                if (measured_in_full(*r)) {
                    new_ok.push_back(r);
                    continue;
                }
                new_failed = new_failed || failed(level_state(*r));
                g.notes.push_back("NEW " + state_note(*r) +
                                  (failed(level_state(*r)) ? "" : " (not used)"));
            }
            g.failed_in_new = new_failed && !base_failed && !base_ok.empty();
            if (base_ok.empty()) {
                g.compared = false;
                g.skipped = "BASE has no repeat measured in full: nothing to compare against";
            } else if (new_ok.empty()) {
                g.compared = false;
                g.skipped = "NEW has no repeat measured in full";
            }
            base_rows = std::move(base_ok);
            new_rows = std::move(new_ok);
        }
        g.base_repeats = static_cast<int>(base_rows.size());
        g.new_repeats = static_cast<int>(new_rows.size());
        g.method = g.base_repeats >= 2 && g.new_repeats >= 2
                       ? "Welch's t-test over " + std::to_string(g.base_repeats) + " vs " +
                             std::to_string(g.new_repeats) +
                             " repeats: a regression must exceed its threshold and have p < 0.05"
                       : "thresholds only: " + std::to_string(g.base_repeats) + " vs " +
                             std::to_string(g.new_repeats) +
                             " run(s), run-to-run spread not tested (repeat runs for a t-test)";
        if (!g.compared) {
            g.method = "not compared: " + g.skipped;
            c.not_compared.push_back(group_name(g.scenario, g.level) + ": " + g.skipped);
            c.groups.push_back(std::move(g));
            continue;
        }
        for (const Metric& m : metrics()) {
            if (m.kind != kind) continue;
            g.metrics.push_back(judge(m, base_rows, new_rows, thresholds.at(std::string(m.id))));
        }
        c.groups.push_back(std::move(g));
    }
    for (const Key& key : n.order)
        if (!b.rows.contains(key)) c.only_in_new.push_back(group_name(key.first, key.second));
    return c;
}

}  // namespace pbxbench::report
