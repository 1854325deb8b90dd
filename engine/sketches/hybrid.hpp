// hybrid [R]: exact low-degree Taylor moments plus a weighted merge-and-reduce coreset of the
// residual kernel, with optional space partitioning: the high-temperature scheme of "Towards Tight
// Bounds for Streaming Attention" (Chen, Feng, Indyk, Kapralov, Kochetkova, Prokhorov, arXiv
// 2606.07205) AS RECONSTRUCTED in docs/algorithms.md 2.11. The paper's full text was not available;
// everything below is a reconstruction.
//
// Split e^x = T_t(x) + e_{>t}(x) with T_t the degree-t Taylor polynomial and x = beta <k - c, q>:
//   - T_t part: exact streaming moments (TaylorMoments via the `taylor` sketch: recentred on the
//     running mean and rescaled, C(d+t, t)(d_v + 1) floats);
//   - e_{>t} part: a ResidualStore (residual_store.hpp) whose items (k, v, w) contribute
//     w e_{>t}(x) [v, 1] at query time. `residual = merge_reduce` (default): a weighted
//     merge-and-reduce coreset (WeightedMergeReduce) whose SoftmaxBalance walk balances the
//     RESIDUAL kernel e_{>t}(beta <k_i - c, k_j - c>) <[v_i, a], [v_j, a]> (the paper's
//     construction as described by the third-party implementation, docs/algorithms.md 2.9/2.11);
//     its feature norms are ~ (beta |k|^2)^{t+1}/(t+1)! so the discrepancy is that much smaller
//     than BalanceKV's. `residual = reservoir`: a uniform reservoir with Horvitz-Thompson weights
//     (ablation).
// Both parts are combined in log space (EstimateBatch::add); the residual may be negative.
// Space partitioning for large radius [R] (`partition` = norm_shells | simhash, LshHasher shared
// with lsh_partition): each part keeps its own moments, recentred on the part's running mean and
// rescaled by its radius, and its own residual store (budget / parts items); parts are added in
// log space, i.e. weighted by e^{beta <c_b, q>}. The number of parts needed as r grows is where
// the paper's unavoidable exponential dependence enters; here it is a fixed, small `parts`.
// Departures from the paper (as far as it is known):
//   - the residual's size is set by `budget` m: by default (`batch` = 0, auto) the tree's batch
//     is t = 2 floor((m + 1)/6) (at least 2, at most 4,096), so 4 levels of ceil(t/2) items plus
//     the buffer fit under m; it holds exactly merge_reduce_residual_size(n, shape) items
//     (residual_store.hpp), at most m, about 0.55 m on average once n >= 4m. An explicit batch t
//     keeps t and caps the depth so that the tree never holds more than m items; m is then only
//     a cap (at t = 32, m = 64..256 all held 16 items at n = 4,096). Either way the top level
//     absorbs later carries (MergeReduceOptions::max_levels), so its items are re-halved about
//     n / (t 2^L) times. The practical walk (normalised strength, joint denominator coordinate
//     of weight den_weight, default 1) is used;
//   - the balancing kernel is centred on the running mean at the time of each halving, while the
//     query expands around the mean at query time;
//   - partitioning is a fixed hash (norm shells / simhash through the origin), not a
//     data-dependent ball carving.
// Guarantee: none proved here. With `residual = reservoir` unbiased; with `merge_reduce` the
// residual's error is the walk's discrepancy (Thm 3.3/3.4 of arXiv 2502.07861 for the residual
// kernel, [R]). Heuristic space formula hybrid_space_curve() (theory/polynomial.hpp;
// docs/algorithms.md 2.11/3.1, "heuristic reconstruction"). Space: parts x C(d+t, t)(d_v + 1)
// moments + the residual: merge_reduce m (d + d_v + 1) with m <= budget items (about 0.55 budget
// on average under the auto shape); reservoir m (d + d_v) + 1; + the hash directions. Update
// O(C(d+t,t) d_v) per token plus the tree's O(t (d + d_v)) amortised per level; query
// O(parts C(d+t,t) d_v + m (d + d_v)).
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "blocks/lsh_hash.hpp"
#include "blocks/residual_store.hpp"
#include "core/registry.hpp"
#include "sketches/taylor.hpp"

namespace kvscope {

class HybridSketch final : public Sketch {
  public:
    /// Throws std::invalid_argument when the moments exceed `max_floats` or a partitioned
    /// budget is smaller than the number of parts.
    explicit HybridSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

    /// Parts created so far (1 without partitioning, once a token has arrived).
    Index parts() const { return static_cast<Index>(parts_.size()); }
    /// The residual store of part `i` (creation order of bucket ids, ascending).
    const ResidualStore& residual(Index i) const;
    /// Bucket of a key (0 without partitioning).
    int bucket_of(const float* key) const;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    struct Part {
        std::unique_ptr<TaylorSketch> moments;
        std::unique_ptr<ResidualStore> residual;
        Index count = 0;
    };
    Part& part(int id);

    int degree_;
    bool partitioned_;
    Index part_budget_;
    std::unique_ptr<LshHasher> hasher_;
    Index seen_ = 0;
    std::map<int, Part> parts_;
    std::vector<int> bucket_of_token_;       // first 2^20 tokens (partitioned only)
    mutable std::vector<double> low_share_;  // |Z_lo| / (|Z_lo| + |Z_hi|) per recent query
    mutable std::vector<std::vector<double>> recent_contributions_;  // [query][part]
};

SketchInfo hybrid_sketch_info();

}  // namespace kvscope
