// The explorer's panels: free functions, one file each, drawing from an immutable Snapshot and
// the view state. Engine commands go to UiState::commands. No GL calls here.
#pragma once

#include <string>

#include "session/runner.hpp"
#include "ui/ui_state.hpp"

namespace kvscope::ui {

/// A short name for a sketch instance: its label and the parameters that differ from their
/// defaults, e.g. "balance_kv batch=128".
std::string short_name(const SketchInstanceSpec& spec);

/// Play/pause/step/reset/new seed, speed, token counter, source picker.
void draw_controls_panel(const Snapshot& snap, UiState& ui);
/// The running sketches: colour, parameters (live, from ParamSpecs), add, remove, reorder.
void draw_sketches_panel(const Snapshot& snap, UiState& ui);
/// Error against tokens per sketch, numerator/denominator errors, error against memory (log-log)
/// with reference slopes.
void draw_error_panel(const Snapshot& snap, UiState& ui);
/// Keys projected to 2-D / 3-D (PCA, frozen basis), coloured by retention, weight, tag, bucket;
/// the kernel field in 2-D; hover readout. Fills ui.embedding.scene for the GL renderer.
void draw_embedding_panel(const Snapshot& snap, UiState& ui);
/// The selected sketch's retained tokens on the token timeline, weights, merge tree, walk.
void draw_coreset_panel(const Snapshot& snap, UiState& ui);
/// Shortcut list (F1).
void draw_help_overlay(UiState& ui);
/// One line at the bottom: tokens, status, the last error.
void draw_status_line(const Snapshot& snap, const UiState& ui);

}  // namespace kvscope::ui
