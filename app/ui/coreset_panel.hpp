// The Coreset tab: the selected sketch's retained tokens on the stream timeline, a histogram of
// their weights, and, when the sketch exposes them, its merge tree, walk trace, scores against
// the eviction threshold, quantization ranges and logit error (ui/sketch_views.hpp), and scalars.
#pragma once

#include "ui/panel.hpp"
#include "ui/plot.hpp"

namespace kvscope::ui {

struct CoresetPanelState {
    PlotState weights{false, false};
    PlotState walk{false, false};       ///< p(+1) of the walk's steps
    PlotState walk_bias{false, false};  ///< the bias s_j, its own axis under walk
    PlotState scores{false, true};      ///< score-ranked eviction (h2o, snapkv), log y
    PlotState channel_ranges{false, false};
    PlotState channel_error{false, false};
    PlotState logits{false, false};  ///< estimated against exact logits (qjl)
};

void draw_coreset_panel(CoresetPanelState& state, PanelContext& ctx);
/// Session view: plots "weights", "walk", "walk_bias", "scores", "channel_ranges",
/// "channel_error" and "logits".
void save_coreset_view(const CoresetPanelState& state, nlohmann::json& view);
void load_coreset_view(const nlohmann::json& view, CoresetPanelState& state, const ViewWarn& warn);

}  // namespace kvscope::ui
