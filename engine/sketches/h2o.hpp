// h2o: Heavy-Hitter Oracle eviction. Every cached token carries an accumulated attention score
// A_i += p_i(q_t), the softmax probability the stream query of token t gives it (t >= i, over the
// tokens cached when t arrives, t itself included). The cache holds `budget` tokens: the most
// recent round(recent_fraction * budget) arrivals are protected, and when over budget the
// unprotected token with the smallest A_i is evicted for good.
//
// Paper: Zhang et al., "H2O: Heavy-Hitter Oracle for Efficient Generative Inference of Large
// Language Models", arXiv:2306.14048. The even heavy/recent split (recent_fraction 0.5) is [M].
// Heuristic: no guarantee; greedy and irreversible, so a token ignored by earlier queries but
// needed later is lost (docs/algorithms.md 2.4).
// Departures: scores use the sketch's beta and the cached set only (as in the paper); kept
// tokens have weight 1 (no reweighting); a block without queries adds no score (ties evict the
// oldest unprotected token). Ties in score break toward the older token.
// Space: budget (d + d_v + 1) floats. Update O(budget d) per token (one softmax per query, in
// float; scores accumulate in double).
#pragma once

#include <deque>
#include <vector>

#include "core/registry.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

class H2oSketch final : public Sketch {
  public:
    explicit H2oSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    struct Eviction {
        Index at_token;
        Index position;
        double score;
    };
    void insert(const TokenBlock& block, Index row);
    /// Scores of the cached tokens (and the logged evictions) against the threshold.
    ScoreRankView score_rank() const;

    Index budget_;
    Index recent_;
    Index seen_ = 0;
    Index evictions_ = 0;
    WeightedCache cache_;
    std::vector<double> scores_;             ///< per slot
    std::vector<double> barrier_;            ///< per slot: +inf while in the recent window, else 0
    std::vector<Index> recent_slots_;        ///< ring by arrival: slot of each recent token
    std::deque<Eviction> recent_evictions_;  ///< newest last, at most 8
    Eigen::VectorXf weights_;                ///< scratch: logits, then softmax numerators
    Eigen::VectorXf query_;                  ///< scratch (this token's query)
};

SketchInfo h2o_sketch_info();

}  // namespace kvscope
