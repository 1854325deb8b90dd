// large_norm: keys and queries uniform on a sphere of large radius r in R^dim, values i.i.d.
// Gaussian. The logit bound B = beta * r^2 is large (low temperature): r = 8 at d = 16 with
// beta = 1/sqrt(d) gives B = 16, so attention rows are peaky.
// Good for: showing e^{2B} blow-ups in discrepancy bounds, Taylor sketches failing (overflow
// without recentering), and eviction heuristics looking good because few tokens matter.
#pragma once

#include "sources/source_registry.hpp"
#include "sources/synthetic_source.hpp"

namespace kvscope {

SourceInfo large_norm_source_info();

}  // namespace kvscope
