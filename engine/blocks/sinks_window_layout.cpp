#include "blocks/sinks_window_layout.hpp"

namespace kvscope {

SinksWindowLayout::SinksWindowLayout(int dim, int value_dim, Index sinks, Index window)
    : sink_capacity_(sinks),
      window_capacity_(window),
      sinks_(dim, value_dim),
      window_(dim, value_dim) {}

Index SinksWindowLayout::window_slot(Index i) const {
    // Before the ring wraps, slot i is the i-th oldest; after, the oldest sits where the next
    // token will go.
    const Index w = seen_ - sink_capacity_;
    const Index oldest = w >= window_capacity_ ? w % window_capacity_ : 0;
    return (oldest + i) % window_capacity_;
}

void SinksWindowLayout::clear() {
    sinks_.clear();
    window_.clear();
    queries_.clear();
    seen_ = 0;
    has_queries_ = true;
}

}  // namespace kvscope
