// A plot as plain data: series (lines, markers, bars, reference lines), legend entries, axes and
// labelled vertical event markers. Builders (figures.hpp; the explorer's plot calls) fill one;
// plot_layout.hpp places and draws it. No ImGui, no GL.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "figure/colour.hpp"
#include "figure/display_list.hpp"

namespace kvscope::figure {

enum class SeriesKind { Line, Scatter, Bars, VLine, HLine };

struct SeriesStyle {
    Rgba colour = rgba(200, 200, 200);
    float width = 1.8f;  ///< line width at line scale 1 (it follows the font size)
    Dash dash = Dash::Solid;
    /// Marker on every point (a Scatter series' shape; None on a Line: no markers).
    MarkerShape marker = MarkerShape::None;
    float marker_radius = 3.0f;
    bool fit = true;   ///< counts for auto-fit (theory curves spanning decades do not)
    bool data = true;  ///< a measurement: the legend avoids covering it (theory and ghosts: no)
};

struct Series {
    SeriesKind kind = SeriesKind::Line;
    std::string name;  ///< hover readout title (an instance's label)
    std::vector<double> x, y;
    double bar_width = 0;  ///< Bars: width in x units
    SeriesStyle style;
    int legend = -1;           ///< legend entry it belongs to; -1: not listed
    std::string key;           ///< hiding key (PlotSpec::hidden); default: its legend entry's key
    std::size_t fit_from = 0;  ///< auto-fit ignores points before this index (exact phase)
    std::string tooltip;       ///< more hover text (a theory curve's constants, assumptions)
    std::string inline_label;  ///< drawn beside the line inside the data area
    std::vector<std::size_t> marks;  ///< points that get `mark_shape` (a budget fill)
    MarkerShape mark_shape = MarkerShape::None;
};

struct LegendEntry {
    std::string key;  ///< what a click toggles (stored in PlotSpec::hidden / PlotState::hidden)
    std::string text;  ///< shown text ("uniform budget=256…2048  slope −0.51 [−0.62, −0.40]")
    std::vector<Rgba> ramp;  ///< swatch colours: one plain, several a strip (a family's ramp)
    Dash dash = Dash::Solid;
    MarkerShape marker = MarkerShape::None;
    bool line = false;  ///< swatch drawn as a short line (dash visible) instead of a block
    std::string tooltip;
};

/// A labelled vertical line at x across the data area (budget fills, lesson events, ±B).
struct EventMarker {
    double x = 0;
    std::string label;
    Rgba colour = rgba(200, 200, 200);
    Dash dash = Dash::Dashed;
    std::string tooltip;
};

struct AxisSpec {
    std::string label;
    bool log = false;
};

struct PlotSpec {
    AxisSpec x, y;
    std::vector<Series> series;
    std::vector<LegendEntry> legend;
    std::vector<EventMarker> events;
    std::vector<std::string> hidden;  ///< legend keys switched off
    /// On a log y axis, auto-fit shows at most this many decades below the largest value.
    double max_log_decades = 8;

    /// Adds a legend entry (or returns the one with the same key) and returns its index.
    int add_legend(LegendEntry entry);
    /// True when series s is switched off.
    bool is_hidden(const Series& s) const;
    /// The key series s hides under.
    const std::string& key_of(const Series& s) const;
};

/// Data ranges of a view.
struct View {
    double x_min = 0, x_max = 1, y_min = 0, y_max = 1;
};

/// The ranges that frame every visible series taking part in the fit (points from `fit_from`
/// on; non-positive values skipped on log axes), padded by 5% of the axis span.
View fit_view(const PlotSpec& spec);

}  // namespace kvscope::figure
