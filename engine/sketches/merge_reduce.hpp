// merge_reduce: SoftmaxBalance inside a streaming merge-and-reduce tree on (k, v).
//
// Paper: "Streaming Attention Approximation via Discrepancy Theory" (Kochetkova, Sheth, Han,
// Zandieh, Kapralov), arXiv 2502.07861, section 3 (merge-and-reduce, Thm 3.4); docs/algorithms.md
// §2.7.
//
// State: a buffer of t = `batch` raw tokens and levels l = 1..T, each holding at most one block of
// <= ceil(t/2) tokens of weight ~2^l. A full buffer is halved by the SoftmaxBalance walk and
// carried to level 1; an occupied level is concatenated with the incoming block, halved, and
// carried up (a binary counter). Queries sum every level, weighted:
//   N(q) = sum_l sum_{(k,v) in C_l} w e^{beta<k,q>} v,   Z(q) = the same with v = 1.
// Guarantee (Thm 3.4, theory constants): with t = O(sqrt(d_v) e^{2B} / eps), T = log(n/t), the
// numerator error is <= eps j e^{-B} max|v| at every step j, w.p. 1 - 1/poly(n) (B = beta r^2).
// Space: exactly (n mod t) + ceil(t/2) popcount(n div t) tokens under the half (default) and
// prefix keep rules (merge_reduce_retained), at most t + T ceil(t/2) with T = floor(log2(n/t)) + 1,
// i.e. O(t log(n/t)) tokens of (d + d_v + 1) floats; under the smaller rule the formula is only an
// upper bound. Update: O(t (d + d_v)) amortised per token per level, in bursts.
// Departures ([R], see softmax_balance.hpp): one tree serves numerator and denominator (the walk
// balances them jointly through the denominator coordinate, and z = N / Z is a convex combination
// of kept values; BalanceKV's paper estimator runs a separate denominator tree, see balance_kv);
// the practical walk normalises its strength and uses a relative temperature; the default keep
// rule keeps exactly half; total weight is conserved exactly (weights sum to the tokens seen).
// This is balance_kv's default estimator without sinks, window or buckets.
#pragma once

#include "blocks/weighted_merge_reduce.hpp"
#include "core/registry.hpp"

namespace kvscope {

class MergeReduceSketch final : public Sketch {
  public:
    explicit MergeReduceSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;
    std::vector<std::string> warnings() const override { return walk_warnings({&tree_}); }
    const WeightedMergeReduce& tree() const { return tree_; }

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    Index seen_ = 0;
    WeightedMergeReduce tree_;
};

SketchInfo merge_reduce_sketch_info();

}  // namespace kvscope
