// Where everything of a plot goes, and drawing it into a DisplayList. Pure functions of the plot
// spec, the view, the frame rectangle, the style and a text measurer: the explorer and
// `kvscope plot` call the same code, so their plots share margins, ticks, legend placement and
// line labels.
//
// Layout rules. The y label sits in a row above the data area; tick labels are measured so the
// left margin fits the widest y label and the right margin the last x label's overhang (labels
// never clip), and ticks never overlap (ticks.hpp); an x tick label that would touch a y tick
// label in the corner is dropped. The legend goes in the data area's corner that hides the
// fewest measured samples and line segments (top right first on ties); when every corner hides
// some, into the y label's row if every entry fits there, else into a band under the x label (at
// most three rows, the data area shrinks; not below 80 px), else into the least crowded corner.
// Entries that do not fit fold into "+k more". Line labels (theory curves, reference slopes) are
// placed next to the last visible stretch of their line where they overlap neither the legend
// nor each other; event markers carry their label at the top of the data area.
#pragma once

#include <string>
#include <vector>

#include "figure/display_list.hpp"
#include "figure/plot_spec.hpp"
#include "figure/text.hpp"
#include "figure/ticks.hpp"

namespace kvscope::figure {

/// Colours and sizes of a plot. `font_size` is the pixel height of tick and axis labels (the
/// legend uses 0.85 of it); `px` scales lines and markers (1 at 15 px text).
struct PlotStyle {
    float font_size = 15;
    float px = 1;
    Rgba background = rgba(255, 255, 255);  ///< behind the frame (0: transparent)
    Rgba area = rgba(255, 255, 255);        ///< the data area
    Rgba grid = rgba(0, 0, 0, 40);
    Rgba grid_minor = rgba(0, 0, 0, 18);
    Rgba text = rgba(20, 20, 20);
    Rgba text_dim = rgba(110, 110, 110);
    Rgba legend_bg = rgba(255, 255, 255, 220);
    Rgba nan_mark = rgba(230, 40, 40);
    /// The colour series are drawn against (for contrast decisions): the area over the ground.
    Rgba ground() const;
};

/// The explorer's light theme on white paper, and its dark theme (for `kvscope plot --theme`).
PlotStyle paper_style(float scale = 1);
PlotStyle dark_style(float scale = 1);

struct LegendSlot {
    int entry = -1;
    Rect rect;  ///< swatch and text: the click target
};

struct InlineLabel {
    std::string text;
    Rect rect;
    Rgba colour = 0;
    int series = -1;  ///< index into spec.series; -1: an event marker's label
};

struct PlotLayout {
    Rect frame, area;
    View view;
    bool log_x = false, log_y = false;
    std::vector<Tick> x_ticks, y_ticks;
    std::vector<Rect> x_label_rects, y_label_rects;  ///< one per labelled tick, in order
    Rect legend_box;
    bool legend_below = false;      ///< in a band under the x label (the data area shrank)
    bool legend_header = false;     ///< in the y label's row
    std::vector<LegendSlot> slots;  ///< shown entries
    std::vector<int> folded;        ///< entries folded into "+k more"
    std::string more;               ///< "+k more" or ""
    Rect more_rect;
    std::vector<InlineLabel> inline_labels;
    float font_size = 15, legend_font = 12.75f, px = 1;

    /// Screen position of a data point (NaN coordinates when it has none, e.g. <= 0 on a log
    /// axis).
    Vec2 to_screen(double x, double y) const;
    /// Data coordinates of a screen position.
    void to_data(Vec2 p, double& x, double& y) const;
};

/// Places the plot `spec` showing `view` in `frame`.
PlotLayout layout_plot(const PlotSpec& spec, const View& view, Rect frame, const PlotStyle& style,
                       const TextMetrics& metrics);

/// Draws the laid-out plot (frame, grid, series, events, NaN marks, ticks, labels, legend and
/// line labels) into `out`.
void draw_plot(const PlotSpec& spec, const PlotLayout& layout, const PlotStyle& style,
               const TextMetrics& metrics, DisplayList& out);

/// The sample of a visible series nearest to `p` on screen within `radius` pixels (Line,
/// Scatter, Bars); false when none.
bool nearest_sample(const PlotSpec& spec, const PlotLayout& layout, Vec2 p, float radius,
                    int& series, std::size_t& index);

/// Number of points a series of `count` samples is reduced to for a plot `width` pixels wide
/// (the first, lowest and highest sample of each pixel column).
int decimated_size(int count, float width);

}  // namespace kvscope::figure
