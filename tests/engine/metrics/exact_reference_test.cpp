#include "metrics/exact_reference.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "core/weighted_cache.hpp"
#include "metrics/error_metrics.hpp"
#include "test_support.hpp"

namespace kvscope {
namespace {

TEST(ExactReference, HandComputedTwoTokens) {
    // Keys e1 and 2 e1, values (1,0) and (0,1), query e1, beta 1: weights e^1 and e^2.
    Matrix k(2, 2), v(2, 2), q(1, 2);
    k << 1, 0, 2, 0;
    v << 1, 0, 0, 1;
    q << 1, 0;
    ExactReference ref(2, 2);
    ref.append(TokenBlock(Matrix::Zero(0, 2), k, v, 0));
    std::vector<double> mask = {0.0, 1.0};
    const ReferenceResult r = ref.evaluate(q, 1.0, {&mask});
    const double e1 = std::exp(1.0), e2 = std::exp(2.0);
    EXPECT_NEAR(r.attention(0, 0), e1 / (e1 + e2), 1e-14);
    EXPECT_NEAR(r.attention(0, 1), e2 / (e1 + e2), 1e-14);
    EXPECT_NEAR(std::exp(r.shift[0]) * r.den[0], e1 + e2, 1e-12);
    EXPECT_NEAR(r.softmax_norm[0], std::hypot(e1, e2) / (e1 + e2), 1e-14);
    EXPECT_NEAR(r.mass(0, 0), e2 / (e1 + e2), 1e-14);
    EXPECT_NEAR(ref.value_frobenius_norm(), std::sqrt(2.0), 1e-14);
    EXPECT_NEAR(ref.value_operator_norm(), 1.0, 1e-9);
    EXPECT_NEAR(ref.max_value_norm(), 1.0, 1e-14);
}

TEST(ExactReference, HugeLogitsDoNotOverflowAndMatchLoop) {
    // Logits up to ~1e4: exp would overflow without max-subtraction. Several key blocks.
    const TokenBatch b = test::random_batch(5000, 8, 4, 1, 30.0);
    ExactReference ref(8, 4);
    ref.append(b.view());
    const Matrix q = test::random_batch(5, 8, 4, 2, 30.0).keys;
    const ReferenceResult r = ref.evaluate(q, 1.0);
    for (Index p = 0; p < 5; ++p) {
        const Eigen::VectorXd a =
            test::exact_attention(b.keys, b.values, q.row(p).transpose(), 1.0);
        ASSERT_TRUE(r.attention.row(p).allFinite());
        EXPECT_LT((r.attention.row(p).transpose() - a).norm(), 1e-9 * (1 + a.norm()));
    }
}

TEST(WeightedCache, EstimateOverSeveralKeyBlocksMatchesADirectSum) {
    // 5,000 tokens (three key blocks) with uneven weights and logits in the hundreds: N and Z,
    // rescaled by exp(shift), equal the weighted sums computed directly in long double.
    const TokenBatch b = test::random_batch(5000, 6, 3, 4, 10.0);
    WeightedCache cache(6, 3);
    for (Index i = 0; i < b.size(); ++i)
        cache.push(b.keys.row(i).data(), b.values.row(i).data(), 1.0 + (i % 7), 0.5 + (i % 3), i);
    const Matrix q = test::random_batch(4, 6, 3, 5, 10.0).keys;
    const double beta = 1.0;
    const EstimateBatch e = cache.estimate(q, beta);
    for (Index p = 0; p < q.rows(); ++p) {
        long double max_logit = -INFINITY;
        for (Index i = 0; i < b.size(); ++i)
            max_logit = std::max<long double>(
                max_logit, beta * b.keys.row(i).cast<double>().dot(q.row(p).cast<double>()));
        long double den = 0;
        Eigen::VectorXd num = Eigen::VectorXd::Zero(3);
        for (Index i = 0; i < b.size(); ++i) {
            const long double w = std::exp(
                beta * b.keys.row(i).cast<double>().dot(q.row(p).cast<double>()) - max_logit);
            den += w * (0.5 + (i % 3));
            num += static_cast<double>(w * (1.0 + (i % 7))) *
                   b.values.row(i).cast<double>().transpose();
        }
        const double scale = std::exp(e.shift[p] - static_cast<double>(max_logit));
        EXPECT_NEAR(e.den[p] * scale / static_cast<double>(den), 1.0, 1e-10);
        EXPECT_LT((e.num.row(p).transpose() * scale - num).norm(), 1e-10 * num.norm());
    }
}

TEST(ExactReference, OperatorNormMatchesEigenvalues) {
    const TokenBatch b = test::random_batch(300, 3, 6, 3);
    ExactReference ref(3, 6);
    ref.append(b.view());
    const Eigen::MatrixXd v = b.values.cast<double>();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(v.transpose() * v);
    EXPECT_NEAR(ref.value_operator_norm(), std::sqrt(eig.eigenvalues().maxCoeff()), 1e-6);
    EXPECT_NEAR(ref.value_frobenius_norm(), v.norm(), 1e-9);
}

TEST(ErrorMetrics, HandComputedCase) {
    ReferenceResult ref;
    ref.num = Eigen::MatrixXd(1, 2);
    ref.num << 2, 0;
    ref.den = Eigen::VectorXd::Constant(1, 2.0);
    ref.shift = Eigen::VectorXd::Constant(1, 0.0);
    ref.attention = ref.num / 2.0;  // a = (1, 0)
    ref.softmax_norm = Eigen::VectorXd::Constant(1, 0.5);
    EstimateBatch est = EstimateBatch::zeros(1, 2);
    est.shift[0] = std::log(2.0);  // N^ = 2 * (1, 1) = (2, 2), Z^ = 2 * 1.5 = 3
    est.num << 1, 1;
    est.den[0] = 1.5;
    ValueNorms norms{4.0, 2.0, 1.0};
    const ErrorSummary s = compute_errors(ref, est, norms);
    // z = (2/3, 2/3); a = (1, 0); ||z - a|| = sqrt(1/9 + 4/9) = sqrt(5)/3.
    const double err = std::sqrt(5.0) / 3.0;
    EXPECT_NEAR(s.rel_err_mean, err, 1e-12);
    EXPECT_NEAR(s.rel_err_max, err, 1e-12);
    EXPECT_NEAR(s.eps_fro, err / (0.5 * 4.0), 1e-12);
    EXPECT_NEAR(s.eps_op, err / (0.5 * 2.0), 1e-12);
    EXPECT_NEAR(s.num_err, 2.0 / (2.0 * 1.0), 1e-12);  // ||(2,2)-(2,0)|| / (Z max|v|)
    EXPECT_NEAR(s.den_err, 0.5, 1e-12);                // |3 - 2| / 2
}

TEST(ErrorMetrics, EmptyEstimateIsNaNNotHidden) {
    ReferenceResult ref;
    ref.num = Eigen::MatrixXd::Ones(2, 1);
    ref.den = Eigen::VectorXd::Ones(2);
    ref.shift = Eigen::VectorXd::Zero(2);
    ref.attention = ref.num;
    ref.softmax_norm = Eigen::VectorXd::Ones(2);
    const ErrorSummary s = compute_errors(ref, EstimateBatch::zeros(2, 1), {1, 1, 1});
    EXPECT_TRUE(std::isnan(s.rel_err_mean));
    EXPECT_TRUE(std::isnan(s.rel_err_max));
}

TEST(EstimateBatch, AddRescalesToTheLargerShift) {
    EstimateBatch a = EstimateBatch::zeros(1, 1), b = EstimateBatch::zeros(1, 1);
    a.num << 1;
    a.den << 1;
    a.shift << 800;  // e^800 overflows a double; the sum must not
    b.num << 1;
    b.den << -0.5;  // negative terms (a Taylor residual) are allowed
    b.shift << 799;
    a.add(b);
    EXPECT_DOUBLE_EQ(a.shift[0], 800);
    EXPECT_NEAR(a.num(0, 0), 1 + std::exp(-1.0), 1e-15);
    EXPECT_NEAR(a.den[0], 1 - 0.5 * std::exp(-1.0), 1e-15);
}

}  // namespace
}  // namespace kvscope
