// The data behind the explorer's algorithm panels, as plain C++ (no ImGui): the theory overlays of
// the error panel, the metric definitions, and each panel's CSV text. The mathematics they plot
// (Taylor tails, Lagrange bounds, monomial counts) is the engine's, in engine/math/. Tests call
// these directly; the panels' "CSV" buttons write the text with write_panel_csv. Columns are
// documented in README "Panel CSVs".
#pragma once

#include <string>
#include <vector>

#include "figure/theory.hpp"
#include "session/runner.hpp"
#include "theory/theory_curve.hpp"

namespace kvscope::ui {

// ---- error metrics ----

struct MetricDef {
    const char* key;         ///< CSV column name
    const char* definition;  ///< one line, as in README's metrics.csv table
    double (*get)(const MetricRow&);
};
/// The metrics the error panel can plot, in selector order.
const std::vector<MetricDef>& error_metrics();

// ---- theory overlays (docs/algorithms.md 3) ----

struct TheoryOptions {
    double B = 0;              ///< logit bound for the curves; <= 0: estimate_logit_bound
    bool log_factors = false;  ///< TheoryInputs::log_factors
    double eps_min = 1e-3;     ///< the curves sweep eps over [eps_min, eps_max], log-spaced
    double eps_max = 1.0;
    int points = 31;
};

/// The logit bound B the overlays use when none is set: the stream's own B = beta R Q
/// (Snapshot::logit_bound, whatever sketches run), or 1 before any token.
double estimate_logit_bound(const Snapshot& snap);
/// TheoryInputs for this run: n = tokens seen, d, d_v, B (from options or estimated).
TheoryInputs theory_inputs(const Snapshot& snap, const TheoryOptions& options);

/// One theory curve, evaluated: memory (words) needed for each eps of the sweep.
/// One theory curve evaluated for the panel: figure::TheoryOverlay, whose `instance` here is the
/// index in Snapshot::sketches of the first running instance of its sketch (-1: global bound).
using TheoryLine = figure::TheoryOverlay;
/// The SketchInfo::theory curves of every running sketch (each curve id once) and the global
/// lower bounds, evaluated at theory_inputs(snap, options).
std::vector<TheoryLine> theory_lines(const Snapshot& snap, const TheoryOptions& options);

// ---- CSV text ----

/// A CSV field: numbers in shortest round-trip form ("nan" for NaN); text quoted when needed.
std::string csv_number(double value);
std::string csv_text(const std::string& text);

/// Buckets of sketch `sketch` (header only when it has none). One row per bucket.
std::string bucket_csv(const Snapshot& snap, int sketch);
/// Polynomial panel data of sketch `sketch`, long form (series, x, y); header only without a
/// Taylor view.
std::string polynomial_csv(const Snapshot& snap, int sketch);
/// Error panel data for metric `metric` (index into error_metrics()): the measured time series
/// of every sketch (named with every parameter that differs), each sweep family's fitted
/// log-log slope against memory with its 95% interval (kinds slope, slope_lo, slope_hi) and, at
/// the latest evaluation, the theory curves; long form.
std::string error_csv(const Snapshot& snap, int metric, const TheoryOptions& options);

/// Number of data rows (lines after the header) of a CSV text.
int csv_rows(const std::string& text);

/// Writes `text` to the first free kvscope_<panel>_NNNN.csv in `dir`; returns the path written.
/// Throws std::runtime_error when the file cannot be written.
std::string write_panel_csv(const std::string& panel, const std::string& text,
                            const std::string& dir = ".");

}  // namespace kvscope::ui
