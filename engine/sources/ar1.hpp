// ar1: keys and values that follow a first-order autoregressive process along the sequence,
//   k_t = rho k_{t-1} + sqrt(1 - rho^2) e_t,   e_t ~ N(0, (r^2 / d) I),   k_0 ~ N(0, (r^2 / d) I),
// and the same for the values (per-coordinate standard deviation `value_scale`), so every token
// has the stationary distribution N(0, (r^2 / d) I) (norm about r) and neighbouring tokens have
// correlation rho. Queries (stream and probes) are i.i.d. N(0, (r_q^2 / d) I).
// Why it exists: token-to-token correlation is where discrepancy halving pays off. A balanced
// walk pairs near-identical neighbours with opposite signs, so the kept half cancels almost
// exactly; independent sampling cannot use the correlation. With rho = 0 it is an i.i.d.
// Gaussian stream (close to isotropic_ball). Real caches are correlated along the sequence
// (docs/algorithms.md §4.2); this source isolates that one property [R].
#pragma once

#include "sources/source_registry.hpp"
#include "sources/synthetic_source.hpp"

namespace kvscope {

SourceInfo ar1_source_info();

}  // namespace kvscope
