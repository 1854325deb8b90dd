// When each stream token left each subset sketch, as far as the explorer saw it: every new
// snapshot records which tokens each sketch still keeps, so a token no longer kept left between
// the last snapshot that had it and the next one. With the sketch's rule in words
// (SketchView::eviction_rule) and, for h2o, the sketch's own log of its last evictions
// (ScoreRankView::left_at), this is the embedding view's hover answer to "why is it grey?".
// The resolution is the snapshots seen: one token while stepping token by token, a whole jump
// after a large step. A rewind (fewer tokens than before) or a changed sketch starts over.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "session/runner.hpp"

namespace kvscope::ui {

class EvictionTracker {
  public:
    /// Records `snap` if it is newer than the last one seen (O(retained) per changed sketch).
    void observe(const Snapshot& snap);
    /// The sentence for stream token `position` that sketch `sketch` of `snap` does not keep,
    /// e.g. "evicted between token 1,024 and 1,088: a later token took its reservoir slot";
    /// empty when the sketch is not a subset of the stream or keeps the token.
    std::string why_evicted(const Snapshot& snap, int sketch, Index position) const;

  private:
    struct PerSketch {
        std::string id, params;
        std::vector<Index>
            last_kept;  ///< per position: tokens seen at the last snapshot keeping it
    };
    std::vector<PerSketch> sketches_;
    std::vector<Index> times_;  ///< tokens seen at each observed snapshot, increasing
    std::uint64_t version_ = 0;
};

}  // namespace kvscope::ui
