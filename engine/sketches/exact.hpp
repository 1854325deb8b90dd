// exact: the full KV cache, the ground truth every other sketch is compared against.
//
// Guarantee: none needed; error 0 up to floating point (logits and sums in double).
// Space: n (d + d_v) floats. Query: O(n (d + d_v)) per query, as one GEMM per batch.
#pragma once

#include "core/registry.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

class ExactSketch final : public Sketch {
  public:
    explicit ExactSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    WeightedCache cache_;
};

SketchInfo exact_sketch_info();

}  // namespace kvscope
