#include "ui/eviction_tracker.hpp"

#include <algorithm>
#include <cmath>

namespace kvscope::ui {

void EvictionTracker::observe(const Snapshot& snap) {
    if (snap.version == version_ && !times_.empty()) return;
    version_ = snap.version;
    if (!times_.empty() && snap.tokens_seen < times_.back()) {  // rewound or restarted
        times_.clear();
        sketches_.clear();
    }
    if (times_.empty() || times_.back() != snap.tokens_seen) times_.push_back(snap.tokens_seen);
    sketches_.resize(snap.sketches.size());
    for (std::size_t i = 0; i < snap.sketches.size(); ++i) {
        const SketchSnapshot& s = snap.sketches[i];
        PerSketch& p = sketches_[i];
        if (p.id != s.spec.id || p.params != s.spec.params_text) {
            p = PerSketch{s.spec.id, s.spec.params_text, {}};
        }
        // A sketch that never evicts (exact) is not followed: its every token stays.
        if (!s.view->subset_of_stream || s.view->eviction_rule.empty()) continue;
        if (p.last_kept.size() < static_cast<std::size_t>(snap.tokens_seen))
            p.last_kept.resize(static_cast<std::size_t>(snap.tokens_seen), -1);
        for (const RetainedToken& t : s.view->retained) {
            if (t.position >= 0 && t.position < snap.tokens_seen)
                p.last_kept[static_cast<std::size_t>(t.position)] = snap.tokens_seen;
        }
    }
}

std::string EvictionTracker::why_evicted(const Snapshot& snap, int sketch, Index position) const {
    if (sketch < 0 || static_cast<std::size_t>(sketch) >= snap.sketches.size()) return {};
    const SketchView& view = *snap.sketches[static_cast<std::size_t>(sketch)].view;
    if (!view.subset_of_stream || position < 0 || position >= snap.tokens_seen) return {};
    for (const RetainedToken& t : view.retained)
        if (t.position == position) return {};
    const std::string rule =
        view.eviction_rule.empty() ? std::string("the sketch dropped it") : view.eviction_rule;
    // The sketch's own log is exact (h2o's last evictions).
    if (view.score_rank) {
        const ScoreRankView& r = *view.score_rank;
        for (std::size_t i = 0; i < r.positions.size(); ++i) {
            if (r.positions[i] != position || r.kept[i]) continue;
            const Index at =
                i < r.left_at.size() && r.left_at[i] >= 0 ? r.left_at[i] : r.decided_at;
            return "evicted at token " + std::to_string(at) + ": " + rule;
        }
    }
    Index kept_until = -1;
    if (static_cast<std::size_t>(sketch) < sketches_.size()) {
        const auto& last = sketches_[static_cast<std::size_t>(sketch)].last_kept;
        if (static_cast<std::size_t>(position) < last.size())
            kept_until = last[static_cast<std::size_t>(position)];
    }
    // The first snapshot after the one that last kept it (or, never seen kept, the first that
    // had it arrive).
    const auto next = kept_until >= 0
                          ? std::upper_bound(times_.begin(), times_.end(), kept_until)
                          : std::lower_bound(times_.begin(), times_.end(), position + 1);
    const Index by = next != times_.end() ? *next : snap.tokens_seen;
    std::string when;
    if (kept_until >= 0) {
        when = "evicted between token " + std::to_string(kept_until) + " and " + std::to_string(by);
    } else {
        when = "evicted by token " + std::to_string(by) +
               " (never seen kept: it arrived and left " + "within one update of the view)";
    }
    return when + ": " + rule;
}

}  // namespace kvscope::ui
