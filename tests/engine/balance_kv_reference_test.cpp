// balance_kv_reference: the authors' one-shot procedure.
#include "sketches/balance_kv_reference.hpp"

#include <gtest/gtest.h>

#include "engine/eval_util.hpp"

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

}  // namespace
}  // namespace kvscope::test
