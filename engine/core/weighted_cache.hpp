// A weighted set of stored tokens, the common representation of subset sketches:
//   N(q) = sum_i w_num_i exp(beta <k_i, q>) v_i,   Z(q) = sum_i w_den_i exp(beta <k_i, q>).
// Evaluated as GEMMs in double with per-query max-subtraction.
#pragma once

#include <vector>

#include "core/sketch_view.hpp"
#include "core/types.hpp"

namespace kvscope {

class WeightedCache {
  public:
    WeightedCache(int dim, int value_dim) : dim_(dim), value_dim_(value_dim) {}

    /// Appends one token (amortised O(d + d_v)).
    void push(const float* key, const float* value, double w_num, double w_den, Index position,
              int tag = 0);
    /// Appends rows [begin, begin + count) of a block with equal weights.
    void push_block(const TokenBlock& block, Index begin, Index count, double w_num, double w_den,
                    int tag = 0);
    /// Overwrites slot `slot` with a new token.
    void set(Index slot, const float* key, const float* value, double w_num, double w_den,
             Index position, int tag = 0);
    /// Keeps only the slots listed (in that order).
    void keep(const std::vector<Index>& slots);
    void clear();

    Index size() const { return size_; }
    int dim() const { return dim_; }
    int value_dim() const { return value_dim_; }
    const float* key(Index slot) const { return keys_.data() + slot * dim_; }
    const float* value(Index slot) const { return values_.data() + slot * value_dim_; }
    double& weight_num(Index slot) { return w_num_[slot]; }
    double& weight_den(Index slot) { return w_den_[slot]; }
    double weight_num(Index slot) const { return w_num_[slot]; }
    double weight_den(Index slot) const { return w_den_[slot]; }
    Index position(Index slot) const { return positions_[slot]; }
    const Index* positions() const { return positions_.data(); }
    int& tag(Index slot) { return tags_[slot]; }
    int tag(Index slot) const { return tags_[slot]; }

    /// Estimates for queries [P x d]. Cost O(P * size * (d + d_v)).
    EstimateBatch estimate(ConstMatrixRef queries, double beta) const;
    /// Appends this cache's tokens to a view's `retained` list.
    void describe(SketchView& view) const;
    /// Floats held: keys, values and two weights per slot.
    double memory_floats() const { return static_cast<double>(size_) * (dim_ + value_dim_ + 2); }

  private:
    void grow(Index needed);

    int dim_;
    int value_dim_;
    Index size_ = 0;
    std::vector<float> keys_;
    std::vector<float> values_;
    std::vector<double> w_num_;
    std::vector<double> w_den_;
    std::vector<Index> positions_;
    std::vector<int> tags_;
};

}  // namespace kvscope
