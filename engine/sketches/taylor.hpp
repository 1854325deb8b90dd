// taylor: the polynomial (Taylor) moment sketch, with recentering and rescaling.
//
// Keeps exact streaming moments of the degree-p truncated series of exp(beta <k - c, q>) over the
// symmetric monomial basis (TaylorMoments, taylor_moments.hpp) and answers every query by one
// contraction; the factor exp(beta <c, q>) of the centre c is the log-safe shift and cancels in
// N / Z. Deterministic, mergeable, independent of n.
//
// Papers: the polynomial method of Alman & Song (arXiv 2302.13214) and of "Towards Tight Bounds
// for Streaming Attention" (Chen, Feng, Indyk, Kapralov, Kochetkova, Prokhorov, arXiv 2606.07205;
// full text not retrieved). docs/algorithms.md 2.10.
// Guarantee [R, Lagrange remainder]: with B = beta max||q|| max||k - c||, every weight is off by
// at most e^{max(x,0)} B^{p+1}/(p+1)!, so |Z_p - Z| / Z <= e^{2B} B^{p+1}/(p+1)! and
// ||N_p - N|| <= n e^{B} B^{p+1}/(p+1)! max||v||.
// Recentering [R]: `mean` expands around the running mean of the keys; when the mean moves the
// moments are translated exactly (M2M), lazily: during appends only when the mean has moved by
// more than a quarter of the stored radius, and always to the exact current mean before a query,
// so estimates equal those of moments built around the current mean. `fixed` expands around the
// first key (centre=first_key) or the origin (centre=origin, the same as `none`).
// Rescaling [R]: stores (k - c) / rho with rho an upper bound on the stored radius and contracts
// with rho beta q; exact algebraically, it only keeps monomials O(1) in magnitude.
// Departures: the stored radius is an upper bound, max|k - k_1| + |c - k_1| with k_1 the first
// key (the origin for recenter=none), not the exact max; memory reports the moments only, C(d+p, p)
// (d_v + 1) floats, not the O(d) centre and key sum nor the diagnostic sample (64 tokens kept for
// the truncation panel). Refusal: a configuration whose moments exceed `max_floats` (default 64 Mi)
// throws std::invalid_argument at construction, before any allocation, with the count and the
// largest degree that fits. The moments are allocated on the first append. Space: C(d+p, p) (d_v +
// 1). Update O(C(d+p, p) (d_v + 1)) per token as a GEMM per block of 256; query O(C(d+p, p) (d_v +
// 1)).
#pragma once

#include "blocks/taylor_moments.hpp"
#include "core/random.hpp"
#include "core/registry.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

class TaylorSketch final : public Sketch {
  public:
    /// Throws std::invalid_argument when the moments would exceed `max_floats`.
    explicit TaylorSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;
    /// Warns when the relative Lagrange bound e^{2B} B^{p+1}/(p+1)! exceeds 1, with B = beta
    /// max||q|| (stream and estimate queries) times the stored radius bound.
    std::vector<std::string> warnings() const override;

    /// The moments (translated to the current centre and holding every token only after a
    /// query or a view: small appends are buffered).
    const TaylorMoments& moments() const { return moments_; }
    /// Upper bound on max ||k - c|| over the stored keys.
    double radius_bound() const { return radius_bound_; }

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    enum class Recenter { None, Mean, Fixed };
    void move_centre(const Eigen::VectorXd& centre) const;
    /// Adds buffered small appends to the moments (one GEMM instead of many rank-1 updates).
    void flush() const;
    Eigen::VectorXd mean() const;

    int degree_;
    Recenter recenter_;
    bool first_key_centre_;
    bool rescale_;
    double target_eps_;
    Index seen_ = 0;
    Eigen::VectorXd key_sum_;
    Eigen::VectorXd reference_;  // fixed point: ref_radius_ = max |k - reference_| exactly
    double ref_radius_ = 0;
    mutable TaylorMoments moments_;
    mutable Matrix pending_keys_;    // [kBuffer x d] raw keys of small appends not yet added
    mutable Matrix pending_values_;  // [kBuffer x d_v]
    mutable Index pending_ = 0;
    mutable double radius_bound_ = 0;  // ref_radius_ + |centre - reference_|
    mutable double query_norm_max_ = 0;
    double stream_query_norm_max_ = 0;  // max ||q|| over the stream's own queries
    mutable Matrix recent_queries_;     // up to 32 rows, for the truncation panel
    Rng rng_;
    WeightedCache sample_;  // diagnostic reservoir of kSample tokens
};

SketchInfo taylor_sketch_info();

}  // namespace kvscope
