#include "metrics/exact_reference.hpp"

#include <gtest/gtest.h>

#include <cmath>

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

TEST(ExactReference, OperatorNormMatchesEigenvalues) {
    const TokenBatch b = test::random_batch(300, 3, 6, 3);
    ExactReference ref(3, 6);
    ref.append(b.view());
    const Eigen::MatrixXd v = b.values.cast<double>();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(v.transpose() * v);
    EXPECT_NEAR(ref.value_operator_norm(), std::sqrt(eig.eigenvalues().maxCoeff()), 1e-6);
    EXPECT_NEAR(ref.value_frobenius_norm(), v.norm(), 1e-9);
}

}  // namespace
}  // namespace kvscope
