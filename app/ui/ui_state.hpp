// The explorer's view state (kept apart from the run config and from results): plot ranges,
// selection, speed, theme. Panels edit it; commands for the engine go to `commands`.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "scene/embedding_scene.hpp"
#include "session/runner.hpp"
#include "ui/plot.hpp"

namespace kvscope::ui {

enum class Theme { Dark, Light, HighContrast };

/// The built-in file browser (Ctrl+O): a directory listing filtered to what kvscope opens.
struct FileBrowserState {
    bool open = false;
    std::string directory;  ///< "" = the working directory
    std::string error;      ///< why the directory could not be listed
    char path_input[1024] = {};
};

/// What colours the points of the embedding view.
enum class EmbedColour { Retained, Weight, Tag, Bucket, KeyNorm, Age, Count };

/// View state of the embedding panel, plus the per-frame scene it hands to the GL renderer and
/// the renderer's answer (texture, field ranges, errors). Caches are keyed on snapshot versions.
struct EmbeddingViewState {
    EmbedColour colour_by = EmbedColour::Retained;
    bool size_by_weight = true;
    bool field = true;
    int field_mode = 0;  ///< 0 exact cache, 1 selected sketch, 2 log(sketch / exact)
    bool three_d = false;
    bool show_query = true;
    bool show_hyperplanes = true;
    bool show_probes = false;
    float point_size = 3.0f;
    // View: auto-fit to the data until the user zooms or pans; double-click refits.
    bool auto_fit = true;
    float zoom = 1.0f;                ///< multiplies the fitted scale
    float centre[3] = {0, 0, 0};      ///< centred coordinates at the image centre
    float yaw = 0.6f, pitch = 0.35f;  ///< 3-D orbit (radians)
    // Caches (not view options).
    std::shared_ptr<const EmbeddingData> data;  ///< keeps scene.xyz alive
    std::string attr_content;        ///< what the colours were built from (content_key + mode)
    std::string field_content;       ///< what the field entries were built from
    std::vector<int> slot_of_token;  ///< retained index per stream position
    double field_built_at = -1;      ///< ImGui time of the last field rebuild
    int field_key = -1;
    std::array<float, 4> field_rect_built{};
    bool field_sketch_binned = false;    ///< the sketch's field entries were binned
    float weight_lo = 1, weight_hi = 1;  ///< den weight range of the retained tokens
    bool hover_owned = false;            ///< hovered_token was set by this panel
    gfx::EmbeddingScene scene;
    gfx::EmbeddingOutput output;
};

struct UiState {
    int selected_sketch = 0;
    /// Token under the mouse in any panel (-1 when none); every panel highlights it.
    Index hovered_token = -1;
    EmbeddingViewState embedding;
    Index speed = 64;  ///< tokens per tick while playing
    Theme theme = Theme::Dark;
    float ui_scale = 1.0f;
    bool show_help = false;
    std::string status;  ///< last message for the status line
    // Source picker scratch (edited, then applied with "Apply source").
    int source_choice = -1;
    std::string synced_source;  ///< the running source the picker last copied
    nlohmann::json source_params = nlohmann::json::object();
    int add_choice = 0;
    int error_metric = 0;  ///< index into the error panel's metric list
    PlotState error_time{false, true};
    PlotState error_memory{true, true};
    PlotState split_errors{false, true};
    PlotState weights{false, false};
    PlotState walk{false, false};
    int screenshot_scale = 1;        ///< 1 or 2: 2 renders offscreen at twice the window size
    bool screenshot_with_ui = true;  ///< false: only the views (no controls, no status line)
    /// Requests for the frame loop (files and GL live there, not in the panels).
    bool request_screenshot = false;
    bool request_save = false;
    bool request_restore = false;
    bool request_export_csv = false;
    std::string request_open;  ///< a session (.json) or data file to open, "" when none
    FileBrowserState browser;
    /// Layer/head picker: the stored shape of the chosen keys file (probed once per path).
    std::string probed_path;
    std::vector<Index> probed_shape;
    std::string probe_error;
    // Error panel theory overlays (ALGORITHMS.md 3).
    bool show_theory = true;
    bool theory_fit = false;  ///< draw theory curves over their whole range, not near the data
    bool theory_log_factors = false;
    double theory_B = 0;  ///< logit bound for the curves; 0: estimated from the run
    // "Sketch internals" window: tab 0 Coreset, 1 Buckets, 2 Polynomial.
    int internals_tab = 0;
    int requested_tab = -1;             ///< set by code (session view, auto-select); -1: none
    std::string internals_selected_id;  ///< sketch the tab was last auto-chosen for
    int internals_selected = -1;
    bool tab_pinned = false;  ///< the session's view named a tab: keep it for the first sketch
    // Bucket and polynomial panels.
    int bucket_measure = 0;  ///< bars: 0 count, 1 radius, 2 memory, 3 share of Z
    bool bucket_log_counts = false;
    PlotState trunc_error{false, true};
    PlotState logit_hist{false, false};
    PlotState degree_error{false, true, true, 14};  ///< bound, measured and target span decades
    PlotState monomials{true, true};
    /// Commands produced this frame; the frame loop sends them to the Runner.
    std::vector<Command> commands;
};

}  // namespace kvscope::ui
