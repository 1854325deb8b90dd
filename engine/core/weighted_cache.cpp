#include "core/weighted_cache.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kvscope {

void WeightedCache::grow(Index needed) {
    if (static_cast<Index>(w_num_.size()) >= needed) return;
    const Index cap = std::max<Index>(needed, static_cast<Index>(w_num_.size()) * 2);
    keys_.resize(cap * dim_);
    values_.resize(cap * value_dim_);
    w_num_.resize(cap);
    w_den_.resize(cap);
    positions_.resize(cap);
    tags_.resize(cap);
}

void WeightedCache::set(Index slot, const float* key, const float* value, double w_num,
                        double w_den, Index position, int tag) {
    std::copy(key, key + dim_, keys_.begin() + slot * dim_);
    std::copy(value, value + value_dim_, values_.begin() + slot * value_dim_);
    w_num_[slot] = w_num;
    w_den_[slot] = w_den;
    positions_[slot] = position;
    tags_[slot] = tag;
}

void WeightedCache::push(const float* key, const float* value, double w_num, double w_den,
                         Index position, int tag) {
    grow(size_ + 1);
    set(size_, key, value, w_num, w_den, position, tag);
    ++size_;
}

void WeightedCache::push_block(const TokenBlock& block, Index begin, Index count, double w_num,
                               double w_den, int tag) {
    grow(size_ + count);
    for (Index r = begin; r < begin + count; ++r) {
        set(size_, block.keys.row(r).data(), block.values.row(r).data(), w_num, w_den,
            block.first_position + r, tag);
        ++size_;
    }
}

void WeightedCache::keep(const std::vector<Index>& slots) {
    // Compact in place; slots may be in any order, so copy through temporaries.
    WeightedCache kept(dim_, value_dim_);
    kept.grow(static_cast<Index>(slots.size()));
    for (Index s : slots) {
        kept.push(key(s), value(s), w_num_[s], w_den_[s], positions_[s], tags_[s]);
    }
    *this = std::move(kept);
}

void WeightedCache::clear() {
    size_ = 0;
}

EstimateBatch WeightedCache::estimate(ConstMatrixRef queries, double beta) const {
    const Index P = queries.rows();
    if (size_ == 0) return EstimateBatch::zeros(P, value_dim_);
    // Keys in blocks, so a large cache (the exact sketch) never holds a P x size logit matrix;
    // blocks are combined with EstimateBatch::add, which rescales to the larger shift.
    constexpr Index kKeyBlock = 2048;
    const MatrixD q = beta * queries.cast<double>();
    EstimateBatch out;
    MatrixD logits, weighted_values;
    for (Index begin = 0; begin < size_; begin += kKeyBlock) {
        const Index count = std::min(kKeyBlock, size_ - begin);
        const Eigen::Map<const Matrix> K(keys_.data() + begin * dim_, count, dim_);
        const Eigen::Map<const Matrix> V(values_.data() + begin * value_dim_, count, value_dim_);
        const Eigen::Map<const Eigen::VectorXd> wn(w_num_.data() + begin, count);
        const Eigen::Map<const Eigen::VectorXd> wd(w_den_.data() + begin, count);
        EstimateBatch block;
        logits.noalias() = q * K.cast<double>().transpose();  // [P x count]
        block.shift = logits.rowwise().maxCoeff();
        logits.colwise() -= block.shift;
        logits = logits.array().exp().matrix();
        block.den.noalias() = logits * wd;
        weighted_values = wn.asDiagonal() * V.cast<double>();  // [count x d_v]
        block.num.noalias() = logits * weighted_values;
        out.add(block);
    }
    return out;
}

void WeightedCache::describe(SketchView& view) const {
    view.retained.reserve(view.retained.size() + size_);
    for (Index s = 0; s < size_; ++s) {
        view.retained.push_back({positions_[s], w_num_[s], w_den_[s], tags_[s]});
    }
}

}  // namespace kvscope
