// Weighted merge-and-reduce: classes, compressors in the same tree, a custom balancing kernel,
// weight conservation, and the registered sketch's life cycle.
#include "blocks/weighted_merge_reduce.hpp"

#include <gtest/gtest.h>

#include "engine/support/eval_util.hpp"

namespace kvscope::test {
namespace {

TEST(WeightedMergeReduce, ClassesSeparateWeightsAndConserveThem) {
    const TokenBatch s = ball_stream(8, 2.0, 3000, 1);
    for (Compressor c : {Compressor::Walk, Compressor::PairSample, Compressor::Uniform}) {
        MergeReduceOptions o;
        o.batch = 32;
        o.compressor = c;
        o.balance.beta = 0.35;
        WeightedMergeReduce tree(8, 8, o, 5);
        double pushed = 0;
        Rng rng(3);
        for (Index i = 0; i < 3000; ++i) {
            const double w =
                i % 3 == 0 ? 5.0 + rng.uniform() : 1.0 + rng.uniform();  // classes 2, 0
            tree.push(s.keys.row(i).data(), s.values.row(i).data(), w, i);
            pushed += w;
        }
        EXPECT_EQ(tree.classes(), (std::vector<int>{0, 2}));
        EXPECT_NEAR(tree.total_weight(), pushed, 1e-9 * pushed);
        EXPECT_NEAR(tree.pushed_weight(), pushed, 1e-9 * pushed);
        EXPECT_LT(tree.size(), 600);
        // Within a level of one class, weights stay within the class's 2x range times 2^level
        // (up to the mass correction).
        for (const MergeTreeView& mt : tree.tree_views("t")) {
            for (const auto& lv : mt.levels) {
                if (lv.occupancy == 0) continue;
                EXPECT_LE(lv.weight_max / lv.weight_min, c == Compressor::PairSample ? 8.0 : 3.0)
                    << mt.label << " level " << lv.level;
            }
        }
        const double dropped = tree.drop_class(2);
        EXPECT_NEAR(tree.total_weight() + dropped, pushed, 1e-9 * pushed);
        EXPECT_EQ(tree.classes(), (std::vector<int>{0}));
    }
}

TEST(WeightedMergeReduce, CustomGramCallbackIsUsed) {
    MergeReduceOptions o;
    o.batch = 16;
    int calls = 0;
    const GramCallback inner =
        scalar_kernel_gram(0.5, [](double x) { return std::exp(x) - 1.0 - x; });
    o.gram = [&](const ItemSpan& items, Eigen::MatrixXf& g) {
        ++calls;
        inner(items, g);
    };
    WeightedMergeReduce tree(4, 4, o, 1);
    const TokenBatch s = ball_stream(4, 1.0, 64, 2);
    for (Index i = 0; i < 64; ++i)
        tree.push(s.keys.row(i).data(), s.values.row(i).data(), 1.0, i);
    EXPECT_EQ(calls, 7);  // 4 buffer halvings + 2 carries at level 1 + 1 at level 2
    EXPECT_EQ(tree.halvings(), 7);
}

TEST(WeightedMergeReduce, RejectsBadOptions) {
    MergeReduceOptions o;
    o.batch = 1;
    EXPECT_THROW(WeightedMergeReduce(4, 4, o, 1), std::invalid_argument);
    EXPECT_THROW(compressor_from_string("greedy"), std::invalid_argument);
    EXPECT_TRUE(rejects("weighted_merge_reduce", {{"compressor", "greedy"}}));
    EXPECT_TRUE(rejects("weighted_merge_reduce", {{"weighting", "squared"}}));
    EXPECT_TRUE(rejects("weighted_merge_reduce", {{"batch", 1}}));
    EXPECT_TRUE(rejects("weighted_merge_reduce", {{"batch", 16385}}));
    EXPECT_TRUE(rejects("weighted_merge_reduce", {{"weight_classes", 2}}));
    EXPECT_TRUE(rejects("weighted_merge_reduce", {{"gamma", -1}}));
}

// Sketch weights: with value_norm weighting the denominator weights sum to the tokens seen and
// the numerator weights to sum |v| (each item is (k, v/|v|) with weight |v|); with unit weighting
// both sum to the tokens seen.
TEST(WeightedMergeReduce, SketchWeightsAndLifeCycle) {
    const TokenBatch s = ball_stream(16, 2.0, 2500, 3);
    const Matrix probes = ball_probes(16, 2.0, 16, 3);
    const double norm_sum = s.values.cast<double>().rowwise().norm().sum();
    for (const char* comp : {"walk", "pair_sample", "uniform"}) {
        for (const char* weighting : {"value_norm", "unit"}) {
            auto sk = make_sketch("weighted_merge_reduce",
                                  {{"batch", 64}, {"compressor", comp}, {"weighting", weighting}},
                                  16, 16, 0.25, 4);
            EXPECT_TRUE(sk->estimate_many(probes).den.isZero());
            feed(*sk, s, 1);
            EXPECT_LT(evaluate(*sk, exact_attention(s, 1, probes, 0.25), probes).rel_err_mean,
                      1e-5);
            sk->reset();
            feed(*sk, s, 2500, 333);
            // The same items serve both sums. Numerator weight is conserved exactly (the walk
            // and uniform by the mass correction, pair_sample by construction); the denominator
            // weight of value_norm items (their weight / |v|) only in expectation, and within a
            // weight class (|v| within 2x) closely.
            const auto [num, den] = weight_sums(sk->view());
            const bool unit = std::string(weighting) == "unit";
            EXPECT_NEAR(den, 2500.0, unit ? 1e-6 : 0.05 * 2500.0);
            EXPECT_NEAR(num, unit ? 2500.0 : norm_sum, 1e-6 * norm_sum);
            auto again = make_sketch(
                "weighted_merge_reduce",
                {{"batch", 64}, {"compressor", comp}, {"weighting", weighting}}, 16, 16, 0.25, 4);
            feed(*again, s, 2500);
            EXPECT_EQ(output_gap(sk->estimate_many(probes), again->estimate_many(probes)), 0.0);
        }
    }
}

TEST(WeightedMergeReduce, WalkBeatsPairSampleAndUniform) {
    const Index n = 8192;
    const TokenBatch s = ball_stream(16, 2.0, n, 5);
    const Matrix probes = ball_probes(16, 2.0, 64, 5);
    const ExactAttention ex = exact_attention(s, n, probes, 0.25);
    double err[3] = {0, 0, 0};
    const char* comps[3] = {"walk", "pair_sample", "uniform"};
    for (int c = 0; c < 3; ++c) {
        for (int seed = 0; seed < 3; ++seed) {
            auto sk = make_sketch("weighted_merge_reduce",
                                  {{"batch", 256}, {"compressor", comps[c]}}, 16, 16, 0.25, seed);
            feed(*sk, s, n);
            err[c] += evaluate(*sk, ex, probes).rel_err_mean / 3;
        }
    }
    EXPECT_LT(err[0], 0.6 * err[1]);
    EXPECT_LT(err[0], 0.6 * err[2]);
}

}  // namespace
}  // namespace kvscope::test
