// merge_reduce: SoftmaxBalance inside a streaming merge-and-reduce tree on (k, v).
//
// Paper: "Streaming Attention Approximation via Discrepancy Theory" (Kochetkova, Sheth, Han,
// Zandieh, Kapralov), arXiv 2502.15955, section 3 (merge-and-reduce, Thm 3.4); ALGORITHMS.md 2.7.
//
// State: a buffer of t = `batch` raw tokens and levels l = 1..T, each holding at most one block of
// <= ceil(t/2) tokens of weight ~2^l. A full buffer is halved by the SoftmaxBalance walk and
// carried to level 1; an occupied level is concatenated with the incoming block, halved, and
// carried up (a binary counter). Queries sum every level, weighted:
//   N(q) = sum_l sum_{(k,v) in C_l} w e^{beta<k,q>} v,   Z(q) = the same with v = 1.
// Guarantee (Thm 3.4, theory constants): with t = O(sqrt(d_v) e^{2B} / eps), T = log(n/t), the
// numerator error is <= eps j e^{-B} max|v| at every step j, w.p. 1 - 1/poly(n) (B = beta r^2).
// Space: at most t + T ceil(t/2) tokens, T = floor(log2(n/t)) + 1 occupied levels at most, i.e.
// O(t log(n/t)) tokens of (d + d_v + 1) floats; exactly (n mod t) + ceil(t/2) popcount(n div t)
// under the prefix keep rule. Update: O(t (d + d_v)) amortised per token per level, in bursts.
// Departures ([R], see softmax_balance.hpp): one tree serves numerator and denominator (the walk
// balances them jointly through the denominator coordinate; BalanceKV proper runs a separate
// denominator tree, see balance_kv); the practical walk normalises its strength; the kept colour
// is rescaled so total weight is conserved exactly (weights sum to the tokens seen).
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
    const WeightedMergeReduce& tree() const { return tree_; }

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    Index seen_ = 0;
    WeightedMergeReduce tree_;
};

SketchInfo merge_reduce_sketch_info();

/// Upper bound on the tokens merge_reduce retains after n tokens with batch t:
/// (n mod t) + ceil(t/2) popcount(n div t); exact under the prefix keep rule.
Index merge_reduce_retained_bound(Index n, Index t);

}  // namespace kvscope
