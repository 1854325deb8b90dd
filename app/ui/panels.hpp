// The explorer's panels: free functions, one file each, drawing from an immutable Snapshot and
// the view state. Engine commands go to UiState::commands. No GL calls here.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

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
/// One row of the file browser's listing.
struct BrowserEntry {
    std::string name;
    bool is_directory = false;
    std::uintmax_t bytes = 0;
};
/// True for the extensions kvscope opens (.json sessions, .npy .npz .safetensors .csv data).
bool is_openable_file(const std::string& path);
/// Folders first, then openable files, by name; hidden entries skipped. On failure `error`
/// names the directory and the reason and the list is empty.
std::vector<BrowserEntry> list_directory(const std::string& directory, std::string& error);
/// The file browser window (Ctrl+O); picking a file sets UiState::request_open.
void draw_file_browser(UiState& ui);

/// The selected sketch's buckets (BucketView): occupancy bars coloured by bucket id, shares of Z
/// per bucket for the current and recent queries, collision rate, a table of every bucket.
void draw_bucket_panel(const Snapshot& snap, UiState& ui);
/// The selected sketch's Taylor state (TaylorView): truncation error against the Lagrange bound
/// over the logit range, the logit histogram with +-B, error against degree, monomials against
/// memory, recentring and rescaling.
void draw_polynomial_panel(const Snapshot& snap, UiState& ui);
/// The right column: tabs Coreset / Buckets / Polynomial. When the selected sketch changes, the
/// tab that fits it is selected (buckets, else Taylor state, else coreset); the user may switch.
void draw_internals_panel(const Snapshot& snap, UiState& ui);
/// The tab that fits a view: 1 (Buckets) with buckets, 2 (Polynomial) with Taylor state, else 0.
int preferred_internals_tab(const SketchView& view);
/// Tab index of a name ("coreset", "buckets", "polynomial"), or -1.
int internals_tab_index(const std::string& name);
/// Applies a session's optional view state: {"tab": "polynomial", "selected_sketch": 2}.
/// Unknown or malformed fields are ignored.
void apply_view_state(const nlohmann::json& view, UiState& ui);
/// Writes the view state apply_view_state reads ("tab", "selected_sketch") into `view`, keeping
/// its other fields (for session save and screenshot sidecars).
void store_view_state(const UiState& ui, nlohmann::json& view);
/// A square in sketch `index`'s category colour, followed by SameLine (panel headers, pickers).
void sketch_swatch(int index);
/// A small "CSV" button: on click writes `text()` to kvscope_<panel>_NNNN.csv in the working
/// directory and reports the path (or the error) on the status line; `tip` shows on hover.
void csv_button(UiState& ui, const char* panel, const std::function<std::string()>& text,
                const char* tip);
/// Buttons selecting each running sketch whose view passes `has` (or a note when none does).
void draw_sketch_picker(const Snapshot& snap, UiState& ui, bool (*has)(const SketchView&),
                        const char* what);
/// The selected sketch (UiState::selected_sketch clamped to the running ones), or nullptr with
/// a "no sketch running" note drawn when there is none.
const SketchSnapshot* selected_sketch(const Snapshot& snap, UiState& ui);

/// Shortcut list (F1).
void draw_help_overlay(UiState& ui);
/// One line at the bottom: tokens, status, the last error.
void draw_status_line(const Snapshot& snap, const UiState& ui);

}  // namespace kvscope::ui
