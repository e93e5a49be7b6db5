// The t distribution and Welch's test against closed forms and published values.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "report/welch.hpp"

namespace pbxbench::report {
namespace {

TEST(IncompleteBeta, MatchesClosedForms) {
    for (double x : {0.0, 0.1, 0.37, 0.5, 0.9, 1.0}) {
        EXPECT_NEAR(regularized_incomplete_beta(1, 1, x), x, 1e-12);               // uniform
        EXPECT_NEAR(regularized_incomplete_beta(3, 1, x), std::pow(x, 3), 1e-12);  // x^a
        EXPECT_NEAR(regularized_incomplete_beta(1, 2, x), 1 - std::pow(1 - x, 2), 1e-12);
    }
    EXPECT_NEAR(regularized_incomplete_beta(7.5, 7.5, 0.5), 0.5, 1e-12);  // symmetry
}

TEST(StudentsT, MatchesClosedFormsForOneAndTwoDegrees) {
    for (double t : {0.0, 0.5, 1.0, 2.0, 6.3, 40.0}) {
        // df 1 (Cauchy): p = 1 - 2/pi atan|t|; df 2: p = 1 - |t| / sqrt(2 + t^2)
        EXPECT_NEAR(students_t_two_sided_p(t, 1), 1 - 2 / std::numbers::pi * std::atan(t), 1e-10);
        EXPECT_NEAR(students_t_two_sided_p(-t, 2), 1 - t / std::sqrt(2 + t * t), 1e-10);
    }
}

TEST(StudentsT, MatchesTableValues) {
    EXPECT_NEAR(students_t_two_sided_p(2.228138851986, 10), 0.05, 1e-9);  // t(0.975, 10)
    EXPECT_NEAR(students_t_two_sided_p(12.7062047361747, 1), 0.05, 1e-9);
    EXPECT_NEAR(students_t_two_sided_p(4.032142983557, 5), 0.01, 1e-9);  // t(0.995, 5)
    EXPECT_NEAR(students_t_two_sided_p(2.0, 10), 0.0733880348, 1e-8);
    EXPECT_NEAR(students_t_two_sided_p(1.5, 7.5), 0.1744805706, 1e-8);     // fractional df
    EXPECT_NEAR(students_t_two_sided_p(1.959963984540, 1e7), 0.05, 1e-6);  // the normal limit
    EXPECT_EQ(students_t_two_sided_p(INFINITY, 3), 0.0);
}

TEST(Welch, MatchesAWorkedExample) {
    // R: t.test(c(1,2,3), c(4,5,6)) -> t = -3.6742, df = 4, p-value = 0.02131
    std::vector<double> a{1, 2, 3}, b{4, 5, 6};
    auto r = welch_t_test(a, b);
    ASSERT_TRUE(r);
    EXPECT_NEAR(r->t, 3.674234614, 1e-8);  // mean(b) - mean(a) > 0
    EXPECT_NEAR(r->df, 4.0, 1e-12);
    EXPECT_NEAR(r->p_two_sided, 0.0213116411, 1e-8);
}

TEST(Welch, UnequalVariancesGiveFractionalDegrees) {
    std::vector<double> a{10, 10.5, 9.5, 10.2}, b{12, 16, 9, 15, 13};
    auto r = welch_t_test(a, b);
    ASSERT_TRUE(r);
    const double va = 0.53 / 3 / 4, vb = 30.0 / 4 / 5;  // sample variances over n
    EXPECT_NEAR(r->t, (13.0 - 10.05) / std::sqrt(va + vb), 1e-9);
    EXPECT_NEAR(r->df, (va + vb) * (va + vb) / (va * va / 3 + vb * vb / 4), 1e-9);
    EXPECT_GT(r->p_two_sided, 0.05);  // a large spread on one side: not significant
}

TEST(Welch, NeedsTwoValuesPerSideAndHandlesNoSpread) {
    std::vector<double> one{1}, two{1, 1}, other{2, 2};
    EXPECT_FALSE(welch_t_test(one, two));
    EXPECT_EQ(welch_t_test(two, two)->p_two_sided, 1.0);
    EXPECT_EQ(welch_t_test(two, other)->p_two_sided, 0.0);
}

}  // namespace
}  // namespace pbxbench::report
