#include "metrics/exact_reference.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kvscope {

namespace {
constexpr Index kKeyBlock = 2048;
}

ExactReference::ExactReference(int dim, int value_dim)
    : dim_(dim),
      value_dim_(value_dim),
      gram_(Eigen::MatrixXd::Zero(value_dim, value_dim)),
      power_vector_(Eigen::VectorXd::Ones(value_dim).normalized()) {}

void ExactReference::append(const TokenBlock& block) {
    const Index n = block.size();
    keys_.resize((size_ + n) * dim_);
    values_.resize((size_ + n) * value_dim_);
    Eigen::Map<Matrix>(keys_.data() + size_ * dim_, n, dim_) = block.keys;
    Eigen::Map<Matrix>(values_.data() + size_ * value_dim_, n, value_dim_) = block.values;
    // Token by token, in stream order: the Gram matrix (and so eps_fro, eps_op) must not depend
    // on how the stream was cut into blocks.
    for (Index i = 0; i < n; ++i) {
        const Eigen::VectorXd v = block.values.row(i).cast<double>().transpose();
        gram_.selfadjointView<Eigen::Lower>().rankUpdate(v);
        max_value_norm_ = std::max(max_value_norm_, v.norm());
    }
    size_ += n;
}

void ExactReference::clear() {
    size_ = 0;
    keys_.clear();
    values_.clear();
    gram_.setZero();
    power_vector_ = Eigen::VectorXd::Ones(value_dim_).normalized();
    max_value_norm_ = 0;
}

Eigen::Map<const Matrix> ExactReference::keys() const {
    return Eigen::Map<const Matrix>(keys_.data(), size_, dim_);
}

Eigen::Map<const Matrix> ExactReference::values() const {
    return Eigen::Map<const Matrix>(values_.data(), size_, value_dim_);
}

ReferenceResult ExactReference::evaluate(
    ConstMatrixRef queries, double beta,
    const std::vector<const std::vector<double>*>& masks) const {
    const Index P = queries.rows();
    const Index M = static_cast<Index>(masks.size());
    ReferenceResult r;
    r.num = Eigen::MatrixXd::Zero(P, value_dim_);
    r.den = Eigen::VectorXd::Zero(P);
    r.shift = Eigen::VectorXd::Constant(P, -std::numeric_limits<double>::infinity());
    r.mass = Eigen::MatrixXd::Zero(P, M);
    Eigen::VectorXd sum_sq = Eigen::VectorXd::Zero(P);
    const MatrixD q = beta * queries.cast<double>();

    MatrixD logits;
    Eigen::MatrixXd indicator(0, M);
    for (Index begin = 0; begin < size_; begin += kKeyBlock) {
        const Index count = std::min(kKeyBlock, size_ - begin);
        const MatrixD kb = keys().middleRows(begin, count).cast<double>();
        logits.noalias() = q * kb.transpose();
        // Online max-subtraction: rescale what was accumulated when the running max grows.
        const Eigen::VectorXd block_max = logits.rowwise().maxCoeff();
        for (Index p = 0; p < P; ++p) {
            const double m = std::max(r.shift[p], block_max[p]);
            if (m > r.shift[p] && r.den[p] != 0.0) {
                const double f = std::exp(r.shift[p] - m);
                r.num.row(p) *= f;
                r.den[p] *= f;
                sum_sq[p] *= f * f;
                if (M > 0) r.mass.row(p) *= f;  // row() of a 0-column matrix is UB
            }
            r.shift[p] = m;
            logits.row(p).array() = (logits.row(p).array() - m).exp();
        }
        r.den += logits.rowwise().sum();
        sum_sq += logits.rowwise().squaredNorm();
        r.num.noalias() += logits * values().middleRows(begin, count).cast<double>();
        if (M > 0) {
            indicator.setZero(count, M);
            for (Index j = 0; j < M; ++j) {
                const std::vector<double>& mask = *masks[j];
                for (Index i = 0; i < count; ++i) {
                    const Index pos = begin + i;
                    if (pos < static_cast<Index>(mask.size())) indicator(i, j) = mask[pos];
                }
            }
            r.mass.noalias() += logits * indicator;
        }
    }
    r.attention.resize(P, value_dim_);
    r.softmax_norm.resize(P);
    for (Index p = 0; p < P; ++p) {
        if (r.den[p] > 0) {
            r.attention.row(p) = r.num.row(p) / r.den[p];
            r.softmax_norm[p] = std::sqrt(sum_sq[p]) / r.den[p];
            if (M > 0) r.mass.row(p) /= r.den[p];
        } else {
            r.attention.row(p).setConstant(std::numeric_limits<double>::quiet_NaN());
            r.softmax_norm[p] = std::numeric_limits<double>::quiet_NaN();
            if (M > 0) r.mass.row(p).setConstant(std::numeric_limits<double>::quiet_NaN());
            r.shift[p] = 0;
        }
    }
    return r;
}

double ExactReference::value_frobenius_norm() const {
    return std::sqrt(gram_.trace());
}

Eigen::MatrixXd ExactReference::gram() const {
    return gram_.selfadjointView<Eigen::Lower>();
}

double ExactReference::value_operator_norm() {
    if (size_ == 0) return 0.0;
    // G is PSD; warm-started iterations converge quickly as G changes slowly between calls.
    // Stop when the eigen-residual is tiny; a small spectral gap needs more iterations.
    const Eigen::MatrixXd g = gram();
    Eigen::VectorXd x = power_vector_;
    double lambda = 0;
    for (int it = 0; it < 5000; ++it) {
        const Eigen::VectorXd y = g * x;
        const double norm = y.norm();
        if (norm == 0.0) return 0.0;
        lambda = x.dot(y);
        const double residual = (y - lambda * x).norm();
        x = y / norm;
        if (residual <= 1e-7 * lambda) break;
    }
    power_vector_ = x;
    return std::sqrt(std::max(lambda, 0.0));
}

}  // namespace kvscope
