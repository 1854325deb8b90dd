// The Controls panel: play, step, reset, new seed, speed, the token counter, the timeline slider
// (ui/timeline.hpp), the source picker (widgets generated from the source's parameters; layer and
// head pickers for data files), and the session, export and view settings.
#pragma once

#include <string>
#include <vector>

#include "ui/panel.hpp"

namespace kvscope::ui {

/// The source the picker last copied from the running config (it follows the run when this
/// changes: an opened file, a session, an applied source).
struct SourceKey {
    std::string id;
    nlohmann::json params;
    bool operator==(const SourceKey&) const = default;
};

/// The stored shape of a keys file, read once per (path, tensor).
struct KeysProbe {
    std::string path, tensor;
    bool done = false;
    std::vector<Index> shape;
    std::string error;
};

struct ControlsPanelState {
    int source_choice = -1;  ///< index into builtin_sources(); -1 until synced
    SourceKey synced;
    nlohmann::json source_params = nlohmann::json::object();  ///< edited, then "Apply source"
    KeysProbe probe;
};

void draw_controls_panel(ControlsPanelState& state, PanelContext& ctx);

}  // namespace kvscope::ui
