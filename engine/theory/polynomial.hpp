// Space bounds of the polynomial method for the theory overlays (docs/algorithms.md §2.10, §2.11,
// §3.1). Both are reconstructions [R], with constants 1:
//   - taylor: C(d+p, p)(d_v+1) words with p the smallest degree whose relative Lagrange bound
//     e^{2B} B^{p+1}/(p+1)! is at most eps;
//   - hybrid (heuristic): min over t of C(d+t, t)(d_v+1) + m_t (d + d_v) [x log(n/m_t)] with
//     m_t = sqrt(d_v) e_{>t}(B) e^B / eps residual items, e_{>t} the Taylor tail.
#pragma once

#include "theory/theory_curve.hpp"

namespace kvscope {

/// The `taylor` sketch's space for eps at logit bound B (+inf when no degree up to 200 fits).
TheoryCurve taylor_space_curve();
/// The `hybrid` heuristic above, at its best t.
TheoryCurve hybrid_space_curve();
/// The t that minimises the hybrid heuristic for these inputs (-1: no moments at all).
int hybrid_best_degree(const TheoryInputs& in);

}  // namespace kvscope
