// uniform_halving: repeated random halving, the discrepancy methods' control.
//
// The stream is sampled at rate 2^-r with weight 2^r. Whenever more than `budget` tokens are held,
// every token gets an independent random sign, one colour (chosen by a fair coin) is kept and the
// weights double (r -> r + 1). This is SoftmaxBalance with walk strength gamma = 0 (BalanceKV's
// uniform baseline, docs/algorithms.md 2.3): each token survives with probability exactly 2^-r, so
// numerator and denominator are unbiased, with sampling-quality error ~ m^(-1/2).
// Departure: BalanceKV's code halves to exactly half with a prefix rule; independent signs keep
// the estimate exactly unbiased and the kept count stays <= budget.
// Space: <= budget (d + d_v) floats + 1. Update O(d + d_v) amortised per token.
#pragma once

#include "core/random.hpp"
#include "core/registry.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

class UniformHalvingSketch final : public Sketch {
  public:
    explicit UniformHalvingSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    void halve();

    Index budget_;
    Index seen_ = 0;
    int round_ = 0;  ///< r: current weight is 2^r
    Index halvings_ = 0;
    Rng rng_;
    WeightedCache cache_;
};

SketchInfo uniform_halving_sketch_info();

}  // namespace kvscope
