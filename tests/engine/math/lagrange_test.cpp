// engine/math/lagrange: the Lagrange bounds on the Taylor tail and the degree they ask for.
#include "math/lagrange.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "math/taylor_series.hpp"

namespace kvscope {
namespace {

TEST(LagrangeBound, IsBToThePOverPFactorial) {
    EXPECT_DOUBLE_EQ(lagrange_bound(0.5, 0), 0.5);
    EXPECT_DOUBLE_EQ(lagrange_bound(0.5, 1), 0.125);
    EXPECT_EQ(lagrange_bound(3.0, -1), 1.0);  // no series: the error is e^x itself
    EXPECT_EQ(lagrange_bound(0.0, 4), 0.0);
    for (int p = 0; p <= 30; p += 3) {
        for (double B : {0.1, 1.0, 7.5, 40.0}) {
            const double expected = std::pow(B, p + 1) / std::tgamma(p + 2.0);
            EXPECT_NEAR(lagrange_bound(B, p) / expected, 1.0, 1e-12) << B << " " << p;
        }
    }
}

TEST(LagrangeBound, NoOverflowWhereTheBoundIsFinite) {
    // The running product would pass e^800 on the way; the value itself is e^{~154}.
    const double b = lagrange_bound(800.0, 2000);
    EXPECT_TRUE(std::isfinite(b));
    EXPECT_NEAR(std::log(b), 2001 * std::log(800.0) - std::lgamma(2002.0), 1e-9 * std::log(b));
}

TEST(LagrangeRemainderBound, BoundsTheTailOnAGrid) {
    for (int p = 0; p <= 16; ++p) {
        for (int i = -400; i <= 400; ++i) {
            const double x = i * 0.025;  // [-10, 10]
            const double e = std::abs(taylor_tail(x, p));
            const double b = lagrange_remainder_bound(x, p);
            ASSERT_TRUE(std::isfinite(e)) << x << " " << p;
            EXPECT_LE(e, b * (1 + 1e-9) + 1e-300) << "x=" << x << " p=" << p;
        }
    }
    EXPECT_EQ(lagrange_remainder_bound(0.0, 2), 0.0);
    EXPECT_NEAR(lagrange_remainder_bound(2.0, 2), std::exp(2.0) * 8 / 6, 1e-12);
    EXPECT_NEAR(lagrange_remainder_bound(-2.0, 2), 8.0 / 6, 1e-12);
}

TEST(RelativeLagrangeBound, AndTheDegreeItAsksFor) {
    EXPECT_NEAR(relative_lagrange_bound(0.5, 1), std::exp(1.0) * 0.125, 1e-15);
    EXPECT_NEAR(relative_lagrange_bound(0.5, 3), std::exp(1.0) * std::pow(0.5, 4) / 24, 1e-15);
    EXPECT_EQ(relative_lagrange_bound(0.0, 3), 0.0);
    const int p = degree_for_relative_error(0.5, 1e-6);
    EXPECT_GT(p, 0);
    EXPECT_LE(relative_lagrange_bound(0.5, p), 1e-6);
    EXPECT_GT(relative_lagrange_bound(0.5, p - 1), 1e-6);
    EXPECT_EQ(degree_for_relative_error(30.0, 1e-6, 20), -1);
}

}  // namespace
}  // namespace kvscope
