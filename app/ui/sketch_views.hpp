// The per-sketch plots of the Coreset tab (issue 12, "a view for every sketch"): a score-ranked
// eviction against its threshold and protected window (h2o, snapkv), a quantizer's ranges and
// error per channel (kivi), and estimated against exact logits (qjl, kivi). Drawn from the
// sketch's SketchView with the plot widget (ui/plot.hpp); nothing here keeps state.
#pragma once

#include <string>
#include <vector>

#include "core/sketch_view.hpp"
#include "ui/plot.hpp"

namespace kvscope::ui {

/// Scores of a score-ranked eviction over stream positions: kept and evicted candidates as
/// points, the threshold as a labelled line, the protected window as a labelled band; then the
/// logged evictions in words. Plot height `height` pixels.
void draw_score_rank(const ScoreRankView& rank, PlotState& plot, float height);

/// A quantizer's per-channel key ranges under per-channel and per-token statistics (one plot) and
/// its RMS key error per channel (a second plot); nothing when the view has no channel data.
void draw_channel_ranges(const QuantView& quant, PlotState& ranges, PlotState& error, float height);

/// Estimated against exact logits (estimate = exact + distortion) with the line y = x, and their
/// correlation and RMS error; nothing when the view has no exact logits.
void draw_logit_scatter(const QuantView& quant, PlotState& plot, float height);

/// Pearson correlation of a and b over their common length (NaN when it is undefined: fewer
/// than two samples or a constant series).
double correlation(const std::vector<double>& a, const std::vector<double>& b);

/// The sentence the Coreset tab says for one logged eviction of a score-ranked sketch, e.g.
/// "token 812 left at token 2049: accumulated attention A_i = 0.0132, the lowest outside the
/// recent window".
std::string eviction_sentence(const ScoreRankView& rank, std::size_t i);

}  // namespace kvscope::ui
