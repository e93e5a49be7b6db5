#include "harness/scaling.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

namespace pbxbench::harness {

Result<LinearFit> fit_line(std::span<const Point> points) {
    const std::size_t n = points.size();
    if (n < 2) return fail("a line needs at least two points, got " + std::to_string(n));
    double mx = 0;
    double my = 0;
    for (const Point& p : points) {
        mx += p.x;
        my += p.y;
    }
    mx /= static_cast<double>(n);
    my /= static_cast<double>(n);
    double sxx = 0;
    double sxy = 0;
    double syy = 0;
    for (const Point& p : points) {
        sxx += (p.x - mx) * (p.x - mx);
        sxy += (p.x - mx) * (p.y - my);
        syy += (p.y - my) * (p.y - my);
    }
    if (sxx == 0) return fail("every point has the same concurrency; a line needs two distinct levels");
    LinearFit fit;
    fit.points = n;
    fit.slope = sxy / sxx;
    fit.intercept = my - fit.slope * mx;
    // R² = 1 - SSres/SStot; with no variance in y the line explains everything there is.
    double ss_res = 0;
    for (const Point& p : points) {
        double e = p.y - (fit.intercept + fit.slope * p.x);
        ss_res += e * e;
    }
    fit.r_squared = syy == 0 ? 1.0 : 1.0 - ss_res / syy;
    return fit;
}

namespace {

std::size_t distinct_x(const std::vector<Point>& points) {
    std::set<double> xs;
    for (const Point& p : points) xs.insert(p.x);
    return xs.size();
}

// Calls at which intercept + slope*x reaches `limit`, if the line rises.
std::optional<double> reach(double intercept, double slope, double limit) {
    if (slope <= 0) return std::nullopt;
    double x = (limit - intercept) / slope;
    return x > 0 ? std::optional<double>(x) : std::nullopt;
}

std::string percent_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", v);
    return buf;
}

}  // namespace

ScalingEstimate estimate_scaling(const ScalingInput& in) {
    ScalingEstimate e;
    const double per_core = 100.0 * in.target_utilisation;
    const double machine = per_core * in.cores;
    for (const Point& p : in.cpu_percent) e.max_cpu_percent = std::max(e.max_cpu_percent, p.y);
    const std::size_t levels = distinct_x(in.cpu_percent);
    if (levels >= 2) {
        e.cpu = *fit_line(in.cpu_percent);
        e.cpu_percent_per_call = e.cpu->slope;
        e.method = "least-squares fit over " + std::to_string(e.cpu->points) + " levels";
    } else if (!in.cpu_percent.empty() && in.cpu_percent.front().x > 0) {
        const Point& p = in.cpu_percent.front();
        e.cpu_percent_per_call = p.y / p.x;
        e.method = "one level: per-call averages only (a fit needs two or more --levels); they include the idle cost";
    } else {
        e.method = "no measured level with calls: nothing to estimate";
    }
    std::vector<std::string> why;
    if (levels < min_levels_for_capacity)
        why.push_back(std::to_string(levels) +
                      " level(s) measured; a capacity needs a fit over at least " +
                      std::to_string(min_levels_for_capacity) + " (e.g. --levels 200,500,1000)");
    if (!in.cpu_percent.empty() && e.max_cpu_percent < min_cpu_percent_for_capacity)
        why.push_back("the CPU fitted stayed below " + percent_text(min_cpu_percent_for_capacity) +
                      " of a core at every level (at most " + percent_text(e.max_cpu_percent) +
                      "), a few /proc clock ticks per sample: too little signal");
    if (e.cpu && e.cpu->intercept < 0)
        why.push_back("the fit's intercept is negative (" + percent_text(e.cpu->intercept) +
                      " at 0 calls): the points do not rise from an idle floor in a line");
    if (e.cpu && e.cpu->slope <= 0) why.push_back("CPU does not rise with calls");
    if (why.empty()) {
        e.calls_per_core_at_target = reach(e.cpu->intercept, e.cpu->slope, per_core);
        e.calls_machine_at_target = reach(e.cpu->intercept, e.cpu->slope, machine);
        if (!e.calls_per_core_at_target) why.push_back("the fit never reaches the target");
    }
    for (const auto& w : why)
        e.no_capacity_reason += (e.no_capacity_reason.empty() ? "" : "; ") + w;
    if (distinct_x(in.memory_mb) >= 2) {
        e.memory = *fit_line(in.memory_mb);
        e.memory_mb_per_call = e.memory->slope;
    } else if (!in.memory_mb.empty() && in.memory_mb.front().x > 0) {
        e.memory_mb_per_call = in.memory_mb.front().y / in.memory_mb.front().x;
    }
    return e;
}

nlohmann::json to_json(const ScalingEstimate& e, const ScalingInput& in) {
    auto fit_json = [](const std::optional<LinearFit>& f, const std::vector<Point>& pts) -> nlohmann::json {
        nlohmann::json points = nlohmann::json::array();
        for (const Point& p : pts) points.push_back({p.x, p.y});
        if (!f) return {{"points", points}};
        return {{"intercept", f->intercept}, {"slope", f->slope}, {"r_squared", f->r_squared}, {"points", points}};
    };
    auto opt = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
    return {
        {"method", e.method},
        {"cpu_percent_fit", fit_json(e.cpu, in.cpu_percent)},
        {"memory_mb_fit", fit_json(e.memory, in.memory_mb)},
        {"cpu_percent_per_call", e.cpu_percent_per_call},
        {"memory_mb_per_call", e.memory_mb_per_call},
        {"target_utilisation", in.target_utilisation},
        {"cores", in.cores},
        {"calls_per_core_at_target", opt(e.calls_per_core_at_target)},
        {"calls_machine_at_target", opt(e.calls_machine_at_target)},
        {"no_capacity_reason", e.no_capacity_reason.empty() ? nlohmann::json(nullptr)
                                                            : nlohmann::json(e.no_capacity_reason)},
        {"max_cpu_percent", e.max_cpu_percent}};
}

}  // namespace pbxbench::harness
