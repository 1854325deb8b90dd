// The Source sweep tab (beside Attention error): for a config whose source sweeps a parameter
// (every layer and head of a real model, a radius, a temperature), the final error of every
// sketch against the swept parameter. The explorer streams one source instance live; this tab
// runs all of them headless in the background (engine/session/source_sweep_run.hpp), the same
// sessions `kvscope run` evaluates, and plots them as they finish.
#pragma once

#include <memory>

#include "session/source_sweep_run.hpp"
#include "ui/panel.hpp"
#include "ui/plot.hpp"

namespace kvscope::ui {

struct SourceSweepPanelState {
    int metric = 2;  ///< index into error_metrics(); eps_fro
    PlotState plot{false, true};
    std::unique_ptr<SourceSweepRun> run;  ///< the background run, or null
    /// The sweep whose instances were counted for the Run button, and the count (expanding an
    /// "all" sweep reads a file header: once per opened config, not every frame).
    std::shared_ptr<const RunConfig> counted;
    std::size_t instance_count = 0;
};

void draw_source_sweep_panel(SourceSweepPanelState& state, PanelContext& ctx);

/// The plot's data: one series per sketch instance, its final `metric` on every finished source
/// instance, x = the swept value (one numeric key) or the instance's number (1..N).
struct SweepSeries {
    int instance = 0;
    std::string label;
    std::vector<double> x, y;
};
std::vector<SweepSeries> sweep_series(const SourceSweepProgress& progress,
                                      const std::vector<double>& numeric_x, int metric);

}  // namespace kvscope::ui
