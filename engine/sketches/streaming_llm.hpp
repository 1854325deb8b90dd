// streaming_llm: attention sinks plus a sliding window. Keeps the first `sinks` tokens and the
// last budget - sinks tokens exactly (weight 1).
//
// Paper: Xiao, Tian, Chen, Han, Lewis, "Efficient Streaming Language Models with Attention
// Sinks", arXiv:2309.17453. Default S = 4 sinks [M]. Heuristic: no approximation guarantee; it
// works because real models park a large share of softmax mass on the first tokens whatever
// their content (docs/algorithms.md 2.2).
// Departures: `budget` counts every kept token (S + W), so it compares with other subset
// sketches at equal memory; when budget <= sinks only the first `budget` tokens are kept (no
// window). No RoPE position re-indexing (kvscope keys carry no positions).
// Space: budget (d + d_v) floats. Update O(d + d_v) per token.
#pragma once

#include "core/registry.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

class StreamingLlmSketch final : public Sketch {
  public:
    explicit StreamingLlmSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    Index sinks_;   ///< effective sink count, min(sinks, budget)
    Index window_;  ///< budget - sinks_
    Index seen_ = 0;
    WeightedCache cache_;  ///< slots [0, sinks_) sinks (tag 1), then a ring of window_ (tag 0)
};

SketchInfo streaming_llm_sketch_info();

}  // namespace kvscope
