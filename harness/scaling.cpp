#include "harness/scaling.hpp"

#include <cmath>
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

}  // namespace

ScalingEstimate estimate_scaling(const ScalingInput& in) {
    ScalingEstimate e;
    const double per_core = 100.0 * in.target_utilisation;
    const double machine = per_core * in.cores;
    if (distinct_x(in.cpu_percent) >= 2) {
        e.cpu = *fit_line(in.cpu_percent);
        e.cpu_percent_per_call = e.cpu->slope;
        e.calls_per_core_at_target = reach(e.cpu->intercept, e.cpu->slope, per_core);
        e.calls_machine_at_target = reach(e.cpu->intercept, e.cpu->slope, machine);
        e.method = "least-squares fit over " + std::to_string(e.cpu->points) + " levels";
    } else if (!in.cpu_percent.empty() && in.cpu_percent.front().x > 0) {
        const Point& p = in.cpu_percent.front();
        e.cpu_percent_per_call = p.y / p.x;
        e.calls_per_core_at_target = reach(0, e.cpu_percent_per_call, per_core);
        e.calls_machine_at_target = reach(0, e.cpu_percent_per_call, machine);
        e.method = "one level: per-call averages only (a fit needs two or more --levels); they include the idle cost";
    } else {
        e.method = "no measured level with calls: nothing to estimate";
    }
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
    return {{"method", e.method},
            {"cpu_percent_fit", fit_json(e.cpu, in.cpu_percent)},
            {"memory_mb_fit", fit_json(e.memory, in.memory_mb)},
            {"cpu_percent_per_call", e.cpu_percent_per_call},
            {"memory_mb_per_call", e.memory_mb_per_call},
            {"target_utilisation", in.target_utilisation},
            {"cores", in.cores},
            {"calls_per_core_at_target", opt(e.calls_per_core_at_target)},
            {"calls_machine_at_target", opt(e.calls_machine_at_target)}};
}

}  // namespace pbxbench::harness
