// heavy_hitters: isotropic keys on a sphere of radius r, plus `hitters` tokens at random positions
// in [0, span) whose keys have cosine `alignment` with the mean query direction mu. Queries are
// r * normalize(mu + query_spread * w) (w a random unit), so every query favours the hitters:
// with the defaults (d = 16, B = beta r^2 = 9) each hitter outweighs an average token by about
// 150x and the 8 hitters hold about 30% of the softmax mass after 4096 tokens.
// Good for: H2O (accumulated attention finds them); uniform sampling misses them; discrepancy
// keeps them only with small batches.
#pragma once

#include "sources/source_registry.hpp"
#include "sources/synthetic_source.hpp"

namespace kvscope {

SourceInfo heavy_hitters_source_info();

}  // namespace kvscope
