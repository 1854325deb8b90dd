// sinks_window: the "sinks + recent window + compressed middle" layout. The first `sinks` tokens
// and the last `window` tokens are kept exactly (SinksWindowLayout,
// blocks/sinks_window_layout.hpp); every token leaving the window is handed, in
// stream order and with its query, to an inner sketch (`inner`, any registered id in the list),
// and the three estimates are summed with EstimateBatch::add (numerators and denominators add,
// docs/algorithms.md 2 "Common representation").
//
// Where it comes from: BalanceKV's experiments keep 32 sink and 32 recent tokens exactly and
// compress only the middle [C] (Han et al., "BalanceKV: KV Cache Compression through
// Discrepancy Theory", arXiv:2502.07861); StreamingLLM is this wrapper with an empty middle.
// Guarantee: exact on the sinks and the window; on the middle, whatever the inner sketch
// guarantees for the sub-stream it sees (its errors add to the sums, they do not compound).
// Inner sketch: the `inner` parameter is a nested sketch (ParamKind::Sketch), written in a config
// as {"id": "kivi", "params": {"bits": 4}} or as a bare id for its defaults, and validated
// against that sketch's own specs; it is built with make_child_sketch, so it gets the seed derived
// from this one's and the label "inner". The former keys `inner_budget` and `inner_params` are
// refused with an error naming `inner`.
// Tokens kept = sinks + window + the inner sketch's retained count; there is no `budget` knob.
// Space: (sinks + window)(d + d_v) floats + window d (queries waiting for the inner sketch) +
// the inner sketch's memory. Update O(d + d_v) per token plus the inner sketch's update.
#pragma once

#include <memory>

#include "blocks/sinks_window_layout.hpp"
#include "core/registry.hpp"

namespace kvscope {

class SinksWindowSketch final : public Sketch {
  public:
    explicit SinksWindowSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

    const Sketch& inner() const { return *inner_; }

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    SinksWindowLayout layout_;
    std::unique_ptr<Sketch> inner_;
};

SketchInfo sinks_window_sketch_info();

}  // namespace kvscope
