// The Sketches panel: each running sketch with its colour, tokens kept and memory, live parameter
// widgets generated from its ParamSpecs, remove, move up or down, and add.
#pragma once

#include "ui/panel.hpp"

namespace kvscope::ui {

struct SketchesPanelState {
    int add_choice = 0;  ///< index into builtin_sketches() for "Add sketch"
};

void draw_sketches_panel(SketchesPanelState& state, PanelContext& ctx);

}  // namespace kvscope::ui
