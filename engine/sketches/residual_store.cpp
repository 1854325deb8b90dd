#include "sketches/residual_store.hpp"

#include <algorithm>
#include <cmath>

namespace kvscope {

ReservoirResidualStore::ReservoirResidualStore(int dim, int value_dim, Index budget,
                                               std::uint64_t seed)
    : budget_(budget), seed_(seed), rng_(seed), cache_(dim, value_dim) {}

void ReservoirResidualStore::push(const float* key, const float* value, double weight,
                                  Index position) {
    if (weight != 1.0) unit_weights_ = false;
    if (cache_.size() < budget_) {
        cache_.push(key, value, weight, weight, position);
    } else {
        const Index j = rng_.below(offered_ + 1);
        if (j < budget_) cache_.set(j, key, value, weight, weight, position);
    }
    ++offered_;
}

EstimateBatch ReservoirResidualStore::estimate_residual(ConstMatrixRef queries, double beta,
                                                        const Eigen::VectorXd& centre,
                                                        int degree) const {
    const Index P = queries.rows();
    const Index m = cache_.size();
    const int d = cache_.dim();
    const int dv = cache_.value_dim();
    EstimateBatch out = EstimateBatch::zeros(P, dv);
    const MatrixD Qd = queries.cast<double>();
    out.shift = beta * (Qd * centre);
    if (m == 0) return out;
    MatrixD K(m, d);
    MatrixD V(m, dv);
    Eigen::VectorXd w(m);
    const double ht = static_cast<double>(offered_) / static_cast<double>(m);
    for (Index s = 0; s < m; ++s) {
        for (int j = 0; j < d; ++j)
            K(s, j) = cache_.key(s)[j] - centre[j];
        for (int j = 0; j < dv; ++j)
            V(s, j) = cache_.value(s)[j];
        w[s] = ht * cache_.weight_den(s);
    }
    MatrixD X = (beta * Qd) * K.transpose();  // [P x m] logits around the centre
    // r_t(x) = e^x - T_t(x) evaluated directly: the cancellation costs relative accuracy of the
    // small residual only, an absolute error ~1e-16 e^x per weight, negligible against Z.
    const Eigen::VectorXd top = X.rowwise().maxCoeff();
    for (Index r = 0; r < P; ++r) {
        // Log-safe only when needed: above e^30 the row is shifted by its largest logit.
        const double extra = top[r] > 30.0 ? top[r] : 0.0;
        auto row = X.row(r).array();
        // T_t(x) by Horner: 1 + x/1 (1 + x/2 (1 + ... (1 + x/t))).
        Eigen::ArrayXd poly = Eigen::ArrayXd::Zero(m);
        for (int l = degree; l >= 0; --l)
            poly = poly * row.transpose() / (l + 1) + 1.0;
        row = (row - extra).exp() - poly.transpose() * std::exp(-extra);
        out.shift[r] += extra;
    }
    const MatrixD R = X * w.asDiagonal();
    out.num = R * V;
    out.den = R.rowwise().sum();
    return out;
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

}  // namespace kvscope
