// The Polynomial tab (docs/algorithms.md §2.10): the selected sketch's TaylorView. The truncation
// error over the logit range against the Lagrange bound, the logit histogram with +-B, the error
// against degree, monomials against memory, and the recentring state. Reconstructed formulas are
// labelled [R].
#pragma once

#include "ui/panel.hpp"
#include "ui/plot.hpp"

namespace kvscope::ui {

struct PolynomialPanelState {
    PlotState trunc_error{false, true};
    PlotState logit_hist{false, false};
    PlotState degree_error{false, true, true, 14};  ///< bound, measured and target span decades
    PlotState monomials{true, true};
};

void draw_polynomial_panel(PolynomialPanelState& state, PanelContext& ctx);
/// 1 for a view with Taylor state, else 0.
int polynomial_panel_fit(const SketchView& view);
/// Session view: plots "trunc_error", "logit_hist", "degree_error" and "monomials".
void save_polynomial_view(const PolynomialPanelState& state, nlohmann::json& view);
void load_polynomial_view(const nlohmann::json& view, PolynomialPanelState& state,
                          const ViewWarn& warn);

}  // namespace kvscope::ui
