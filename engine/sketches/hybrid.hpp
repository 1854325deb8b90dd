// hybrid [R]: exact low-degree Taylor moments plus a coreset of the residual kernel, the
// high-temperature scheme of "Towards Tight Bounds for Streaming Attention" (Chen, Feng, Indyk,
// Kapralov, Kochetkova, Prokhorov, arXiv 2606.07205) AS RECONSTRUCTED in ALGORITHMS.md 2.11.
// The paper's full text was not available; everything below is a reconstruction.
//
// Split e^x = T_t(x) + r_t(x) with T_t the degree-t Taylor polynomial and x = beta <k - c, q>:
//   - T_t part: exact streaming moments (TaylorMoments via the `taylor` sketch: recentred on the
//     running mean and rescaled, C(d+t, t)(d_v + 1) floats);
//   - r_t part: a ResidualStore (residual_store.hpp) of sampled tokens whose contribution
//     w r_t(x) [v, 1] is added at query time. r_t(x) ~ x^{t+1}/(t+1)! is small at high
//     temperature, so the sampling error shrinks by that factor against plain sampling.
// Both parts are combined in log space (EstimateBatch::add); the residual may be negative.
// Departures from the paper (as far as it is known):
//   - the residual store is a uniform reservoir with Horvitz-Thompson weights, not the weighted
//     merge-and-reduce with a discrepancy walk on the residual kernel; it sits behind the
//     ResidualStore interface so the discrepancy branch's coreset can replace it;
//   - no space partitioning inside the hybrid (large radius): use `lsh_partition` with `taylor`
//     bucket summaries for the recentred-and-rescaled parts.
// Guarantee: none proved here. Unbiased (the moments are exact, the reservoir is unbiased);
// heuristic space formula hybrid_space_curve() (ALGORITHMS.md 2.11/3.1, "heuristic
// reconstruction").
// Space: C(d+t, t)(d_v + 1) + m (d + d_v) + 1 floats. Update O(C(d+t,t) d_v) per token; query
// O(C(d+t,t) d_v + m (d + d_v)).
#pragma once

#include <memory>

#include "core/registry.hpp"
#include "sketches/residual_store.hpp"
#include "sketches/taylor.hpp"

namespace kvscope {

class HybridSketch final : public Sketch {
  public:
    /// Throws std::invalid_argument when the moments exceed `max_floats`.
    explicit HybridSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    int degree_;
    Index seen_ = 0;
    std::unique_ptr<TaylorSketch> moments_;
    std::unique_ptr<ResidualStore> residual_;
    mutable std::vector<double> low_share_;  // |Z_lo| / (|Z_lo| + |Z_hi|) per recent query
};

SketchInfo hybrid_sketch_info();

/// Heuristic reconstruction (ALGORITHMS.md 2.11): min over t of
/// C(d+t,t)(d_v+1) + m_t (d + d_v) [x log(n/m_t)], m_t = sqrt(d_v) e_{>t}(B) e^B / eps.
TheoryCurve hybrid_space_curve();
/// The t that minimises the heuristic (-1: no moments) for the given inputs.
int hybrid_best_degree(const TheoryInputs& in);

}  // namespace kvscope
