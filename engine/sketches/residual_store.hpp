// ResidualStore: a weighted token store that estimates the residual kernel of a degree-t Taylor
// expansion, r_t(x) = e^x - T_t(x), for the `hybrid` sketch [R].
//
// The interface (push(k, v, w), estimate_residual(Q)) is what a weighted merge-and-reduce coreset
// with the residual balancing kernel (ALGORITHMS.md 2.9, 2.11) will implement; until that lands
// (discrepancy branch) the only implementation is a uniform reservoir with Horvitz-Thompson
// weights, which is unbiased but has sampling error ~ m^(-1/2).
#pragma once

#include <memory>

#include "core/random.hpp"
#include "core/sketch_view.hpp"
#include "core/types.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

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

}  // namespace kvscope
