// The explorer's view state (kept apart from the run config and from results): plot ranges,
// selection, speed, theme. Panels edit it; commands for the engine go to `commands`.
#pragma once

#include <string>
#include <vector>

#include "session/runner.hpp"
#include "ui/plot.hpp"

namespace kvscope::ui {

enum class Theme { Dark, Light, Projector };

struct UiState {
    int selected_sketch = 0;
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
