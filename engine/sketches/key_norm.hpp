// key_norm: keeps the `budget` tokens with the smallest (or largest) key norms seen so far,
// weight 1.
//
// Paper: Devoto, Zhao, Scardapane, Minervini, "A Simple and Effective L2 Norm-Based Strategy for
// KV Cache Compression", arXiv:2406.11430 (keep = smallest, their finding on real models).
// `largest` is the opposite rule, useful where large-norm keys carry the mass (needles).
// Heuristic: query-agnostic but content-based; no guarantee.
// Departures: the paper compresses once per layer/head; here it is a streaming top-k (a token
// enters when it beats the current worst kept one). Ties keep the older token.
// Space: budget (d + d_v + 1) floats. Update O(d) per token, O(budget) per replacement.
#pragma once

#include <vector>

#include "core/registry.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

class KeyNormSketch final : public Sketch {
  public:
    explicit KeyNormSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    /// Signed so that larger is always better: -norm for `smallest`, +norm for `largest`.
    double merit(double norm) const { return keep_largest_ ? norm : -norm; }
    void find_worst();

    Index budget_;
    bool keep_largest_;
    Index seen_ = 0;
    Index replacements_ = 0;
    WeightedCache cache_;
    std::vector<double> norms_;  ///< per slot
    Index worst_ = -1;           ///< slot with the lowest merit
};

SketchInfo key_norm_sketch_info();

}  // namespace kvscope
