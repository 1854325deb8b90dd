// The Buckets tab (docs/algorithms.md §2.12): the selected sketch's BucketView. Occupancy (or
// radius, memory, share of Z) per bucket as bars coloured with bucket_colour (the embedding view
// colours tokens the same way), the current and recent queries' shares of Z per bucket as stacked
// bars, the collision rate, and a table of every bucket. Only what the sketch reports is shown
// (balance_kv's value-norm classes have no hash family, summary, memory or shares; their norm
// bounds get columns of their own).
#pragma once

#include <string>
#include <vector>

#include "ui/panel.hpp"

namespace kvscope::ui {

struct BucketPanelState {
    int measure = 0;  ///< bars: 0 count, 1 radius, 2 memory, 3 share of Z
    bool log_scale = false;
};

void draw_bucket_panel(BucketPanelState& state, PanelContext& ctx);
/// The bucket table's column titles: "bucket", then only the columns the sketch reports, each
/// titled by what it holds; value-norm classes (BucketView::value_norm_lo) get "class", "items
/// kept", "‖v‖ from" and "‖v‖ below".
std::vector<std::string> bucket_table_columns(const BucketView& buckets);
/// 2 for a view with buckets and no merge tree (the tab to show it in), else 0.
int bucket_panel_fit(const SketchView& view);

}  // namespace kvscope::ui
