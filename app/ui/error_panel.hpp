// The Attention error panel: the chosen metric against tokens seen, per sketch, and against
// memory on log-log axes with reference slopes and the theory curves (docs/algorithms.md §3).
#pragma once

#include "ui/panel.hpp"
#include "ui/pins.hpp"
#include "ui/plot.hpp"

namespace kvscope::ui {

struct ErrorPanelState {
    /// Index into error_metrics(). The default is eps_fro: scale-free, one number per sketch
    /// (README "Lessons": why not rel_err).
    int metric = 2;
    bool show_theory = true;
    bool theory_fit = false;  ///< draw theory curves over their whole range, not near the data
    bool theory_log_factors = false;
    double theory_B = 0;  ///< logit bound for the curves; 0: estimated from the run
    /// Pinned curves, drawn as ghosts beside the live ones (ui/pins.hpp); not saved.
    std::vector<PinnedCurve> pins;
    int scene_pins = 0;  ///< whole-scene pins made so far (names "scene pin N")
    PlotState time{false, true};
    PlotState memory{true, true};
};

void draw_error_panel(ErrorPanelState& state, PanelContext& ctx);
/// rel_err / num_err at the latest evaluation, the median over the non-exact sketches (NaN when
/// there is none): about max ||v|| / ||a||, large when the exact output is short next to the
/// values it averages (zero-mean values cancel), not when attention is merely sharp.
double output_smallness(const Snapshot& snap);
/// Session view: "error_metric" (a metric's CSV key; an index into error_metrics() from older
/// files is still read),
/// "show_theory", plots "error_time" and "error_memory".
void save_error_view(const ErrorPanelState& state, nlohmann::json& view);
void load_error_view(const nlohmann::json& view, ErrorPanelState& state, const ViewWarn& warn);

}  // namespace kvscope::ui
