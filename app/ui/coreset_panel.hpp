// The Coreset tab: the selected sketch's retained tokens on the stream timeline, a histogram of
// their weights, and, when the sketch exposes them, its merge tree, walk trace and scalars.
#pragma once

#include "ui/panel.hpp"
#include "ui/plot.hpp"

namespace kvscope::ui {

struct CoresetPanelState {
    PlotState weights{false, false};
    PlotState walk{false, false};
};

void draw_coreset_panel(CoresetPanelState& state, PanelContext& ctx);
/// Session view: plots "weights" and "walk".
void save_coreset_view(const CoresetPanelState& state, nlohmann::json& view);
void load_coreset_view(const nlohmann::json& view, CoresetPanelState& state, const ViewWarn& warn);

}  // namespace kvscope::ui
