// engine/math/monomials: C(d + p, p) exactly, as a real, and the Taylor moment size.
#include "math/monomials.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace kvscope {
namespace {

TEST(MonomialCount, MatchesTheTable) {
    // docs/algorithms.md §2.10 table.
    EXPECT_EQ(monomial_count(8, 1), 9u);
    EXPECT_EQ(monomial_count(8, 2), 45u);
    EXPECT_EQ(monomial_count(8, 4), 495u);
    EXPECT_EQ(monomial_count(16, 3), 969u);
    EXPECT_EQ(monomial_count(64, 4), 814385u);
    EXPECT_EQ(monomial_count(128, 4), 12082785u);
    EXPECT_EQ(monomial_count(5, 0), 1u);
    EXPECT_FALSE(monomial_count(-1, 2).has_value());
    EXPECT_EQ(taylor_moment_floats(16, 16, 3), 969.0 * 17);
}

TEST(MonomialCount, RealAndLogFormsAgreeWithTheExactOne) {
    for (int d : {1, 7, 64, 1000}) {
        for (int p : {0, 1, 3, 6}) {
            const auto exact = monomial_count(d, p);
            ASSERT_TRUE(exact.has_value());
            EXPECT_EQ(monomial_count_approx(d, p), static_cast<double>(*exact));
            EXPECT_NEAR(log_monomial_count(d, p), std::log(static_cast<double>(*exact)), 1e-9);
        }
    }
}

// Regression: the count saturated at 2^64 - 1, so a refusal message read
// "C(4104, 8) = 18446744073709551615 monomials". Past 64 bits the exact form is empty and the real
// form keeps the magnitude.
TEST(MonomialCount, RegressionOverflowIsReportedNotSaturated) {
    EXPECT_FALSE(monomial_count(4096, 8).has_value());
    const double approx = monomial_count_approx(4096, 8);  // C(4104, 8) ~ 2.0e24
    EXPECT_GT(approx, 1.8446744073709552e19);
    EXPECT_NEAR(std::log(approx), log_monomial_count(4096, 8), 1e-9);
    EXPECT_NEAR(std::log10(approx), 24.297, 0.001);
    // C(100100, 100) ~ 1e342 is beyond a double: the real form is +inf, the log form is not.
    EXPECT_TRUE(std::isinf(monomial_count_approx(100000, 100)));
    EXPECT_NEAR(log_monomial_count(100000, 100) / std::log(10.0), 342.05, 0.01);
    // The last count that fits is exact; the next one is not a wrapped value.
    EXPECT_TRUE(monomial_count(60, 14).has_value());
    EXPECT_GT(monomial_count_approx(4096, 8), monomial_count_approx(4096, 7));
}

// The refusal message prints the count in full, past 64 bits too.
TEST(MonomialCount, DecimalFormIsExactAtAnySize) {
    for (int d : {1, 8, 64, 128}) {
        for (int p : {0, 1, 4, 8}) {
            EXPECT_EQ(monomial_count_decimal(d, p), std::to_string(*monomial_count(d, p)));
        }
    }
    EXPECT_EQ(monomial_count_decimal(128, 16), "687917389635036844569");  // C(144, 16) > 2^64
    EXPECT_EQ(monomial_count_decimal(-1, 2), "0");
}

}  // namespace
}  // namespace kvscope
