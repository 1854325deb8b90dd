// Error metrics of one sketch against the exact reference over a probe batch
// (docs/algorithms.md 1.3). Every mean/max is over the probe queries; NaN propagates (a sketch that
// returns NaN shows NaN, never a hidden number).
#pragma once

#include "core/types.hpp"
#include "metrics/exact_reference.hpp"

namespace kvscope {

struct ErrorSummary {
    double rel_err_mean = 0;  ///< mean ||z - a|| / ||a||
    double rel_err_max = 0;   ///< max  ||z - a|| / ||a||
    double eps_fro = 0;       ///< mean ||z - a|| / (||p||_2 ||V||_F)       (BalanceKV eq. 2)
    double eps_op = 0;        ///< mean ||z - a|| / (||p||_2 ||V||_op)      (SubGen)
    double num_err = 0;       ///< mean ||N^ - N|| / (Z max ||v||)
    double den_err = 0;       ///< mean |Z^ - Z| / Z
};

/// Norms of the values that normalise eps_fro and eps_op.
struct ValueNorms {
    double frobenius = 0;
    double operator_norm = 0;
    double max_row = 0;
};

/// Errors of `estimate` against `reference` (same P queries). Cost O(P d_v).
ErrorSummary compute_errors(const ReferenceResult& reference, const EstimateBatch& estimate,
                            const ValueNorms& norms);

}  // namespace kvscope
