// The explorer's view state (kept apart from the run config and from results): plot ranges,
// selection, speed, theme. Panels edit it; commands for the engine go to `commands`.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "gfx/embedding_scene.hpp"
#include "session/runner.hpp"
#include "ui/plot.hpp"

namespace kvscope::ui {

enum class Theme { Dark, Light, Projector };

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
    nlohmann::json source_params = nlohmann::json::object();
    int add_choice = 0;
    int error_metric = 0;  ///< index into the error panel's metric list
    PlotState error_time{false, true};
    PlotState error_memory{true, true};
    PlotState split_errors{false, true};
    PlotState weights{false, false};
    PlotState walk{false, false};
    /// Commands produced this frame; the frame loop sends them to the Runner.
    std::vector<Command> commands;
};

}  // namespace kvscope::ui
