#include "report/welch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/beta.hpp>

namespace pbxbench::report {

namespace {

double mean(std::span<const double> v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
}

double sample_variance(std::span<const double> v, double m) {
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return s / static_cast<double>(v.size() - 1);
}

}  // namespace

double regularized_incomplete_beta(double a, double b, double x) {
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    return boost::math::ibeta(a, b, x);
}

double students_t_two_sided_p(double t, double df) {
    if (std::isnan(t) || !(df > 0)) return 1;
    if (std::isinf(t)) return 0;
    const boost::math::students_t dist(df);
    return std::min(1.0, 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(t))));
}

std::optional<WelchResult> welch_t_test(std::span<const double> a, std::span<const double> b) {
    if (a.size() < 2 || b.size() < 2) return std::nullopt;
    const double ma = mean(a), mb = mean(b);
    const double va = sample_variance(a, ma) / static_cast<double>(a.size());
    const double vb = sample_variance(b, mb) / static_cast<double>(b.size());
    WelchResult r;
    const double se2 = va + vb;
    if (se2 <= 0) {
        const double inf = std::numeric_limits<double>::infinity();
        r.t = ma == mb ? 0 : (mb > ma ? inf : -inf);
        r.df = static_cast<double>(a.size() + b.size() - 2);
        r.p_two_sided = ma == mb ? 1 : 0;
        return r;
    }
    r.t = (mb - ma) / std::sqrt(se2);
    r.df =
        se2 * se2 /
        (va * va / static_cast<double>(a.size() - 1) + vb * vb / static_cast<double>(b.size() - 1));
    r.p_two_sided = students_t_two_sided_p(r.t, r.df);
    return r;
}

}  // namespace pbxbench::report
