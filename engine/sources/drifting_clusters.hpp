// drifting_clusters: clustered_offset whose cluster centres move with the token index. Centre j
// at position t is o + c_j + t * drift * u_j, with u_j a random unit velocity, so every centre
// moves `drift` per token (one radius every radius/drift tokens) and the mean key moves too.
// Queries point along a random cluster's current deviation from the mean centre.
// Good for: merge-and-reduce mixing old and new tokens, recentering that goes stale (a fixed
// centre's effective radius grows with t), online clustering that must follow moving clusters.
#pragma once

#include "sources/source_registry.hpp"
#include "sources/synthetic_source.hpp"

namespace kvscope {

SourceInfo drifting_clusters_source_info();

}  // namespace kvscope
