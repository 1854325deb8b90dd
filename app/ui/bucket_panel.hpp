// The Buckets tab (docs/algorithms.md §2.12): the selected sketch's BucketView. Occupancy (or
// radius, memory, share of Z) per bucket as bars coloured with bucket_colour (the embedding view
// colours tokens the same way), the current and recent queries' shares of Z per bucket as stacked
// bars, the collision rate, and a table of every bucket.
#pragma once

#include "ui/panel.hpp"

namespace kvscope::ui {

struct BucketPanelState {
    int measure = 0;  ///< bars: 0 count, 1 radius, 2 memory, 3 share of Z
    bool log_scale = false;
};

void draw_bucket_panel(BucketPanelState& state, PanelContext& ctx);
/// 2 for a view with buckets and no merge tree (the tab to show it in), else 0.
int bucket_panel_fit(const SketchView& view);

}  // namespace kvscope::ui
