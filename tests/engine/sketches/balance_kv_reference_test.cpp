// balance_kv_reference: the authors' one-shot procedure.
#include "sketches/balance_kv_reference.hpp"

#include <gtest/gtest.h>

#include "engine/support/eval_util.hpp"

namespace kvscope::test {
namespace {

TEST(BalanceKvReference, ParameterLimits) {
    const char* id = "balance_kv_reference";
    EXPECT_TRUE(rejects(id, {{"compress_at", -1}}));
    EXPECT_TRUE(rejects(id, {{"compress_at", 2e9}}));
    EXPECT_TRUE(rejects(id, {{"block", 1}}));
    EXPECT_TRUE(rejects(id, {{"block", 16385}}));
    EXPECT_TRUE(rejects(id, {{"gamma", -1}}));
    EXPECT_TRUE(rejects(id, {{"temp", -1}}));
    EXPECT_TRUE(rejects(id, {{"beta_offset", 101}}));
    EXPECT_TRUE(rejects(id, {{"den_const", -1}}));
    EXPECT_TRUE(rejects(id, {{"rounds", -1}}));
    EXPECT_TRUE(rejects(id, {{"rounds", 31}}));
    EXPECT_TRUE(rejects(id, {{"sinks", -1}}));
    EXPECT_TRUE(rejects(id, {{"window", -1}}));
    EXPECT_FALSE(rejects(id, {{"compress_at", 0}, {"rounds", 0}}));
}

TEST(BalanceKvReference, ExactBeforeCompressionAndEmpty) {
    const Matrix probes = ball_probes(16, 2.0, 16, 1);
    auto sk = make_sketch("balance_kv_reference", {{"compress_at", 1000}}, 16, 16, 0.25, 1);
    EXPECT_TRUE(sk->estimate_many(probes).den.isZero());
    const TokenBatch s = ball_stream(16, 2.0, 999, 2);
    feed(*sk, s, 1);
    EXPECT_LT(evaluate(*sk, exact_attention(s, 1, probes, 0.25), probes).rel_err_mean, 1e-5);
    auto full = make_sketch("balance_kv_reference", {{"compress_at", 1000}}, 16, 16, 0.25, 1);
    feed(*full, s, 999);
    EXPECT_LT(evaluate(*full, exact_attention(s, 999, probes, 0.25), probes).rel_err_mean, 1e-5);
    EXPECT_EQ(full->stats().retained, 999);
}

// After compression: S + W exact tokens, the middle m halved T times (exactly m / 2^T for
// m divisible by 2^T), denominator weight 2^T on compressed tokens and numerator weights w
// (products of x2 / x1 factors) whose sum is at most the middle's size.
TEST(BalanceKvReference, CompressionCountAndWeights) {
    const TokenBatch s = ball_stream(16, 2.0, 4096 + 100, 3);
    for (int rounds : {1, 2, 3}) {
        auto sk = make_sketch("balance_kv_reference",
                              {{"compress_at", 4096}, {"rounds", rounds}, {"block", 128}}, 16, 16,
                              0.25, 4);
        feed(*sk, s, 4096 + 100, 1000);
        const Index middle = 4096 - 64;
        EXPECT_EQ(sk->stats().retained, 64 + (middle >> rounds) + 100);
        double wsum = 0;
        Index compressed = 0;
        for (const auto& t : sk->view().retained) {
            if (t.tag != 1) {
                EXPECT_EQ(t.weight_num, 1.0);
                EXPECT_EQ(t.weight_den, 1.0);
                continue;
            }
            ++compressed;
            EXPECT_EQ(t.weight_den, std::ldexp(1.0, rounds));
            EXPECT_GE(t.weight_num, 1.0);
            EXPECT_LE(t.weight_num, std::ldexp(1.0, rounds));
            wsum += t.weight_num;
        }
        EXPECT_EQ(compressed, middle >> rounds);
        EXPECT_LE(wsum, static_cast<double>(middle) + 1e-9);
        EXPECT_GT(wsum, 0.9 * middle);  // the prefix loses only its colour imbalance
        ASSERT_TRUE(sk->view().walk.has_value());
        EXPECT_EQ(sk->view().walk->steps.size(), 128u);
        EXPECT_EQ(sk->view().walk->steps.front().sign, 1);  // first token of a block: +1
    }
}

TEST(BalanceKvReference, DeterministicResettableAndBetterThanRandom) {
    const Index n = 8192;
    const TokenBatch s = ball_stream(16, 2.0, n, 5);
    const Matrix probes = ball_probes(16, 2.0, 64, 5);
    const ExactAttention ex = exact_attention(s, n, probes, 0.25);
    auto a =
        make_sketch("balance_kv_reference", {{"compress_at", n}, {"rounds", 3}}, 16, 16, 0.25, 7);
    auto b =
        make_sketch("balance_kv_reference", {{"compress_at", n}, {"rounds", 3}}, 16, 16, 0.25, 7);
    feed(*a, s, n, 1000);
    feed(*b, s, n, 4096);
    EXPECT_EQ(output_gap(a->estimate_many(probes), b->estimate_many(probes)), 0.0);
    const EstimateBatch before = a->estimate_many(probes);
    a->reset();
    EXPECT_EQ(a->stats().seen, 0);
    feed(*a, s, n);
    EXPECT_EQ(output_gap(a->estimate_many(probes), before), 0.0);
    double walk = 0, random = 0;
    for (int seed = 0; seed < 4; ++seed) {
        auto w = make_sketch("balance_kv_reference", {{"compress_at", n}, {"rounds", 3}}, 16, 16,
                             0.25, seed);
        auto r = make_sketch("balance_kv_reference",
                             {{"compress_at", n}, {"rounds", 3}, {"gamma", 0}}, 16, 16, 0.25, seed);
        feed(*w, s, n);
        feed(*r, s, n);
        walk += evaluate(*w, ex, probes).rel_err_mean;
        random += evaluate(*r, ex, probes).rel_err_mean;
    }
    EXPECT_LT(walk, 0.5 * random);
}

// The authors' selection (src/balanced_walk.py) on hand-made sign vectors, worked out by hand
// from their cumsum / argmax / stable-argsort code: ties, odd sizes, one colour only.
TEST(BalanceKvReference, SelectionMatchesTheAuthorsOnHandMadeSigns) {
    struct Case {
        std::vector<std::int8_t> signs;
        std::vector<Index> kept;
        std::vector<double> factor;
    };
    const std::vector<Case> cases = {
        // Tie 4/4: + reaches 4 at index 6, - at 7: + (first to n/2) kept, all x2.
        {{1, 1, -1, 1, -1, -1, 1, -1}, {0, 1, 3, 6}, {2, 2, 2, 2}},
        // Tie 4/4 where - completes first (index 5): the - colour, all x2.
        {{1, -1, -1, 1, -1, -1, 1, 1}, {1, 2, 4, 5}, {2, 2, 2, 2}},
        // No tie: + reaches 4 at index 4; the - of the prefix x2, then the tail x1.
        {{1, 1, 1, -1, 1, 1, -1, -1}, {3, 5, 6, 7}, {2, 1, 1, 1}},
        // Odd n = 7: + reaches 3 at index 4, - at 5; the first three + kept x2 (not ceil(n/2)).
        {{1, -1, -1, 1, 1, -1, 1}, {0, 3, 4}, {2, 2, 2}},
        // Odd n = 5, - never reaches 2: c = 1 (where + did), the tail x1 fills floor(5/2).
        {{1, 1, 1, 1, -1}, {2, 3}, {1, 1}},
        // One colour only: the prefix of n/2 is dropped, the tail kept x1.
        {{1, 1, 1, 1}, {2, 3}, {1, 1}},
        // A single item: nothing survives (their n // 2 = 0).
        {{1}, {}, {}},
    };
    for (const Case& c : cases) {
        const Halving h = reference_select(c.signs);
        EXPECT_EQ(h.kept, c.kept);
        EXPECT_EQ(h.factor, c.factor);
    }
}

// Their zero padding of the last block: the mean key divides by the block size, so a 3-token
// block padded to 4 has the kernel of the same block with an explicit zero fourth row.
TEST(BalanceKvReference, LastBlockIsZeroPaddedLikeTheAuthors) {
    const TokenBatch s = ball_stream(8, 2.0, 3, 11);
    ReferenceOptions o;
    o.beta = 0.35;
    Eigen::MatrixXf padded, explicit_zero, unpadded;
    reference_block_gram(s.keys, s.values, 4, o, padded);
    Matrix k4 = Matrix::Zero(4, 8), v4 = Matrix::Zero(4, 8);
    k4.topRows(3) = s.keys;
    v4.topRows(3) = s.values;
    reference_block_gram(k4, v4, 4, o, explicit_zero);
    reference_block_gram(s.keys, s.values, 3, o, unpadded);
    for (Index j = 0; j < 3; ++j) {
        for (Index i = j; i < 3; ++i) {
            EXPECT_NEAR(padded(i, j), explicit_zero(i, j), 1e-5f * std::abs(explicit_zero(i, j)));
        }
    }
    const Eigen::MatrixXf diff = padded - unpadded;
    EXPECT_GT(diff.triangularView<Eigen::Lower>().toDenseMatrix().norm(), 1e-3);
}

// A middle of odd size keeps floor(m / 2) per round (their n // 2), not ceil.
TEST(BalanceKvReference, OddMiddleKeepsTheFloorPerRound) {
    const TokenBatch s = ball_stream(16, 2.0, 1000, 3);
    auto sk = make_sketch(
        "balance_kv_reference",
        {{"compress_at", 1000}, {"rounds", 2}, {"block", 128}, {"sinks", 0}, {"window", 1}}, 16, 16,
        0.25, 4);
    feed(*sk, s, 1000);
    EXPECT_EQ(sk->stats().retained, 1 + (999 / 2) / 2);
}

}  // namespace
}  // namespace kvscope::test
