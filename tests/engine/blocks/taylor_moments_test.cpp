// Tests of TaylorMoments: monomial enumeration, exactness for polynomial kernels, exact M2M
// translation, rescaling, refusal and the truncation helpers.
#include "blocks/taylor_moments.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

#include "core/random.hpp"

namespace kvscope {
namespace {

Matrix random_matrix(Index rows, Index cols, double scale, std::uint64_t seed) {
    Rng rng(seed);
    Matrix m(rows, cols);
    for (Index r = 0; r < rows; ++r) {
        for (Index c = 0; c < cols; ++c)
            m(r, c) = static_cast<float>(scale * rng.normal());
    }
    return m;
}

double rel_diff(const MatrixD& a, const MatrixD& b) {
    return (a - b).norm() / std::max(b.norm(), 1e-300);
}

TEST(MonomialBasis, CountsMatchTheTable) {
    EXPECT_EQ(monomial_count(8, 1), 9u);
    EXPECT_EQ(monomial_count(8, 4), 495u);
    EXPECT_EQ(monomial_count(16, 3), 969u);
    EXPECT_EQ(monomial_count(64, 4), 814385u);
    EXPECT_EQ(monomial_count(128, 4), 12082785u);
    EXPECT_EQ(monomial_count(5, 0), 1u);
    for (int d : {1, 3, 8}) {
        for (int p : {0, 1, 2, 5}) {
            MonomialBasis b(d, p);
            EXPECT_EQ(monomial_count(d, p), static_cast<std::uint64_t>(b.size()));
        }
    }
}

TEST(MonomialBasis, RefusesInvalidOrHugeBases) {
    EXPECT_THROW(MonomialBasis(0, 2), std::invalid_argument);
    EXPECT_THROW(MonomialBasis(3, -1), std::invalid_argument);
    EXPECT_THROW(MonomialBasis(2, 300), std::invalid_argument);
    // C(136, 8) ~ 1.7e12 monomials: refused before allocating anything.
    EXPECT_THROW(MonomialBasis(128, 8), std::invalid_argument);
    EXPECT_GT(monomial_count(1000, 5), monomial_count(1000, 4));
    // Past 2^64 the exact count says so instead of saturating; the real form keeps the size.
    EXPECT_FALSE(monomial_count(100000, 100).has_value());
    EXPECT_NEAR(log_monomial_count(100000, 100) / std::log(10.0), 342.05, 0.01);
}

TEST(MonomialBasis, EnumerationIsGradedUniqueAndLowerIsConsistent) {
    MonomialBasis b(4, 4);
    std::set<std::vector<int>> seen;
    int last_degree = 0;
    for (Index m = 0; m < b.size(); ++m) {
        std::vector<int> e(4);
        int deg = 0;
        double alpha_factorial = 1;
        for (int j = 0; j < 4; ++j) {
            e[j] = b.exponent(m, j);
            deg += e[j];
            for (int f = 2; f <= e[j]; ++f)
                alpha_factorial *= f;
        }
        EXPECT_EQ(deg, b.degree_of(m));
        EXPECT_GE(deg, last_degree);
        last_degree = deg;
        EXPECT_TRUE(seen.insert(e).second);
        EXPECT_DOUBLE_EQ(b.inv_factorial(m), 1.0 / alpha_factorial);
        for (int j = 0; j < 4; ++j) {
            const std::int32_t g = b.lower(m, j);
            if (e[j] == 0) {
                EXPECT_EQ(g, -1);
                continue;
            }
            ASSERT_GE(g, 0);
            for (int i = 0; i < 4; ++i)
                EXPECT_EQ(b.exponent(g, i), e[i] - (i == j ? 1 : 0));
        }
    }
    // Evaluation: x^alpha.
    const double x[4] = {0.5, -1.5, 2.0, 0.25};
    std::vector<double> out(b.size());
    b.eval(x, out.data());
    for (Index m = 0; m < b.size(); ++m) {
        double expect = 1;
        for (int j = 0; j < 4; ++j)
            expect *= std::pow(x[j], b.exponent(m, j));
        EXPECT_NEAR(out[m], expect, 1e-12 * std::max(1.0, std::abs(expect)));
    }
}

// Direct evaluation of sum_i w_i f(beta <k_i - c, q>) [v_i, 1] for f(x) = sum_l a_l x^l.
MatrixD direct_poly(const Matrix& K, const Matrix& V, const Matrix& Q, double beta,
                    const Eigen::VectorXd& c, const std::vector<double>& a) {
    MatrixD out = MatrixD::Zero(Q.rows(), V.cols() + 1);
    for (Index r = 0; r < Q.rows(); ++r) {
        for (Index i = 0; i < K.rows(); ++i) {
            const double x =
                beta *
                (K.row(i).transpose().cast<double>() - c).dot(Q.row(r).transpose().cast<double>());
            double f = 0, xp = 1;
            for (double coef : a) {
                f += coef * xp;
                xp *= x;
            }
            out.row(r).head(V.cols()) += f * V.row(i).cast<double>();
            out(r, V.cols()) += f;
        }
    }
    return out;
}

MatrixD as_matrix(const EstimateBatch& e) {
    MatrixD m(e.den.size(), e.num.cols() + 1);
    for (Index r = 0; r < e.den.size(); ++r) {
        m.row(r).head(e.num.cols()) = e.num.row(r);
        m(r, e.num.cols()) = e.den[r];
    }
    return m;
}

TEST(TaylorMoments, ExactForPolynomialKernelsOfDegreeAtMostP) {
    const int d = 5, dv = 3;
    const Matrix K = random_matrix(300, d, 0.7, 1);
    const Matrix V = random_matrix(300, dv, 1.0, 2);
    const Matrix Q = random_matrix(40, d, 0.9, 3);
    const double beta = 0.6;
    Rng rng(4);
    for (int p = 0; p <= 6; ++p) {
        for (int kernel_degree = 0; kernel_degree <= p; ++kernel_degree) {
            std::vector<double> a(p + 1, 0.0);
            for (int l = 0; l <= kernel_degree; ++l)
                a[l] = rng.normal();
            TaylorMoments tm(d, dv, p);
            tm.set_kernel_coefficients(a);
            tm.add(K.topRows(170), V.topRows(170));
            tm.add(K.bottomRows(130), V.bottomRows(130));  // two blocks, partial GEMM chunk
            const EstimateBatch e = tm.estimate(Q, beta);
            EXPECT_TRUE(e.shift.isZero(0.0));
            const MatrixD direct = direct_poly(K, V, Q, beta, Eigen::VectorXd::Zero(d), a);
            EXPECT_LT(rel_diff(as_matrix(e), direct), 1e-9)
                << "p=" << p << " deg=" << kernel_degree;
        }
    }
    // The default kernel is T_p, a polynomial too.
    for (int p = 0; p <= 6; ++p) {
        std::vector<double> a(p + 1);
        for (int l = 0; l <= p; ++l)
            a[l] = (l == 0 ? 1.0 : a[l - 1] / l);
        TaylorMoments tm(d, dv, p);
        tm.add(K, V);
        EXPECT_LT(rel_diff(as_matrix(tm.estimate(Q, beta)),
                           direct_poly(K, V, Q, beta, Eigen::VectorXd::Zero(d), a)),
                  1e-9);
    }
}

TEST(TaylorMoments, WeightsScaleContributions) {
    const Matrix K = random_matrix(50, 3, 0.5, 11);
    const Matrix V = random_matrix(50, 2, 1.0, 12);
    const Matrix Q = random_matrix(5, 3, 0.5, 13);
    std::vector<double> w(50, 2.5);
    TaylorMoments a(3, 2, 3), b(3, 2, 3);
    a.add(K, V, w);
    for (int i = 0; i < 5; ++i)
        b.add(K, V);  // weight 2.5 = five copies / 2
    EXPECT_LT(rel_diff(2.0 * as_matrix(a.estimate(Q, 1.0)), as_matrix(b.estimate(Q, 1.0))), 1e-12);
    EXPECT_DOUBLE_EQ(a.total_weight(), 125.0);
}

// Recentering a populated set equals building it around the new centre.
TEST(TaylorMoments, TranslationEqualsBuildingAroundTheNewCentre) {
    const int d = 6, dv = 4;
    const Matrix K = random_matrix(400, d, 0.8, 21);
    const Matrix V = random_matrix(400, dv, 1.0, 22);
    const Matrix Q = random_matrix(30, d, 0.8, 23);
    Eigen::VectorXd c1 = random_matrix(1, d, 0.5, 24).row(0).transpose().cast<double>();
    Eigen::VectorXd c2 = random_matrix(1, d, 0.5, 25).row(0).transpose().cast<double>();
    for (int p : {0, 1, 2, 3, 5}) {
        for (double rho : {1.0, 2.5}) {
            TaylorMoments moved(d, dv, p), direct(d, dv, p);
            moved.set_frame(c1, rho);
            moved.add(K, V);
            moved.translate(c2);
            direct.set_frame(c2, rho);
            direct.add(K, V);
            EXPECT_LT(rel_diff(moved.moments(), direct.moments()), 1e-10) << p;
            EXPECT_LT(
                rel_diff(as_matrix(moved.estimate(Q, 0.7)), as_matrix(direct.estimate(Q, 0.7))),
                1e-10);
            EXPECT_LT(rel_diff(moved.estimate(Q, 0.7).shift, direct.estimate(Q, 0.7).shift), 1e-12);
        }
    }
}

TEST(TaylorMoments, RescalingIsExact) {
    const Matrix K = random_matrix(200, 4, 1.0, 31);
    const Matrix V = random_matrix(200, 3, 1.0, 32);
    const Matrix Q = random_matrix(10, 4, 1.0, 33);
    TaylorMoments a(4, 3, 4), b(4, 3, 4);
    a.add(K, V);
    a.rescale(3.0);
    b.set_frame(Eigen::VectorXd::Zero(4), 3.0);
    b.add(K, V);
    EXPECT_LT(rel_diff(a.moments(), b.moments()), 1e-12);
    TaylorMoments c(4, 3, 4);
    c.add(K, V);
    EXPECT_LT(rel_diff(as_matrix(a.estimate(Q, 0.5)), as_matrix(c.estimate(Q, 0.5))), 1e-12);
    EXPECT_THROW(a.rescale(0.0), std::invalid_argument);
    EXPECT_THROW(a.translate(Eigen::VectorXd::Zero(3)), std::invalid_argument);
}

TEST(TaylorMoments, EmptyAndClear) {
    TaylorMoments tm(3, 2, 2);
    EXPECT_FALSE(tm.allocated());
    const Matrix Q = random_matrix(4, 3, 1.0, 41);
    const EstimateBatch e = tm.estimate(Q, 1.0);
    EXPECT_TRUE(e.den.isZero(0.0));
    tm.add(random_matrix(10, 3, 1.0, 42), random_matrix(10, 2, 1.0, 43));
    EXPECT_TRUE(tm.allocated());
    tm.clear();
    EXPECT_TRUE(tm.empty());
    EXPECT_TRUE(tm.estimate(Q, 1.0).den.isZero(0.0));
    EXPECT_THROW(tm.set_kernel_coefficients({1.0}), std::invalid_argument);
}

TEST(TaylorMoments, RefusalBeforeAllocationNamesTheCountAndAFittingDegree) {
    try {
        TaylorMoments tm(128, 128, 4);
        FAIL() << "expected a refusal";
    } catch (const std::invalid_argument& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("12082785"), std::string::npos) << msg;
        EXPECT_NE(msg.find("1558679265"), std::string::npos) << msg;
        EXPECT_NE(msg.find("67108864"), std::string::npos) << msg;
        EXPECT_NE(msg.find("largest degree that fits is 3"), std::string::npos) << msg;
    }
    // Raised limit: passes validation; nothing is allocated until data arrives.
    TaylorMoments big(128, 128, 4, 2e9);
    EXPECT_FALSE(big.allocated());
    EXPECT_DOUBLE_EQ(big.memory_floats(), 1558679265.0);
    // The limit is inclusive.
    EXPECT_NO_THROW(TaylorMoments(16, 16, 3, 969.0 * 17));
    EXPECT_THROW(TaylorMoments(16, 16, 3, 969.0 * 17 - 1), std::invalid_argument);
    try {
        check_taylor_size(8, 8, 2, 1.0, "x");
        FAIL();
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("no degree fits"), std::string::npos);
    }
    EXPECT_EQ(largest_fitting_degree(128, 128, 67108864.0), 3);
    EXPECT_THROW(TaylorMoments(0, 1, 1), std::invalid_argument);
    EXPECT_THROW(TaylorMoments(2, 1, -1), std::invalid_argument);
}

TEST(TaylorHelpers, TruncationErrorAndBounds) {
    for (int p = 0; p <= 10; ++p) {
        for (double x : {-3.0, -0.9, -0.3, 0.0, 0.2, 0.7, 1.0, 2.5}) {
            const double err = taylor_tail(x, p);
            // Cross-check with a long series in long double.
            long double tail = 0, term = 1;
            for (int l = 1; l <= 80; ++l) {
                term *= static_cast<long double>(x) / l;
                if (l > p) tail += term;
            }
            // |x| > 1 subtracts from e^x directly: absolute error ~ 1e-16 e^|x|.
            const double tol =
                std::abs(x) <= 1.0 ? 1e-15 + 1e-12 * std::abs(err) : 1e-14 * std::exp(std::abs(x));
            EXPECT_NEAR(err, static_cast<double>(tail), tol);
            const double B = std::abs(x);
            EXPECT_LE(std::abs(err),
                      std::exp(std::max(x, 0.0)) * lagrange_bound(B, p) * (1 + 1e-12) + 1e-300);
        }
    }
    EXPECT_DOUBLE_EQ(lagrange_bound(0.5, 0), 0.5);
    EXPECT_DOUBLE_EQ(lagrange_bound(0.5, 1), 0.125);
    EXPECT_NEAR(relative_lagrange_bound(0.5, 1), std::exp(1.0) * 0.125, 1e-15);
    EXPECT_DOUBLE_EQ(taylor_polynomial(2.0, 2), 5.0);
    const int p = degree_for_relative_error(0.5, 1e-6);
    EXPECT_GT(p, 0);
    EXPECT_LE(relative_lagrange_bound(0.5, p), 1e-6);
    EXPECT_GT(relative_lagrange_bound(0.5, p - 1), 1e-6);
}

}  // namespace
}  // namespace kvscope
