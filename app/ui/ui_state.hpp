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
