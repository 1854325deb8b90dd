// The explorer's view state (kept apart from the run config and from results): plot ranges,
// selection, speed, theme. Panels edit it; commands for the engine go to `commands`.
#pragma once

#include <string>
#include <vector>

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

struct UiState {
    int selected_sketch = 0;
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
    /// Commands produced this frame; the frame loop sends them to the Runner.
    std::vector<Command> commands;
};

}  // namespace kvscope::ui
