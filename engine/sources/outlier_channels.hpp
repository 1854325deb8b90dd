// outlier_channels: Gaussian keys and queries with per-coordinate standard deviation r/sqrt(dim)
// (norm about r), except that `outlier_count` key channels, the same for every token, are
// outlier_scale times larger in RMS. Each outlier channel is outlier_scale * r/sqrt(dim) *
// (bias * s_c + sqrt(1 - bias^2) * g) with a fixed sign s_c: `bias` is the share that is a
// constant offset (which recentering cancels), the rest varies per token. Values have no
// outliers (as in KIVI's observation about real caches).
// Good for: per-channel versus per-token quantization (KIVI); shows ||k||, and hence B, inflated
// unless the keys are recentered.
#pragma once

#include "sources/source_registry.hpp"
#include "sources/synthetic_source.hpp"

namespace kvscope {

SourceInfo outlier_channels_source_info();

}  // namespace kvscope
