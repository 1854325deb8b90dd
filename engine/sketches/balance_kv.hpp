// balance_kv: BalanceKV, the streaming attention approximation of
// "Streaming Attention Approximation via Discrepancy Theory" (Kochetkova, Sheth, Han, Zandieh,
// Kapralov), arXiv 2502.15955, Algorithm 1; ALGORITHMS.md 2.8.
//
// Numerator: tokens are bucketed by value norm, bucket i holding 2^i <= |v| < 2^{i+1}; each bucket
// runs its own merge-and-reduce tree of SoftmaxBalance halvings on (k, v) (so the discrepancy
// bound, which scales with max|v|, is never dominated by a few large values). Denominator: one more
// tree on (k, 1). Output z = [sum_l sum_{C_l} w e^{beta<k,q>} v] / [sum_l sum_{K_l} w
// e^{beta<k,q>}]. Options (the layout used in practice, ALGORITHMS.md 2.2): the first `sinks`
// tokens and the last `window` tokens are kept exactly (SinksWindowLayout); a token enters the
// trees when it leaves the window. Guarantee (Thm 3.1): with |q|, |k| <= r, t = O(sqrt(d) e^{2B} /
// eps) (B = beta r^2) and T = log(n/t): |z - Attn| <= eps |softmax|_2 |V|_F at every step w.p. 1 -
// 1/poly(n). Space: O(d sqrt(d) e^{2B} / eps) words up to polylog n; concretely at most (buckets +
// 1)(t + ceil(t/2) log2(n/t)) tokens plus S + W. Time per token O(d t) amortised. Departures ([R]):
//  * negligible buckets: a token with |v| < drop_eps e^{-B_obs} v_max / n (B_obs = beta max|k|^2
//    observed) skips the numerator, and a bucket whose upper scale 2^{i+1} falls below that
//    threshold is dropped whole; the paper's exact threshold was not retrieved. Zero values
//    always skip the numerator (they contribute nothing).
//  * the walk is the practical one by default (normalised strength gamma, recentring, joint
//    denominator coordinate, total weight conserved); `mode = theory` gives Algorithm 2's
//    constants with FAIL events counted. See softmax_balance.hpp.
// Weights: the denominator weights sum to the tokens seen; the numerator weights sum to the tokens
// seen minus those skipped (zero or negligible values), both exactly (up to rounding).
#pragma once

#include <set>

#include "blocks/sinks_window_layout.hpp"
#include "blocks/weighted_merge_reduce.hpp"
#include "core/registry.hpp"

namespace kvscope {

class BalanceKvSketch final : public Sketch {
  public:
    explicit BalanceKvSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

    Index skipped() const { return skipped_; }
    const WeightedMergeReduce& numerator() const { return num_; }
    const WeightedMergeReduce& denominator() const { return den_; }

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    void compress(const float* k, const float* v, Index position);
    void drop_negligible_buckets();
    double drop_threshold() const;
    WeightedCache exact_cache() const;

    double drop_eps_;
    Index seen_ = 0;
    Index skipped_ = 0;
    double v_max_ = 0;
    double k_max_sq_ = 0;
    SinksWindowLayout layout_;  // sinks and window kept exactly; the rest goes to the trees
    WeightedMergeReduce num_;
    WeightedMergeReduce den_;
    std::set<int> dropped_buckets_;
};

SketchInfo balance_kv_sketch_info();

}  // namespace kvscope
