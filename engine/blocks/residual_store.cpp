#include "blocks/residual_store.hpp"

#include <algorithm>
#include <cmath>

#include "math/reservoir.hpp"
#include "math/taylor_series.hpp"

namespace kvscope {

ReservoirResidualStore::ReservoirResidualStore(int dim, int value_dim, Index budget,
                                               std::uint64_t seed)
    : budget_(budget), seed_(seed), rng_(seed), cache_(dim, value_dim) {}

void ReservoirResidualStore::push(const float* key, const float* value, double weight,
                                  Index position) {
    if (weight != 1.0) unit_weights_ = false;
    const ReservoirSlot r = reservoir_slot(offered_, budget_, rng_);
    if (r.append) {
        cache_.push(key, value, weight, weight, position);
    } else if (r.kept()) {
        cache_.set(r.slot, key, value, weight, weight, position);
    }
    ++offered_;
}

namespace {

/// sum_i w_i r_t(beta <k_i - c, q>) [v_i, 1] for keys K [m x d] (already minus c), values V
/// [m x d_v] and weights w [m]; the shift includes beta <c, q>.
EstimateBatch residual_sum(const MatrixD& Qd, const MatrixD& K, const MatrixD& V,
                           const Eigen::VectorXd& w, double beta, const Eigen::VectorXd& centre,
                           int degree) {
    const Index P = Qd.rows();
    const Index m = K.rows();
    EstimateBatch out = EstimateBatch::zeros(P, static_cast<int>(V.cols()));
    out.shift = beta * (Qd * centre);
    if (m == 0) return out;
    MatrixD X = (beta * Qd) * K.transpose();  // [P x m] logits around the centre
    // r_t(x) = e^x - T_t(x) evaluated directly: the cancellation costs relative accuracy of the
    // small residual only, an absolute error ~1e-16 e^x per weight, negligible against Z.
    const Eigen::VectorXd top = X.rowwise().maxCoeff();
    for (Index r = 0; r < P; ++r) {
        // Log-safe only when needed: above e^30 the row is shifted by its largest logit.
        const double extra = top[r] > 30.0 ? top[r] : 0.0;
        shifted_taylor_tail(X.row(r).array(), degree, extra);
        out.shift[r] += extra;
    }
    const MatrixD R = X * w.asDiagonal();
    out.num = R * V;
    out.den = R.rowwise().sum();
    return out;
}

}  // namespace

EstimateBatch ReservoirResidualStore::estimate_residual(ConstMatrixRef queries, double beta,
                                                        const Eigen::VectorXd& centre,
                                                        int degree) const {
    const Index m = cache_.size();
    const int d = cache_.dim();
    const int dv = cache_.value_dim();
    MatrixD K(m, d);
    MatrixD V(m, dv);
    Eigen::VectorXd w(m);
    const double ht = m > 0 ? static_cast<double>(offered_) / static_cast<double>(m) : 0.0;
    for (Index s = 0; s < m; ++s) {
        for (int j = 0; j < d; ++j)
            K(s, j) = cache_.key(s)[j] - centre[j];
        for (int j = 0; j < dv; ++j)
            V(s, j) = cache_.value(s)[j];
        w[s] = ht * cache_.weight_den(s);
    }
    return residual_sum(queries.cast<double>(), K, V, w, beta, centre, degree);
}

double ReservoirResidualStore::memory_floats() const {
    const double m = static_cast<double>(cache_.size());
    return m * (cache_.dim() + cache_.value_dim()) + 1.0 + (unit_weights_ ? 0.0 : m);
}

void ReservoirResidualStore::describe(SketchView& view) const {
    const Index first = static_cast<Index>(view.retained.size());
    cache_.describe(view);
    const double ht =
        cache_.size() > 0 ? static_cast<double>(offered_) / static_cast<double>(cache_.size()) : 0;
    for (Index s = first; s < static_cast<Index>(view.retained.size()); ++s) {
        view.retained[s].weight_num *= ht;
        view.retained[s].weight_den *= ht;
    }
}

void ReservoirResidualStore::clear() {
    cache_.clear();
    offered_ = 0;
    unit_weights_ = true;
    rng_ = Rng(seed_);
}

// ---------------------------------------------------------------------------------------------

ResidualTreeShape merge_reduce_residual_shape(Index budget, Index batch) {
    ResidualTreeShape s;
    budget = std::max<Index>(budget, 1);
    // Auto: an even t near (m + 1) / 3 gives a tree of 4 levels under the cap, so the size
    // follows the budget. Shallower trees (down to one block halved back into itself) re-halve
    // their items more often and measured worse; the cap keeps the walk's [t x t] Gram small.
    if (batch == 0) batch = std::clamp<Index>(2 * ((budget + 1) / 6), 2, kAutoResidualBatchCap);
    s.batch = std::max<Index>(2, std::min(batch, budget + 1));
    const Index half = (s.batch + 1) / 2;
    s.max_levels = static_cast<int>(std::min<Index>((budget - (s.batch - 1)) / half, 62));
    return s;
}

Index merge_reduce_residual_size(Index n, const ResidualTreeShape& shape) {
    const Index t = shape.batch;
    const Index h = (t + 1) / 2;
    if (shape.max_levels == 0) return n < t ? n : h + (n - h) % (t - h);
    const Index q = n / t;
    const Index low = Index{1} << (shape.max_levels - 1);
    Index blocks = q >= low ? 1 : 0;
    for (Index bits = q % low; bits > 0; bits >>= 1)
        blocks += bits & 1;
    return n % t + h * blocks;
}

MergeReduceOptions MergeReduceResidualStore::shaped(MergeReduceOptions o,
                                                    const ResidualTreeShape& s) {
    o.batch = s.batch;
    o.max_levels = s.max_levels;
    o.weight_classes = false;  // one tree: pushes all have weight 1 in the hybrid
    return o;
}

MergeReduceResidualStore::MergeReduceResidualStore(int dim, int value_dim, Index budget,
                                                   MergeReduceOptions options, int degree,
                                                   double beta, bool recenter, std::uint64_t seed)
    : shape_(merge_reduce_residual_shape(budget, options.batch)),
      centre_(std::make_shared<Eigen::VectorXd>(Eigen::VectorXd::Zero(dim))),
      recenter_(recenter),
      key_sum_(Eigen::VectorXd::Zero(dim)),
      tree_(
          dim, value_dim,
          [&] {
              MergeReduceOptions o = shaped(std::move(options), shape_);
              // The residual balancing kernel: keys recentred on the shared centre, values with the
              // joint denominator coordinate sqrt(den_weight mean|v|^2) appended, e_{>t} of the
              // logit.
              const double den_weight = o.balance.den_weight;
              GramCallback residual =
                  scalar_kernel_gram(beta, [degree](double x) { return taylor_tail(x, degree); });
              o.gram = [centre = centre_, den_weight, residual](const ItemSpan& items,
                                                                Eigen::MatrixXf& gram) {
                  const Index n = items.n;
                  const int d = items.dim, dv = items.value_dim;
                  thread_local std::vector<float> keys, values;
                  keys.resize(static_cast<std::size_t>(n * d));
                  values.resize(static_cast<std::size_t>(n * (dv + 1)));
                  double mean_sq = 0;
                  for (Index i = 0; i < n; ++i) {
                      double sq = 0;
                      for (int j = 0; j < dv; ++j) {
                          const float x = items.values[i * dv + j];
                          values[static_cast<std::size_t>(i * (dv + 1) + j)] = x;
                          sq += double(x) * x;
                      }
                      mean_sq += sq / static_cast<double>(std::max<Index>(n, 1));
                      for (int j = 0; j < d; ++j)
                          keys[static_cast<std::size_t>(i * d + j)] =
                              static_cast<float>(items.keys[i * d + j] - (*centre)[j]);
                  }
                  const float coord = static_cast<float>(std::sqrt(den_weight * mean_sq));
                  for (Index i = 0; i < n; ++i)
                      values[static_cast<std::size_t>(i * (dv + 1) + dv)] = coord;
                  ItemSpan shifted = items;
                  shifted.keys = keys.data();
                  shifted.values = values.data();
                  shifted.value_dim = dv + 1;
                  residual(shifted, gram);
                  // The mass coordinate [R]: e_{>t} changes sign, so the residual Gram alone lets
                  // the walk give (nearly) every item the same colour and a halving keep a
                  // handful of items. A constant feature of the item weight scaled to the mean
                  // diagonal, G_ij += (sum_i G_ii / sum_i w_i^2) w_i w_j, makes the walk balance
                  // the colours' weights too, so a halving keeps about half.
                  double diag = 0, w2 = 0;
                  for (Index i = 0; i < n; ++i) {
                      diag += gram(i, i);
                      w2 += items.weight(i) * items.weight(i);
                  }
                  if (n > 0 && w2 > 0 && diag > 0) {
                      const double kappa = diag / w2;
                      for (Index j = 0; j < n; ++j) {
                          for (Index i = j; i < n; ++i) {
                              gram(i, j) +=
                                  static_cast<float>(kappa * items.weight(i) * items.weight(j));
                          }
                      }
                  }
              };
              return o;
          }(),
          seed) {}

void MergeReduceResidualStore::push(const float* key, const float* value, double weight,
                                    Index position) {
    if (recenter_) {
        for (Index j = 0; j < key_sum_.size(); ++j)
            key_sum_[j] += weight * key[j];
        pushed_weight_ += weight;
        *centre_ = key_sum_ / pushed_weight_;
    }
    tree_.push(key, value, weight, position);
}

EstimateBatch MergeReduceResidualStore::estimate_residual(ConstMatrixRef queries, double beta,
                                                          const Eigen::VectorXd& centre,
                                                          int degree) const {
    WeightedCache cache(tree_.dim(), tree_.value_dim());
    tree_.collect(cache, 1.0, 1.0);
    const Index m = cache.size();
    const int d = cache.dim();
    const int dv = cache.value_dim();
    MatrixD K(m, d);
    MatrixD V(m, dv);
    Eigen::VectorXd w(m);
    for (Index s = 0; s < m; ++s) {
        for (int j = 0; j < d; ++j)
            K(s, j) = cache.key(s)[j] - centre[j];
        for (int j = 0; j < dv; ++j)
            V(s, j) = cache.value(s)[j];
        w[s] = cache.weight_den(s);
    }
    return residual_sum(queries.cast<double>(), K, V, w, beta, centre, degree);
}

double MergeReduceResidualStore::memory_floats() const {
    return static_cast<double>(tree_.size()) * (tree_.dim() + tree_.value_dim() + 1);
}

void MergeReduceResidualStore::describe(SketchView& view) const {
    WeightedCache cache(tree_.dim(), tree_.value_dim());
    tree_.collect(cache, 1.0, 1.0);
    cache.describe(view);
    for (auto& t : tree_.tree_views("residual e_{>t}"))
        view.merge_trees.push_back(std::move(t));
}

void MergeReduceResidualStore::clear() {
    tree_.reset();
    key_sum_.setZero();
    pushed_weight_ = 0;
    centre_->setZero();
}

}  // namespace kvscope
