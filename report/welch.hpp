#pragma once
// Welch's t-test, for judging a change between repeated runs against their run-to-run spread.
// The t distribution and the incomplete beta function are Boost.Math's (header-only).
#include <optional>
#include <span>

namespace pbxbench::report {

// I_x(a, b) for a, b > 0 and 0 <= x <= 1 (boost::math::ibeta).
double regularized_incomplete_beta(double a, double b, double x);

// P(|T| >= |t|) for Student's t with `df` > 0 degrees of freedom (df need not be whole;
// boost::math::students_t).
double students_t_two_sided_p(double t, double df);

struct WelchResult {
    double t = 0;   // (mean(b) - mean(a)) / standard error; +-infinity when both spreads are 0
    double df = 0;  // Welch-Satterthwaite degrees of freedom
    double p_two_sided = 1;
};

// Needs at least two values on each side; none otherwise. Two samples without any spread
// give p = 0 if their means differ (a deterministic change) and p = 1 if they are equal.
std::optional<WelchResult> welch_t_test(std::span<const double> a, std::span<const double> b);

}  // namespace pbxbench::report
