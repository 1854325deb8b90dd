// balance_kv: life cycle, buckets, sinks and window, weights, theory mode.
#include "sketches/balance_kv.hpp"

#include <set>

#include <gtest/gtest.h>

#include "engine/support/eval_util.hpp"

namespace kvscope::test {
namespace {

TEST(BalanceKv, ParameterLimits) {
    EXPECT_TRUE(rejects("balance_kv", {{"batch", 1}}));
    EXPECT_TRUE(rejects("balance_kv", {{"batch", 16385}}));
    EXPECT_TRUE(rejects("balance_kv", {{"sinks", -1}}));
    EXPECT_TRUE(rejects("balance_kv", {{"sinks", 1e8}}));
    EXPECT_TRUE(rejects("balance_kv", {{"window", -1}}));
    EXPECT_TRUE(rejects("balance_kv", {{"window", 1e8}}));
    EXPECT_TRUE(rejects("balance_kv", {{"drop_eps", -0.1}}));
    EXPECT_TRUE(rejects("balance_kv", {{"drop_eps", 1.5}}));
    EXPECT_TRUE(rejects("balance_kv", {{"gamma", -1}}));
    EXPECT_TRUE(rejects("balance_kv", {{"mode", "exact"}}));
    EXPECT_FALSE(rejects("balance_kv", {{"batch", 2}, {"sinks", 4}, {"window", 8}}));
}

TEST(BalanceKv, EmptyOneTokenAndExactMode) {
    const Matrix probes = ball_probes(16, 2.0, 16, 1);
    auto sk = make_sketch("balance_kv", {{"batch", 64}}, 16, 16, 0.25, 1);
    EXPECT_TRUE(sk->estimate_many(probes).den.isZero());
    EXPECT_EQ(sk->stats().retained, 0);
    EXPECT_FALSE(sk->view().walk.has_value());
    const TokenBatch s = ball_stream(16, 2.0, 600, 2);
    feed(*sk, s, 1);
    EXPECT_LT(evaluate(*sk, exact_attention(s, 1, probes, 0.25), probes).rel_err_mean, 1e-5);
    // Sinks + window covering the stream: exact.
    auto ex =
        make_sketch("balance_kv", {{"batch", 8}, {"sinks", 100}, {"window", 500}}, 16, 16, 0.25, 1);
    feed(*ex, s, 600, 77);
    EXPECT_LT(evaluate(*ex, exact_attention(s, 600, probes, 0.25), probes).rel_err_mean, 1e-5);
    EXPECT_EQ(ex->stats().retained, 600);
}

// Weights, paper estimator: denominator weights (sinks, window and the (k, 1) tree) sum to the
// tokens seen; numerator weights sum to the tokens seen minus the skipped ones (zero or
// negligible values). Joint estimator: one set of weights, summing to the tokens seen for both,
// nothing skipped; with buckets one tree per value-norm bucket.
TEST(BalanceKv, WeightsSumToTokensSeen) {
    TokenBatch s = ball_stream(16, 2.0, 5000, 3);
    for (Index i = 0; i < 5000; i += 97)
        s.values.row(i).setZero();            // skipped by the paper's numerator
    s.values.middleRows(1000, 500) *= 20.0f;  // a second, heavier bucket
    for (const char* keep : {"smaller", "prefix", "half"}) {
        auto sk = make_sketch(
            "balance_kv",
            {{"batch", 64}, {"sinks", 4}, {"window", 16}, {"keep", keep}, {"algorithm", "paper"}},
            16, 16, 0.25, 5);
        feed(*sk, s, 5000, 999);
        const auto [num, den] = weight_sums(sk->view());
        const auto& bkv = dynamic_cast<const BalanceKvSketch&>(*sk);
        EXPECT_NEAR(den, 5000.0, 1e-6);
        EXPECT_EQ(bkv.skipped(), 51);  // 52 zero rows, one of them (row 0) a sink
        EXPECT_NEAR(num, 5000.0 - 51, 1e-6);
        EXPECT_GE(bkv.numerator().classes().size(), 3u);
        EXPECT_GE(sk->view().merge_trees.size(), 4u);  // buckets + denominator
    }
    for (const char* buckets : {"none", "value_norm"}) {
        auto sk = make_sketch("balance_kv",
                              {{"batch", 64}, {"sinks", 4}, {"window", 16}, {"buckets", buckets}},
                              16, 16, 0.25, 5);
        feed(*sk, s, 5000, 999);
        const auto [num, den] = weight_sums(sk->view());
        const auto& bkv = dynamic_cast<const BalanceKvSketch&>(*sk);
        EXPECT_NEAR(den, 5000.0, 1e-6);
        EXPECT_NEAR(num, 5000.0, 1e-6);
        EXPECT_EQ(bkv.skipped(), 0);
        EXPECT_EQ(bkv.denominator().size(), 0);
        if (std::string(buckets) == "none") {
            EXPECT_EQ(bkv.numerator().classes().size(), 1u);
            EXPECT_EQ(sk->stats().retained, balance_kv_retained(5000, 64, 4, 16));
        } else {
            EXPECT_GE(bkv.numerator().classes().size(), 3u);
        }
    }
}

TEST(BalanceKv, SinksAndWindowAreKeptExactly) {
    const TokenBatch s = ball_stream(16, 2.0, 3000, 4);
    auto sk =
        make_sketch("balance_kv", {{"batch", 32}, {"sinks", 8}, {"window", 40}}, 16, 16, 0.25, 6);
    feed(*sk, s, 3000, 128);
    std::set<Index> exact;
    for (const auto& t : sk->view().retained) {
        if (t.tag < 0) {
            EXPECT_EQ(t.weight_num, 1.0);
            EXPECT_EQ(t.weight_den, 1.0);
            exact.insert(t.position);
        }
    }
    ASSERT_EQ(exact.size(), 48u);
    for (Index p = 0; p < 8; ++p)
        EXPECT_TRUE(exact.count(p));
    for (Index p = 2960; p < 3000; ++p)
        EXPECT_TRUE(exact.count(p));
}

TEST(BalanceKv, DeterministicAndResettable) {
    const TokenBatch s = ball_stream(16, 2.0, 3000, 5);
    const Matrix probes = ball_probes(16, 2.0, 16, 5);
    auto a = make_sketch("balance_kv", {{"batch", 48}, {"window", 7}}, 16, 16, 0.25, 9);
    auto b = make_sketch("balance_kv", {{"batch", 48}, {"window", 7}}, 16, 16, 0.25, 9);
    feed(*a, s, 3000, 100);
    feed(*b, s, 3000, 1000);
    EXPECT_EQ(output_gap(a->estimate_many(probes), b->estimate_many(probes)), 0.0);
    const EstimateBatch before = a->estimate_many(probes);
    a->reset();
    EXPECT_EQ(a->stats().seen, 0);
    EXPECT_TRUE(a->view().retained.empty());
    feed(*a, s, 3000);
    EXPECT_EQ(output_gap(a->estimate_many(probes), before), 0.0);
}

TEST(BalanceKv, TheoryModeNeverFailsAndActsLikeRandomSigns) {
    const Index n = 8192;
    const TokenBatch s = ball_stream(16, 2.0, n, 6);
    const Matrix probes = ball_probes(16, 2.0, 64, 6);
    const ExactAttention ex = exact_attention(s, n, probes, 0.25);
    auto th = make_sketch("balance_kv", {{"batch", 128}, {"mode", "theory"}}, 16, 16, 0.25, 1);
    auto pr = make_sketch("balance_kv", {{"batch", 128}}, 16, 16, 0.25, 1);
    feed(*th, s, n);
    feed(*pr, s, n);
    const SketchView v = th->view();
    ASSERT_TRUE(v.walk.has_value());
    EXPECT_EQ(v.walk->fail_events, 0);
    EXPECT_LT(evaluate(*pr, ex, probes).rel_err_mean, 0.6 * evaluate(*th, ex, probes).rel_err_mean);
}

TEST(BalanceKv, TheoryCurvesIncludeTheLowerBound) {
    const SketchInfo& info = builtin_sketches().at("balance_kv", "sketch");
    bool upper = false, lower = false;
    for (const auto& c : info.theory) {
        upper |= c.id == "balance_kv_upper" && c.upper;
        lower |= c.id == "balance_kv_lower" && !c.upper;
    }
    EXPECT_TRUE(upper);
    EXPECT_TRUE(lower);
}

}  // namespace
}  // namespace kvscope::test
