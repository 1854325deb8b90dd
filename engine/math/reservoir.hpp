// Reservoir sampling (Vitter's Algorithm R), the one implementation behind every uniform sample
// the engine keeps: the `uniform` sketch, the reservoir residual of `hybrid`, the diagnostic
// sample of `taylor` and the per-cluster samples of `subgen` (docs/algorithms.md §2.3).
//
// After n offers each item is in the reservoir with probability min(1, capacity / n),
// independently of the order of arrival. Randomness: nothing while the reservoir fills, then
// exactly one draw rng.below(seen + 1) per offer, so a sketch's random stream is the same
// whichever caller samples through it.
#pragma once

#include <cstdint>

namespace kvscope {

/// Where the item offered after `seen` earlier offers goes in a reservoir of `capacity` slots.
struct ReservoirSlot {
    std::int64_t slot = -1;  ///< slot to write, or -1: the item is not kept
    bool append = false;     ///< true while filling: slot == seen, append it
    bool kept() const { return slot >= 0; }
};

/// Algorithm R's decision for the offer after `seen` earlier ones. `rng` is any generator with
/// `below(n)` (uniform in [0, n)), e.g. kvscope::Rng; it is drawn from only when the reservoir
/// is full.
template <class Rng>
ReservoirSlot reservoir_slot(std::int64_t seen, std::int64_t capacity, Rng& rng) {
    if (seen < capacity) return {seen, true};
    const std::int64_t j = rng.below(seen + 1);
    return {j < capacity ? j : -1, false};
}

}  // namespace kvscope
