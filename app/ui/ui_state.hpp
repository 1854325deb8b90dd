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
