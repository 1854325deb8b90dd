#include "metrics/exact_reference.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <stdexcept>

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

// Issue 15 (memory flat on endless streams): a streaming reference keeps no tokens beyond one
// partial block, and gives the stored reference's numbers bit for bit however the stream is cut.
TEST(ExactReference, StreamingMatchesStoredBitForBitAndKeepsNoTokens) {
    const TokenBatch b = test::random_batch(7001, 5, 3, 4, 3.0);
    const auto probes = std::make_shared<const Matrix>(test::random_batch(9, 5, 3, 5, 3.0).keys);
    const double beta = 0.7;
    ExactReference stored(5, 3), streaming(5, 3);
    streaming.stream_against(probes, beta);
    EXPECT_TRUE(streaming.streaming());
    // Uneven cuts (1, 999, 3000, ...), so blocks straddle the 2,048-token boundaries.
    const std::vector<Index> cuts = {0, 1, 1000, 4000, 4096, 6500, 7001};
    for (std::size_t c = 1; c < cuts.size(); ++c) {
        const Index begin = cuts[c - 1], count = cuts[c] - begin;
        const TokenBlock block(b.queries.middleRows(begin, count), b.keys.middleRows(begin, count),
                               b.values.middleRows(begin, count), begin);
        stored.append(block);
        streaming.append(block);
        const ReferenceResult want = stored.evaluate(*probes, beta);
        const ReferenceResult got = streaming.evaluate(*probes, beta);
        ASSERT_EQ(got.attention, want.attention) << cuts[c];
        ASSERT_EQ(got.den, want.den) << cuts[c];
        ASSERT_EQ(got.shift, want.shift) << cuts[c];
        ASSERT_EQ(got.softmax_norm, want.softmax_norm) << cuts[c];
        EXPECT_EQ(streaming.size(), cuts[c]);
        EXPECT_EQ(streaming.value_frobenius_norm(), stored.value_frobenius_norm());
    }
    EXPECT_THROW(streaming.keys(), std::logic_error);
    const Matrix other = test::random_batch(9, 5, 3, 6, 3.0).keys;
    EXPECT_THROW(streaming.evaluate(other, beta), std::logic_error) << "only its own probes";
    EXPECT_THROW(streaming.evaluate(*probes, 2 * beta), std::logic_error);
    streaming.clear();
    EXPECT_EQ(streaming.size(), 0);
    EXPECT_TRUE(streaming.evaluate(*probes, beta).den.isZero());
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
