// SinksWindowLayout: the "attention sinks + recent window" layout of a KV cache. The first
// `sinks` tokens and the last `window` tokens are kept exactly; every other token is handed to
// the caller, in stream order, at the moment it leaves the window (or when it arrives, if the
// window is empty), to be compressed by whatever the caller runs on the middle.
//
// Where it comes from: BalanceKV's experiments keep 32 sink and 32 recent tokens exactly and
// compress only the middle (arXiv:2502.07861; docs/algorithms.md §2.2); StreamingLLM is this
// layout with nothing kept in the middle. Shared by the `sinks_window` wrapper and `balance_kv`.
//
// Storage: two WeightedCaches with unit weights, sinks tagged -1 and the window tagged -2; the
// window is a ring (the i-th token after the sinks sits in slot i % window), optionally with the
// tokens' queries, which query-aware middles (h2o, snapkv) need when the token leaves.
// Cost: O(d + d_v) per token; (sinks + window)(d + d_v) floats, plus window d for queries.
#pragma once

#include <algorithm>
#include <vector>

#include "core/types.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

class SinksWindowLayout {
  public:
    static constexpr int kSinkTag = -1;
    static constexpr int kWindowTag = -2;

    /// A layout for keys in R^dim and values in R^value_dim.
    SinksWindowLayout(int dim, int value_dim, Index sinks, Index window);

    /// Takes the next stream token (query may be null). When a token leaves the window (or the
    /// window is empty), calls leave(query, key, value, position) for it first, with pointers
    /// valid during the call; its query is null unless every token so far came with one.
    template <class Leave>
    void push(const float* query, const float* key, const float* value, Index position,
              Leave&& leave);

    /// The sink tokens, in stream order.
    const WeightedCache& sinks() const { return sinks_; }
    /// The window tokens, in ring order: slot window_slot(i) holds the i-th oldest.
    const WeightedCache& window() const { return window_; }
    Index window_slot(Index i) const;
    /// Tokens pushed since the last clear.
    Index seen() const { return seen_; }
    /// Tokens held exactly (sinks and window).
    Index size() const { return sinks_.size() + window_.size(); }
    /// True while every pushed token came with a query (the window then stores them).
    bool has_queries() const { return has_queries_; }
    void clear();

  private:
    Index sink_capacity_;
    Index window_capacity_;
    Index seen_ = 0;
    bool has_queries_ = true;
    WeightedCache sinks_;
    WeightedCache window_;
    std::vector<float> queries_;  // ring of the window tokens' queries [window x d]
};

template <class Leave>
void SinksWindowLayout::push(const float* query, const float* key, const float* value,
                             Index position, Leave&& leave) {
    if (query == nullptr) has_queries_ = false;
    const Index n = seen_++;
    if (n < sink_capacity_) {
        sinks_.push(key, value, 1.0, 1.0, position, kSinkTag);
        return;
    }
    if (window_capacity_ == 0) {
        leave(has_queries_ ? query : nullptr, key, value, position);
        return;
    }
    const int d = window_.dim();
    const Index w = n - sink_capacity_;
    const Index slot = w % window_capacity_;
    if (w >= window_capacity_) {
        leave(has_queries_ ? queries_.data() + slot * d : nullptr, window_.key(slot),
              window_.value(slot), window_.position(slot));
        window_.set(slot, key, value, 1.0, 1.0, position, kWindowTag);
    } else {
        window_.push(key, value, 1.0, 1.0, position, kWindowTag);
        queries_.resize(static_cast<std::size_t>(window_.size() * d), 0.0f);
    }
    if (has_queries_ && query != nullptr) std::copy(query, query + d, queries_.begin() + slot * d);
}

}  // namespace kvscope
