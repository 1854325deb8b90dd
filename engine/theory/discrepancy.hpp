// Space bounds of the discrepancy sketches, for "theory vs measured" overlays
// (docs/algorithms.md 3.1). Constants are 1; polylog factors are included only when
// TheoryInputs::log_factors is set, as log2(n)^2 (one log from the walk's discrepancy, one from the
// T = log(n/t) levels) [R: the papers suppress them and do not state their powers].
#pragma once

#include <vector>

#include "theory/theory_curve.hpp"

namespace kvscope {

/// merge_reduce: O(d sqrt(d_v) e^{2B} / eps) words (BalanceKV Thm 3.4) and the BalanceKV lower
/// bound (Thm 3.2).
std::vector<TheoryCurve> merge_reduce_theory_curves();
/// balance_kv: O(d sqrt(d) e^{2B} / eps) words (BalanceKV Thm 3.1) and the lower bound (Thm 3.2).
std::vector<TheoryCurve> balance_kv_theory_curves();

}  // namespace kvscope
