// Theory curves as the figures draw them (docs/algorithms.md §3): each curve tied to the error
// metric it bounds, with the inequality, the assumptions and the constants (all 1) behind it,
// evaluated at the run's n, d, d_v and B. A curve is drawn only on the metric it bounds; the
// figures list the others as hidden. Where the papers do not say which normalisation a bound
// uses, the association is our reading and says so ([R]).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "theory/theory_curve.hpp"

namespace kvscope::figure {

/// What a curve bounds and under which assumptions.
struct TheoryNote {
    std::vector<std::string> metrics;        ///< metrics.csv keys the curve bounds
    std::string inequality;                  ///< the guarantee, one line
    std::string assumptions;                 ///< when it holds; how kvscope evaluates it
    bool association_reconstructed = false;  ///< the metric is our reading, not the paper's
};

/// The note of a curve id, or nullptr for a curve kvscope does not know (never drawn).
const TheoryNote* theory_note(const std::string& curve_id);
/// True when curve `curve_id` bounds metric `metric`.
bool theory_applies(const std::string& curve_id, const std::string& metric);

/// One theory curve, evaluated: memory (words) needed for each eps of the sweep.
struct TheoryOverlay {
    std::string id;
    std::string label;   ///< the formula, "[R] " first for reconstructions
    std::string source;  ///< paper, theorem
    bool upper = true;
    bool reconstruction = false;
    int instance = -1;  ///< first instance of the sketch it belongs to; -1: a global lower bound
    std::vector<double> memory;  ///< words, finite and positive only
    std::vector<double> eps;     ///< aligned with memory
};

/// The SketchInfo::theory curves of the sketches in `instances` ((instance id, sketch id)
/// pairs; each curve once, owned by its sketch's first instance) and the global lower bounds,
/// each evaluated at `in` for `points` log-spaced eps in [eps_min, eps_max].
std::vector<TheoryOverlay> evaluate_theory(
    const std::vector<std::pair<int, std::string>>& instances, TheoryInputs in,
    double eps_min = 1e-3, double eps_max = 1.0, int points = 31);

/// Short name for a line label: "BalanceKV bound", "[R] Taylor bound", "Haris-Onak lower bound".
std::string theory_short_name(const TheoryOverlay& curve);
/// The hover text: formula, what it bounds, assumptions, constants, source, [R] and the inputs
/// it was evaluated at (`inputs`, e.g. the logit bound's description).
std::string theory_tooltip(const TheoryOverlay& curve, const std::string& inputs);

}  // namespace kvscope::figure
