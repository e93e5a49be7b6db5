#include "report/welch.hpp"

#include <cmath>
#include <limits>

namespace pbxbench::report {

namespace {

// The continued fraction of I_x(a, b), evaluated by the modified Lentz method; converges
// quickly for x < (a + 1) / (a + b + 2), the caller swaps the arguments otherwise.
double beta_continued_fraction(double a, double b, double x) {
    constexpr int max_iterations = 300;
    constexpr double epsilon = 1e-15;
    constexpr double tiny = 1e-300;
    const double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (std::fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= max_iterations; ++m) {
        const double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (std::fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (std::fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1 / d;
        const double del = d * c;
        h *= del;
        if (std::fabs(del - 1) < epsilon) break;
    }
    return h;
}

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
    const double log_front =
        std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
    const double front = std::exp(log_front);
    if (x < (a + 1) / (a + b + 2)) return front * beta_continued_fraction(a, b, x) / a;
    return 1 - front * beta_continued_fraction(b, a, 1 - x) / b;
}

double students_t_two_sided_p(double t, double df) {
    if (std::isnan(t) || df <= 0) return 1;
    if (std::isinf(t)) return 0;
    return regularized_incomplete_beta(df / 2, 0.5, df / (df + t * t));
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
