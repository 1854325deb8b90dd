// Theory curves drawn beside measurements: space bounds (upper and lower) as functions of the
// problem size. Constants are set to 1 and polylog factors are optional (docs/algorithms.md 3).
// Every curve lives in engine/theory/ (lower_bounds, discrepancy, polynomial); a sketch lists
// its own in SketchInfo::theory.
#pragma once

#include <functional>
#include <string>

namespace kvscope {

struct TheoryInputs {
    double n = 0;              ///< tokens seen
    double d = 0;              ///< key dimension
    double d_v = 0;            ///< value dimension
    double B = 0;              ///< logit bound beta * r_q * r_k
    double eps = 0.1;          ///< target precision
    bool log_factors = false;  ///< include the polylog factors the bound hides
};

struct TheoryCurve {
    std::string id;               ///< stable snake_case id, e.g. "balance_kv_upper"
    std::string label;            ///< legend text, e.g. "BalanceKV O(d sqrt(d) e^{2B}/eps)"
    std::string source;           ///< paper (title, arXiv id) or "reconstruction"
    bool upper = true;            ///< upper bound (an algorithm's space) or lower bound
    bool reconstruction = false;  ///< true for [R] formulas: label them so in UI and docs
    /// Space in words (real numbers) for the given inputs.
    std::function<double(const TheoryInputs&)> words;
};

}  // namespace kvscope
