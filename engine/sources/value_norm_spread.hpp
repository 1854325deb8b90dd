// value_norm_spread: keys and queries as in isotropic_ball (sphere of radius r); every value is a
// uniformly random direction times a log-normal norm, ||v|| = median_norm * exp(sigma * g) with
// g ~ N(0, 1). A few values dominate the numerator N(q) when sigma is large (sigma = 2 puts the
// top 1% of norms about 100x above the median).
// Good for: BalanceKV's value-norm bucketing (compare on and off), value-aware sampling.
// Breaks: methods that treat every value as having the same scale.
#pragma once

#include "sources/source_registry.hpp"
#include "sources/synthetic_source.hpp"

namespace kvscope {

SourceInfo value_norm_spread_source_info();

}  // namespace kvscope
