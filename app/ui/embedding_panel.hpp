// The Embedding view: projected keys (and the current query as an arrow) drawn by the GL renderer
// into a texture shown here with ImGui::Image; colour modes, size by weight, the kernel field,
// refit, 2-D / 3-D orbit, zoom and pan, legend and colour bars, hover readout. The scene it hands
// to the renderer (PanelContext::scenes) is built by app/scene/embedding_builder.hpp.
#pragma once

#include <memory>
#include <optional>

#include "scene/embedding_builder.hpp"
#include "ui/eviction_tracker.hpp"
#include "ui/panel.hpp"

namespace kvscope::ui {

/// What the point colours were last built from.
struct PointsKey {
    scene::ContentKey content;
    int sketch = -1;
    scene::PointOptions options;
    bool operator==(const PointsKey&) const = default;
};

struct EmbeddingPanelState {
    scene::PointOptions points;
    scene::Camera camera;
    bool field = true;
    int field_mode = 0;  ///< 0 exact cache, 1 selected sketch, 2 log(sketch / exact)
    bool show_query = true;
    bool show_hyperplanes = true;
    bool show_probes = false;
    // Caches (not view options).
    std::shared_ptr<const EmbeddingData> data;  ///< keeps the scene's xyz alive
    std::optional<PointsKey> points_built;
    scene::PointSummary summary;  ///< weight range and retained slot per token
    scene::FieldCache field_built;
    bool hover_owned = false;   ///< Selection::hovered_token was set by this panel
    EvictionTracker evictions;  ///< when each token left each sketch (the hover's answer)
};

void draw_embedding_panel(EmbeddingPanelState& state, PanelContext& ctx);
/// Session view: "embedding" {colour_by, size_by_weight, field, field_mode, three_d, show_query,
/// show_hyperplanes, show_probes, auto_fit, zoom, centre, yaw, pitch}.
void save_embedding_view(const EmbeddingPanelState& state, nlohmann::json& view);
void load_embedding_view(const nlohmann::json& view, EmbeddingPanelState& state,
                         const ViewWarn& warn);

}  // namespace kvscope::ui
