// The timeline slider of the Controls panel: scrubs the whole scene back to any past evaluation
// point of the run and forward again (command::Seek; the Runner replays the stored stream, so
// the embedding, kept set, weights, merge trees, buckets and the plots' cursor show that point).
// The metric history stays whole: the plots keep the full run with a cursor where the scene is.
#pragma once

#include <vector>

#include "ui/panel.hpp"

namespace kvscope::ui {

/// The positions the slider stops at, ascending: 0, every evaluation point of the history up to
/// the live end, and the live end (Session::seek_points as the snapshot shows them).
std::vector<Index> timeline_points(const Snapshot& snap);

/// Draws the slider (its last item) and, while rewound, a "Live" button before it; sends one
/// Seek per position the slider is moved to.
void draw_timeline(PanelContext& ctx);

}  // namespace kvscope::ui
