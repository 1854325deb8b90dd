// incompressible: an INDEX-style stream. Keys are random unit vectors times a large radius r
// (pairwise near-orthogonal: cosines of order 1/sqrt(dim)), values are random Gaussians, and the
// query at position t is query_scale times the key of a uniformly random earlier position
// s <= t, so answering it needs that one token's value. Keys are counter-based (a function of the
// seed and position only), so any past key is regenerated in O(dim) without storing the stream.
// B = beta * query_scale * r^2 (16 at the defaults, d = 16). The regime is sharpest when dim is
// well above log n and B is near dim (raise both together).
// Good for: showing the Haris-Onak Theta(n d) lower bound live: every sublinear sketch fails.
#pragma once

#include "sources/source_registry.hpp"
#include "sources/synthetic_source.hpp"

namespace kvscope {

SourceInfo incompressible_source_info();

}  // namespace kvscope
