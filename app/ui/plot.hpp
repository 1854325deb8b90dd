// A small plot widget over ImDrawList, with an ImPlot-like shape (ImPlot is not packaged):
//
//   if (ui::begin_plot("errors", state, size, "tokens", "rel_err")) {
//       ui::plot_line("uniform", xs, ys, n, colour);
//       ui::end_plot();
//   }
//
// Lines, scatter and histograms; wheel zoom, left-drag pan, right-drag box zoom, double-click to
// fit; log axes; legend entries toggle series; hover shows the nearest sample; long series are
// decimated per pixel column (min and max kept); NaN samples break the line and are marked with
// a red tick on the top edge and counted in the legend, never hidden. Margins are measured from
// the tick labels (none is clipped by the frame; an x label that would touch a y label is
// dropped) and every size follows the font, so a 2x export has the proportions of 1x. A legend
// entry too wide for its place is cut with "…", keeping a tail after two spaces (a fitted slope).
#pragma once

#include <imgui.h>

#include "figure/ticks.hpp"

#include <string>
#include <vector>

namespace kvscope::ui {

/// View state of one plot, kept by the caller between frames (saved with the session's view).
struct PlotState {
    bool log_x = false;
    bool log_y = false;
    bool auto_fit = true;  ///< refit to the data every frame until the user zooms or pans
    /// On a log y axis, auto-fit shows at most this many decades below the largest value, so a
    /// few values at rounding level (1e-16) do not squash the rest; zoom out to see them.
    double max_log_decades = 8;
    double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
    std::vector<std::string> hidden;  ///< legend labels switched off
};

/// Starts a plot filling `size` (0 = available width / 250 px). Returns false when clipped.
bool begin_plot(const char* id, PlotState& state, ImVec2 size, const char* x_label,
                const char* y_label);
/// Adds a line series; `count` samples at xs[i], ys[i]. Copies the data (O(count)).
void plot_line(const char* label, const double* xs, const double* ys, int count, ImU32 colour);
/// Adds a scatter series (markers only).
void plot_scatter(const char* label, const double* xs, const double* ys, int count, ImU32 colour);
/// Adds a histogram of `values` with `bins` equal bins over their range.
void plot_histogram(const char* label, const double* values, int count, int bins, ImU32 colour);
/// Adds a vertical marker line at x (e.g. +-B).
void plot_vline(const char* label, double x, ImU32 colour);
/// Adds a shaded vertical band over [x0, x1] (e.g. a protected window), in the legend; add it
/// before the series it should sit under.
void plot_band(const char* label, double x0, double x1, ImU32 colour);
/// Adds a horizontal marker line at y (e.g. a target error).
void plot_hline(const char* label, double y, ImU32 colour);
/// Adds an event marker at x: a dashed vertical line, not in the legend nor in auto-fit, whose
/// `text` shows on hover; a `strong` marker is drawn bolder with its text at the top.
void plot_marker(double x, const std::string& text, ImU32 colour, bool strong);

/// How a line series is stroked and whether it takes part in auto-fit.
struct LineStyle {
    float thickness = 1.8f;
    bool dashed = false;
    bool fit = true;  ///< false: auto-fit ignores it (theory curves spanning many decades)
    /// The y auto-fit ignores samples before this index (a sketch's exact phase, errors at
    /// rounding level, would otherwise stretch a log axis over ten decades). Still drawn.
    std::size_t fit_from = 0;
};
/// Adds a line series drawn with `style`.
void plot_line(const char* label, const double* xs, const double* ys, int count, ImU32 colour,
               const LineStyle& style);
/// Draws everything added since begin_plot and handles interaction.
void end_plot();

/// Layout of the last plot drawn (for tests and for panels that place things beside it).
struct PlotLayout {
    ImVec2 frame_min, frame_max;  ///< the whole widget
    ImVec2 area_min, area_max;    ///< the data area
    ImVec2 legend_min, legend_max;
    bool legend_below = false;   ///< the legend left the data area for a band under the x label
    bool legend_header = false;  ///< the legend sits in the y label's row, above the data area
    int legend_shown = 0;        ///< entries drawn; the rest are folded into "+k more"
    std::vector<ImVec4> tick_labels;       ///< x0, y0, x1, y1 of every tick label drawn
    std::vector<std::string> legend_text;  ///< the shown entries as drawn (cut with "…")
};
PlotLayout last_plot_layout();

/// Number of points a series of `count` samples is reduced to for a plot `width` pixels wide.
int decimated_size(int count, float width);

/// Ticks for an axis [lo, hi] `pixels` long, as `kvscope plot` chooses them (figure/ticks.hpp):
/// labelled decades with minor ticks on wide log axes, labelled 1-2-5 mantissas on narrow ones,
/// 1-2-5 steps on linear axes, spaced so labels never overlap (`metrics` null: approximate
/// widths). At most 64 ticks whatever the range (none for a range that cannot be drawn:
/// non-finite, reversed, or not positive on a log axis); never loops on a degenerate one.
std::vector<figure::Tick> axis_ticks(double lo, double hi, bool log, float pixels,
                                     bool horizontal = true,
                                     const figure::TextMetrics* metrics = nullptr,
                                     float font_size = 15.0f);

}  // namespace kvscope::ui
