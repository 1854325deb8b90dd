// balance_kv: BalanceKV, the streaming attention approximation of
// "Streaming Attention Approximation via Discrepancy Theory" (Kochetkova, Sheth, Han, Zandieh,
// Kapralov), arXiv 2502.07861, Algorithm 1; docs/algorithms.md §2.8, docs/discrepancy.md.
//
// Two estimators (`algorithm`):
//  * joint (default) [R]: one merge-and-reduce tree of SoftmaxBalance halvings on (k, v) whose
//    items serve both sums: N = sum w e^{beta<k,q>} v and Z = sum w e^{beta<k,q>}, so the output
//    z = N / Z is a convex combination of kept values (plus the exact sinks and window) and
//    cannot blow up. The walk balances both through the joint denominator coordinate. Optional
//    value-norm buckets (`buckets = value_norm`): one tree per bucket 2^i <= |v| < 2^{i+1}, all
//    serving both sums.
//  * paper: Algorithm 1 as published: tokens bucketed by value norm, each bucket a tree on
//    (k, v) for the numerator only, plus one tree on (k, 1) for the denominator. The two sums
//    come from different tokens, so N / Z is unbounded: on a sharp real head a denominator tree
//    that lost the query's heavy keys gave rel_err 1e16 (docs/discrepancy.md). With
//    keep = smaller, temp_scale = absolute and temp = 1 it is the earlier kvscope default.
// Guarantee (Thm 3.1, paper estimator, theory walk): with |q|, |k| <= r, t = O(sqrt(d) e^{2B} /
// eps) (B = beta r^2) and T = log(n/t): |z - Attn| <= eps |softmax|_2 |V|_F at every step w.p.
// 1 - 1/poly(n). The joint estimator inherits the numerator bound for N and for Z (the walk
// balances both coordinates of the same items) [R]; measured against uniform sampling at equal
// memory in docs/discrepancy.md.
// Space (joint, no buckets): exactly S' + W' + (n' mod t) + ceil(t/2) popcount(floor(n'/t))
// tokens, n' the tokens that left the window and S', W' the exact parts held
// (balance_kv_retained); with buckets the same sum per bucket. Paper: at most
// (buckets + 1)(t + ceil(t/2) log2(n/t)) + S + W. Time per token O(d t) amortised.
// Departures ([R]):
//  * the defaults are the joint estimator and the walk of softmax_balance.hpp (exact-half keep
//    rule, relative temperature 0.5, normalised strength, recentring, total weight conserved);
//  * paper estimator, negligible buckets: a token with |v| < drop_eps e^{-B_obs} v_max / n
//    (B_obs = beta max|k|^2 observed) skips the numerator, and a bucket whose upper scale
//    2^{i+1} falls below that threshold is dropped whole; the paper's exact threshold was not
//    retrieved. Zero values always skip the numerator. The joint estimator drops nothing (every
//    token counts in Z).
// Options (the layout used in practice, docs/algorithms.md §2.2): the first `sinks` tokens and
// the last `window` tokens are kept exactly (SinksWindowLayout); a token enters the trees when it
// leaves the window.
// Weights: joint: the tree's weights sum to the tokens compressed; paper: the denominator
// weights sum to the tokens compressed, the numerator weights to those minus the skipped.
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
    std::vector<std::string> warnings() const override { return walk_warnings({&num_, &den_}); }

    Index skipped() const { return skipped_; }
    bool joint() const { return joint_; }
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

    bool joint_;
    bool buckets_;
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

/// Tokens a joint balance_kv without buckets retains after n tokens with batch t, sinks S and
/// window W: min(n, S) + min(max(n - S, 0), W) + merge_reduce_retained(max(n - S - W, 0), t).
Index balance_kv_retained(Index n, Index t, Index sinks, Index window);

}  // namespace kvscope
