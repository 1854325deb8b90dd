// uniform: reservoir sampling with Horvitz-Thompson weights.
//
// Keeps a uniform random sample of `budget` tokens (Vitter's algorithm R); each retained token
// carries weight n/m in both the numerator and the denominator (n seen, m kept), so both sums are
// unbiased. Guarantee: standard sampling, error ~ m^(-1/2) times a variance factor; a worst-case
// relative guarantee needs m ~ e^(2B)/eps^2 (B = beta r_q r_k). No paper beyond the classic
// reservoir; docs/algorithms.md 2.3.
// Space: m (d + d_v + 2) floats. Update O(d + d_v) per token, plus O(m) per block for weights.
#pragma once

#include "core/random.hpp"
#include "core/registry.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

class UniformSketch final : public Sketch {
  public:
    explicit UniformSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    Index budget_;
    Index seen_ = 0;
    Rng rng_;
    WeightedCache cache_;
};

SketchInfo uniform_sketch_info();

}  // namespace kvscope
