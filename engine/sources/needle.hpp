// needle: a haystack of isotropic keys and queries on a sphere of radius r with Gaussian values,
// and one token at needle_position whose key is needle_norm * nu (nu a fixed random direction,
// the direction of the final / probe queries) and whose value is distinctive (norm needle_value
// along a fixed direction). Stream queries ignore the needle unless recall_every > 0.
// A needle-aimed query r * normalize(nu + 0.2 w) gives the needle a logit of about
// beta * r * needle_norm (11.8 at the defaults, d = 16): over 90% of the softmax mass at 4096
// tokens.
// Good for: showing that sampling and discrepancy compression lose the needle with probability
// about (1 - kept fraction), that H2O loses it when earlier queries ignored it, and BalanceKV's
// needle-preserving variant.
#pragma once

#include "sources/source_registry.hpp"
#include "sources/synthetic_source.hpp"

namespace kvscope {

SourceInfo needle_source_info();

}  // namespace kvscope
