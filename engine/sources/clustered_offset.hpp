// clustered_offset: keys in `clusters` tight clusters around a common offset vector far from the
// origin. Every key is o + c_j + noise with ||o|| = offset; the cluster deviations c_j have exact
// zero mean and largest norm (1 - noise) * radius, the noise is uniform in a ball of radius
// noise * radius, so max ||k - o|| <= radius and the mean key is about o. Queries point along a
// random cluster's deviation (plus spread) with norm query_radius.
// Raw logit bound B = beta * query_radius * (offset + radius); after recentering at the mean key
// it drops to beta * query_radius * radius (11 versus 1 at the defaults, d = 16).
// Good for: recentering (global or per cluster), SubGen's clustering, LSH buckets aligning with
// clusters. Breaks: methods that bound the kernel by the raw key norm.
#pragma once

#include "sources/source_registry.hpp"
#include "sources/synthetic_source.hpp"

namespace kvscope {

SourceInfo clustered_offset_source_info();

}  // namespace kvscope
