// engine/math/taylor_series: T_p(x), the tail e^x - T_p(x) and its vectorised shifted form,
// against long-double references.
#include "math/taylor_series.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace kvscope {
namespace {

// sum_{l > p} x^l / l! in long double, far past convergence.
long double reference_tail(double x, int p) {
    long double term = 1, tail = 0;
    for (int l = 1; l <= 400; ++l) {
        term *= static_cast<long double>(x) / l;
        if (l > p) tail += term;
    }
    return tail;
}

TEST(TaylorPolynomial, IsTheTruncatedSeries) {
    EXPECT_DOUBLE_EQ(taylor_polynomial(2.0, 2), 5.0);
    EXPECT_EQ(taylor_polynomial(3.0, -1), 0.0);
    EXPECT_EQ(taylor_polynomial(-7.0, 0), 1.0);
    EXPECT_NEAR(taylor_polynomial(1.0, 20), std::exp(1.0), 1e-15);
    for (int p = 0; p <= 12; ++p) {
        for (double x : {-4.0, -0.5, 0.25, 3.0}) {
            long double direct = 0, term = 1;
            for (int l = 0; l <= p; ++l) {
                if (l > 0) term *= static_cast<long double>(x) / l;
                direct += term;
            }
            EXPECT_NEAR(taylor_polynomial(x, p), static_cast<double>(direct),
                        1e-15 * std::max(1.0, std::abs(static_cast<double>(direct))));
        }
    }
}

TEST(TaylorTail, HasFullRelativeAccuracyWhereItIsSmall) {
    // Inside |x| < p + 2 the tail is summed, so even a tail far below e^x keeps its digits.
    for (int p = 0; p <= 16; ++p) {
        for (double f : {-0.99, -0.6, -0.3, -1e-3, 1e-3, 0.3, 0.6, 0.99}) {
            const double x = f * (p + 2.0);
            const long double ref = reference_tail(x, p);
            EXPECT_NEAR(taylor_tail(x, p) / static_cast<double>(ref), 1.0, 1e-13)
                << "x=" << x << " p=" << p;
        }
    }
    EXPECT_EQ(taylor_tail(0.0, 3), 0.0);
    // e^x - T_8(x) at x = 0.01 is x^9/9! (1 + x/10 + ...) ~ 2.8e-24, 24 orders below e^x.
    EXPECT_NEAR(taylor_tail(0.01, 8) / static_cast<double>(reference_tail(0.01, 8)), 1.0, 1e-14);
    EXPECT_NEAR(taylor_tail(0.01, 8) / (1e-18 / 362880.0), 1.0, 2e-3);
    EXPECT_LT(taylor_tail(-0.5, 0), 0.0);  // e^x - 1 < 0 for x < 0
    EXPECT_DOUBLE_EQ(taylor_tail(0.7, -1), std::exp(0.7));
}

// Regression: the explorer, the hybrid and the Taylor sketch each had a tail with its own
// small-|x| threshold (|x| <= 1, |x| < 2, |x| < p + 2); the direct difference they used past 1
// or 2 lost up to 8 digits there (x = 1.5, p = 8: tail 1e-4 against e^x = 4.5).
TEST(TaylorTail, RegressionNoDigitsLostBetweenTheOldThresholds) {
    for (int p : {4, 8, 12}) {
        for (double x : {-2.5, -1.9, -1.5, -1.01, 1.01, 1.5, 1.9, 2.5}) {
            const long double ref = reference_tail(x, p);
            EXPECT_NEAR(taylor_tail(x, p) / static_cast<double>(ref), 1.0, 1e-14)
                << "x=" << x << " p=" << p;
        }
    }
}

TEST(TaylorTail, FarOutIsTheDirectDifference) {
    for (int p : {0, 2, 5}) {
        for (double x : {-30.0, -9.0, 9.0, 30.0}) {
            const long double direct = std::exp(static_cast<long double>(x)) -
                                       static_cast<long double>(taylor_polynomial(x, p));
            EXPECT_NEAR(taylor_tail(x, p), static_cast<double>(direct),
                        1e-15 * std::max(std::exp(x), std::abs(taylor_polynomial(x, p))));
        }
    }
    EXPECT_TRUE(std::isfinite(taylor_tail(-700.0, 3)));
}

TEST(ShiftedTaylorTail, EqualsTheTailTimesEToTheMinusShift) {
    Eigen::Array<double, 1, Eigen::Dynamic> x(7);  // one row of logits, as the hybrid passes
    x << -3.0, -0.4, 0.0, 0.2, 1.7, 4.0, 40.0;
    for (int p : {0, 2, 6}) {
        for (double shift : {0.0, 40.0}) {
            Eigen::Array<double, 1, Eigen::Dynamic> y = x;
            shifted_taylor_tail(y, p, shift);
            for (Eigen::Index i = 0; i < x.size(); ++i) {
                const double expected = taylor_tail(x[i], p) * std::exp(-shift);
                // Absolute accuracy relative to e^{x - shift} (what a sum against Z needs).
                EXPECT_NEAR(y[i], expected, 1e-14 * std::max(1.0, std::exp(x[i] - shift)))
                    << "x=" << x[i] << " p=" << p << " shift=" << shift;
            }
        }
    }
}

}  // namespace
}  // namespace kvscope
