// sliding_window: keeps the last `budget` tokens exactly (a ring buffer), weight 1.
//
// The classic window-attention baseline (docs/algorithms.md 2.2). Heuristic: no approximation
// guarantee; it fails as soon as mass sits outside the window (attention sinks, needles).
// Haris-Onak show Theta(d W) space is needed for exact sliding-window attention, which this
// trivially meets. Departures: none (no RoPE re-indexing; kvscope has no positions in keys).
// Space: budget (d + d_v) floats. Update O(d + d_v) per token.
#pragma once

#include "core/registry.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

class SlidingWindowSketch final : public Sketch {
  public:
    explicit SlidingWindowSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    Index budget_;
    Index seen_ = 0;
    WeightedCache cache_;
};

SketchInfo sliding_window_sketch_info();

}  // namespace kvscope
