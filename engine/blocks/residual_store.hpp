// ResidualStore: a weighted token store that estimates the residual kernel of a degree-t Taylor
// expansion, r_t(x) = e^x - T_t(x) = e_{>t}(x), for the `hybrid` sketch [R].
//
// Two implementations (docs/algorithms.md 2.9, 2.11):
//  * MergeReduceResidualStore (the hybrid's default): a WEIGHTED MERGE-AND-REDUCE coreset
//    (WeightedMergeReduce) whose SoftmaxBalance walk balances the residual kernel
//      <u_i, u_j> = e_{>t}(beta <k_i - c, k_j - c>) (<v_i, v_j> + den_weight mean|v|^2) w_i w_j
//    (scalar_kernel_gram with the residual function, on keys recentred on the running mean c and
//    values with a joint denominator coordinate appended), plus a mass coordinate [R]
//    G_ij += (sum G_ii / sum w^2) w_i w_j so that halvings keep about half the items (e_{>t}
//    changes sign; without it the walk colours almost every item alike). e_{>t} = sum_{l>t} x^l/l!
//    is a positive-definite dot-product kernel with |phi_{>t}(k)|^2 = e_{>t}(beta |k|^2) ~ (beta
//    |k|^2)^{t+1}/(t+1)!, so the walk's discrepancy, and with it the coreset error, is that factor
//    smaller than for the full exp kernel [R]. The tree depth is capped so that the store never
//    holds more than `budget` items (MergeReduceOptions::max_levels, see
//    merge_reduce_residual_shape). Unbiased only up to the walk's discrepancy (the kept colour is
//    not a random sample); total weight is conserved exactly. Measured
//    (docs/polynomial_methods.md): no better than the reservoir at equal memory on isotropic_ball d
//    = 8, B = 0.5.
//  * ReservoirResidualStore: a uniform reservoir with Horvitz-Thompson weights; unbiased, with
//    sampling error ~ m^(-1/2).
#pragma once

#include <memory>

#include "blocks/weighted_merge_reduce.hpp"

#include "core/random.hpp"
#include "core/sketch_view.hpp"
#include "core/types.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

/// e_{>t}(x) = e^x - T_t(x) is taylor_tail(x, t) (math/taylor_series.hpp).
class ResidualStore {
  public:
    virtual ~ResidualStore() = default;
    /// Offers one token with weight w (the residual of this token counts w times).
    virtual void push(const float* key, const float* value, double weight, Index position) = 0;
    /// Estimates sum_i w_i r_t(x_i) [v_i, 1] with x_i = beta <k_i - c, q> for queries [P x d].
    /// The log-safe shift includes beta <c, q>, so the result adds directly to the moments'
    /// estimate around the same centre c [d]. Cost O(P m (d + d_v)).
    virtual EstimateBatch estimate_residual(ConstMatrixRef queries, double beta,
                                            const Eigen::VectorXd& centre, int degree) const = 0;
    virtual Index size() const = 0;
    virtual double memory_floats() const = 0;
    /// Lists the stored tokens (with their effective weights) in a view.
    virtual void describe(SketchView& view) const = 0;
    virtual void clear() = 0;
};

/// Uniform reservoir (Algorithm R) of `budget` tokens; a kept token of weight w counts
/// w * (offered / kept) times, so the residual estimate is unbiased.
class ReservoirResidualStore final : public ResidualStore {
  public:
    ReservoirResidualStore(int dim, int value_dim, Index budget, std::uint64_t seed);
    void push(const float* key, const float* value, double weight, Index position) override;
    EstimateBatch estimate_residual(ConstMatrixRef queries, double beta,
                                    const Eigen::VectorXd& centre, int degree) const override;
    Index size() const override { return cache_.size(); }
    /// Keys and values of the kept tokens plus one shared weight (n / m) and, when weights
    /// differ, one weight per token.
    double memory_floats() const override;
    void describe(SketchView& view) const override;
    void clear() override;

  private:
    Index budget_;
    Index offered_ = 0;
    bool unit_weights_ = true;
    std::uint64_t seed_;
    Rng rng_;
    WeightedCache cache_;  // weight_num = weight_den = the offered weight w
};

/// Tree shape for a merge-and-reduce residual store of at most `budget` items with requested
/// batch t: the batch actually used (t, or budget + 1 when budget < t - 1, at least 2) and the
/// number of levels L = floor((budget - (t - 1)) / ceil(t/2)), so (t - 1) + L ceil(t/2) <= budget.
/// t = 0 (auto) uses t = clamp(2 floor((budget + 1) / 6), 2, kAutoResidualBatchCap): even, so
/// L >= 4 levels fit under the cap, and the size scales with the budget
/// (merge_reduce_residual_size: about 0.55 budget on average over n from 4 budget to 4,096).
struct ResidualTreeShape {
    Index batch = 2;
    int max_levels = 0;
};
ResidualTreeShape merge_reduce_residual_shape(Index budget, Index batch);

/// Largest auto batch: above it the auto shape gets more levels instead of a bigger block.
inline constexpr Index kAutoResidualBatchCap = 4096;

/// Items a store of this shape holds after n unit-weight pushes under the `half` keep rule, with
/// h = ceil(t/2), q = floor(n/t): (n mod t) + h (popcount(q mod 2^(L-1)) + [q >= 2^(L-1)]) for
/// L >= 1 (the lower levels count in binary, the root is occupied once q reaches 2^(L-1)); for
/// L = 0 (the buffer is its own root) n while n < t, then h + (n - h) mod (t - h).
Index merge_reduce_residual_size(Index n, const ResidualTreeShape& shape);

/// Weighted merge-and-reduce coreset of the residual kernel (see the file comment). At most
/// `budget` items between pushes; every item stores its own weight.
class MergeReduceResidualStore final : public ResidualStore {
  public:
    /// `options.batch` is the requested t (clamped by merge_reduce_residual_shape); `degree` is
    /// the Taylor degree t whose residual the walk balances; `recenter`: balance around the
    /// running mean of the pushed keys (the hybrid's recenter=mean) instead of the origin.
    MergeReduceResidualStore(int dim, int value_dim, Index budget, MergeReduceOptions options,
                             int degree, double beta, bool recenter, std::uint64_t seed);
    void push(const float* key, const float* value, double weight, Index position) override;
    EstimateBatch estimate_residual(ConstMatrixRef queries, double beta,
                                    const Eigen::VectorXd& centre, int degree) const override;
    Index size() const override { return tree_.size(); }
    /// (d + d_v + 1) floats per item (key, value, weight). The running mean used for balancing
    /// is the moments' centre and is not counted twice.
    double memory_floats() const override;
    /// Lists the items (tag = merge level) and appends the tree to view.merge_trees.
    void describe(SketchView& view) const override;
    void clear() override;
    const WeightedMergeReduce& tree() const { return tree_; }
    const ResidualTreeShape& shape() const { return shape_; }

  private:
    static MergeReduceOptions shaped(MergeReduceOptions o, const ResidualTreeShape& s);
    ResidualTreeShape shape_;
    std::shared_ptr<Eigen::VectorXd> centre_;  // shared with the Gram callback
    bool recenter_;
    Eigen::VectorXd key_sum_;
    double pushed_weight_ = 0;
    WeightedMergeReduce tree_;
};

}  // namespace kvscope
