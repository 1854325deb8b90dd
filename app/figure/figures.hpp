// The figures kvscope draws from metric rows, shared by the explorer's Attention error panel and
// `kvscope plot` (docs/algorithms.md §3.3):
//
// - time_figure: a metric against tokens seen, one line per instance in its family's ramp
//   colour. By default the axes fit the data from each instance's budget fill on (the first
//   evaluation where it keeps fewer tokens than it has seen), so the exact phase before it
//   (errors at rounding level) does not squash the rest; the fill is a hollow diamond.
// - final_figure: a metric at each instance's latest evaluation against any numeric column
//   (memory_floats by default; a per-instance source parameter works the same), families
//   connected in swept order with their fitted log-log slope and its 95% interval in the
//   legend, the reference slopes -1/2 and -1, and the theory curves that bound this metric.
//
// Legends list families, not instances. Instances whose series coincide get distinct dash
// patterns (lines) or hollow markers (points), and their family's legend entry names what it
// overlaps.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "figure/families.hpp"
#include "figure/plot_spec.hpp"
#include "figure/run_table.hpp"
#include "figure/theory.hpp"

namespace kvscope::figure {

struct FigureOptions {
    std::string x = "memory_floats";  ///< final_figure's x column
    std::string y = "eps_fro";        ///< the metric
    bool log_x = true;
    bool log_y = true;
    bool full_range = false;             ///< time_figure: fit the exact phase too
    Rgba ground = rgba(255, 255, 255);   ///< what series are drawn against (colour contrast)
    Rgba neutral = rgba(130, 130, 130);  ///< reference slopes and global theory curves
    bool reference_slopes = true;
    bool theory = true;
    bool theory_full_range = false;  ///< else curves are cut to 100x around the measurements
    std::vector<TheoryOverlay> theory_curves;  ///< evaluated; drawn where they bound `y`
    std::string theory_inputs;                 ///< for the curves' hover text
};

/// A fitted log-log slope with its 95% interval (interval NaN below three points).
struct SlopeFit {
    int points = 0;
    double slope = 0, lo = 0, hi = 0;
    bool valid = false;
};
/// Least squares of log10 y on log10 x over the positive finite pairs.
SlopeFit fit_loglog(const std::vector<double>& x, const std::vector<double>& y);
/// The 0.975 quantile of Student's t with `dof` degrees of freedom (dof >= 1).
double student_t975(int dof);
/// "slope −0.51 [−0.62, −0.40]" (or "slope −0.51" without an interval).
std::string slope_text(const SlopeFit& fit);

/// What a final_figure found beside the plot itself.
struct FigureNotes {
    std::map<std::string, SlopeFit> slopes;  ///< family key -> its fit
    std::vector<std::string> theory_hidden;  ///< "BalanceKV bound bounds eps_fro", not drawn
    std::vector<std::string> overlaps;       ///< "h2o budget=128 coincides with uniform ..."
};

/// Index of the first row (of `rows`, one instance's rows in time order) at which the
/// instance keeps fewer tokens than it has seen; 0 when it never keeps them all or the table
/// has no retained_tokens column.
std::size_t budget_fill(const RunTable& table, const std::vector<std::size_t>& rows);

/// Rows of each instance in time order.
std::map<int, std::vector<std::size_t>> rows_by_instance(const RunTable& table);

/// The metric `opt.y` against tokens seen. Throws std::invalid_argument naming the column when
/// the table has no such numeric column.
PlotSpec time_figure(const RunTable& table, const Families& families, const FigureOptions& opt,
                     FigureNotes* notes = nullptr);
/// The metric `opt.y` at each instance's latest evaluation against column `opt.x`. Throws
/// std::invalid_argument naming a missing column.
PlotSpec final_figure(const RunTable& table, const Families& families, const FigureOptions& opt,
                      FigureNotes* notes = nullptr);

}  // namespace kvscope::figure
