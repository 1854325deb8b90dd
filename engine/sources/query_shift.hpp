// query_shift: keys in two regions A and B (orthogonal directions a and b; each key is
// r * normalize(a or b + spread * w), half of each), queries aimed at region A until position
// shift_at and at region B from then on. Probe queries aim at region B: what later queries need.
// Before the shift B tokens get e^{-beta r^2 cos} less attention than A tokens (about 20x at the
// defaults, d = 16), so accumulated-attention scores rank them last.
// Good for: breaking irreversible query-aware eviction (H2O, SnapKV discard B tokens before the
// shift and cannot get them back); query-agnostic sketches (discrepancy, Taylor, sampling) do
// not care.
#pragma once

#include "sources/source_registry.hpp"
#include "sources/synthetic_source.hpp"

namespace kvscope {

SourceInfo query_shift_source_info();

}  // namespace kvscope
