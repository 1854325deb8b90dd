// `kvscope plot`: a publication figure from a run's metrics.csv, headless, as SVG or PNG. The
// figure is the one the explorer draws (app/figure): sweep families in one hue each with a
// lightness ramp over the swept value, connected in swept order with their fitted log-log slope
// in the legend (error against memory), or one line per instance from its budget fill on (error
// against tokens). Theory overlays are not drawn here: their logit bound B needs the stream's
// norms, which metrics.csv does not record.
#pragma once

#include <iosfwd>
#include <string>

namespace kvscope {

inline constexpr int kMaxFacets = 64;

struct PlotOptions {
    std::string run;                 ///< a run folder (holding metrics.csv) or a metrics.csv
    std::string x = "memory";        ///< "memory", "tokens" or any numeric column of the CSV
    std::string metric = "eps_fro";  ///< the y column (a metrics.csv key)
    std::string out;                 ///< .svg or .png
    float scale = 1;                 ///< 1 for the screen, 2 for slides (fonts and lines too)
    int width = 960, height = 600;   ///< at scale 1
    bool dark = false;               ///< the explorer's dark theme instead of paper
    bool full_range = false;         ///< error against tokens: include the exact phase
    /// Series grouped by this column (one colour and legend entry per value: "sketch",
    /// "source_params", a source parameter such as "head", ...); "" for sweep families.
    std::string by;
    /// One small plot per value of this column ("source_params", "layer", "sketch", ...) in a
    /// grid, same axes kind and metric; "" for one plot.
    std::string facet;
    /// Draw the theory curves against memory when the run's manifest.json records the stream's
    /// logit bound (a run without a source sweep); false: never.
    bool theory = true;
};

/// Draws the figure and writes `opt.out`; prints one line per family (and its slope) to `out`.
/// Throws std::invalid_argument naming the problem (no metrics.csv, a bad cell with its file,
/// line and column, an unknown column, an extension other than .svg or .png, a scale outside
/// [0.5, 4], an unknown --by or --facet column, more than kMaxFacets facets); std::runtime_error
/// when the file cannot be written.
int do_plot(const PlotOptions& opt, std::ostream& out);

}  // namespace kvscope
