// Lower bounds on the space of any streaming attention sketch, drawn under every error-vs-memory
// plot (docs/algorithms.md §3.2). Constants are 1.
#pragma once

#include <vector>

#include "theory/theory_curve.hpp"

namespace kvscope {

/// BalanceKV's min{1/eps^2, d e^{2B}} (Thm 3.2, arXiv:2502.07861) and Haris-Onak's d min{n, e^d}
/// bits (COLT'25), as lower-bound curves.
std::vector<TheoryCurve> lower_bound_curves();

}  // namespace kvscope
