// rope_rotation: clustered content rotated by position as in RoPE. Content keys and queries are
// r * normalize(u_j + noise * w) for a random cluster direction u_j; then every coordinate pair
// (2i, 2i+1) of q and k at stream position t is rotated by the angle t * theta_i with
// theta_i = base^(-2i/dim) (an odd last coordinate is left alone). Norms are preserved and
// <q_t, k_s> depends on the content and on t - s only.
// Good for: seeing keys of the same content spread with position (high-frequency pairs
// decorrelate, low-frequency pairs keep structure); clusters smear, which hurts recentering,
// clustering and LSH. Probe queries are rotated to the position `probe_position`.
#pragma once

#include "sources/source_registry.hpp"
#include "sources/synthetic_source.hpp"

namespace kvscope {

SourceInfo rope_rotation_source_info();

}  // namespace kvscope
