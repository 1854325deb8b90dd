// snapkv: query-aware top-k selection by pooled attention from an observation window of recent
// queries, re-run periodically in a stream.
//
// Paper: Li et al., "SnapKV: LLM Knows What You are Looking for Before Generation",
// arXiv:2404.14469. Defaults window 32, kernel 5 with average pooling follow the BalanceKV repo's
// benchmark arguments [C]; docs/algorithms.md 2.4. Heuristic: no guarantee; selection is
// irreversible, so tokens the observation window ignores are lost even if later queries need
// them.
// Departure from the one-shot original (selection once, at the end of prefill): in a stream the
// cache is re-selected whenever it is full, i.e. every s = min(eval_every, max(1, budget / 2))
// tokens once `budget` tokens are held. A selection scores each cached token by the sum, over
// the last `window` stream queries, of that query's softmax probability over the cached tokens
// (causal: a query only sees tokens up to its own position), smooths the scores along the
// cached tokens in position order with a 1-D pooling of width `kernel` (avg or max), keeps the
// tokens of the observation window itself, and fills the rest up to budget - s with the top
// pooled scores (ties toward the newer token). Kept tokens have weight 1.
// Space: budget (d + d_v) + window d floats (the observation queries). Update amortised
// O(window budget d / s) per token.
#pragma once

#include <vector>

#include "core/registry.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

class SnapKvSketch final : public Sketch {
  public:
    explicit SnapKvSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    void select(Index keep, Index newest_position);
    /// Keeps the last selection's candidates, pooled scores and window for the view.
    void record_selection(const std::vector<double>& pooled, const std::vector<Index>& kept,
                          Index protect_from, Index newest_position);

    Index budget_;
    Index window_;
    Index kernel_;
    bool max_pool_;
    Index slack_;  ///< tokens admitted between selections
    Index seen_ = 0;
    Index selections_ = 0;
    WeightedCache cache_;
    Matrix window_queries_;              ///< ring of the last `window` queries [window x d]
    std::vector<Index> query_position_;  ///< stream position of each ring row, -1 when empty
    std::vector<double> last_scores_;    ///< pooled score per slot at the last selection
    ScoreRankView selection_;            ///< every candidate of the last selection
};

SketchInfo snapkv_sketch_info();

}  // namespace kvscope
