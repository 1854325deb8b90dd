#include "metrics/exact_reference.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace kvscope {

namespace {
constexpr Index kKeyBlock = 2048;
}

ExactReference::Sums::Sums(Index probes, int value_dim, Index masks)
    : num(Eigen::MatrixXd::Zero(probes, value_dim)),
      den(Eigen::VectorXd::Zero(probes)),
      shift(Eigen::VectorXd::Constant(probes, -std::numeric_limits<double>::infinity())),
      sum_sq(Eigen::VectorXd::Zero(probes)),
      mass(Eigen::MatrixXd::Zero(probes, masks)) {}

void ExactReference::Sums::add_block(const MatrixD& q, ConstMatrixRef keys, ConstMatrixRef values,
                                     Index begin,
                                     const std::vector<const std::vector<double>*>& masks) {
    const Index P = q.rows();
    const Index M = static_cast<Index>(masks.size());
    const Index count = keys.rows();
    const MatrixD kb = keys.cast<double>();
    MatrixD logits;
    logits.noalias() = q * kb.transpose();
    // Online max-subtraction: rescale what was accumulated when the running max grows.
    const Eigen::VectorXd block_max = logits.rowwise().maxCoeff();
    for (Index p = 0; p < P; ++p) {
        const double m = std::max(shift[p], block_max[p]);
        if (m > shift[p] && den[p] != 0.0) {
            const double f = std::exp(shift[p] - m);
            num.row(p) *= f;
            den[p] *= f;
            sum_sq[p] *= f * f;
            if (M > 0) mass.row(p) *= f;  // row() of a 0-column matrix is UB
        }
        shift[p] = m;
        logits.row(p).array() = (logits.row(p).array() - m).exp();
    }
    den += logits.rowwise().sum();
    sum_sq += logits.rowwise().squaredNorm();
    num.noalias() += logits * values.cast<double>();
    if (M > 0) {
        Eigen::MatrixXd indicator = Eigen::MatrixXd::Zero(count, M);
        for (Index j = 0; j < M; ++j) {
            const std::vector<double>& mask = *masks[j];
            for (Index i = 0; i < count; ++i) {
                const Index pos = begin + i;
                if (pos < static_cast<Index>(mask.size())) indicator(i, j) = mask[pos];
            }
        }
        mass.noalias() += logits * indicator;
    }
}

ReferenceResult ExactReference::Sums::finish() const {
    const Index P = den.size();
    const Index M = mass.cols();
    ReferenceResult r;
    r.num = num;
    r.den = den;
    r.shift = shift;
    r.mass = mass;
    r.attention.resize(P, num.cols());
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

ExactReference::ExactReference(int dim, int value_dim)
    : dim_(dim),
      value_dim_(value_dim),
      gram_(Eigen::MatrixXd::Zero(value_dim, value_dim)),
      power_vector_(Eigen::VectorXd::Ones(value_dim).normalized()) {}

void ExactReference::stream_against(std::shared_ptr<const Matrix> probes, double beta) {
    if (size_ != 0) throw std::logic_error("ExactReference: stream_against after tokens arrived");
    stream_probes_ = std::move(probes);
    stream_q_ = beta * stream_probes_->cast<double>();
    stream_beta_ = beta;
    committed_ = Sums(stream_probes_->rows(), value_dim_, 0);
}

void ExactReference::store(std::vector<float>& keys, std::vector<float>& values, Index at,
                           const TokenBlock& block) const {
    const Index n = block.size();
    keys.resize((at + n) * dim_);
    values.resize((at + n) * value_dim_);
    Eigen::Map<Matrix>(keys.data() + at * dim_, n, dim_) = block.keys;
    Eigen::Map<Matrix>(values.data() + at * value_dim_, n, value_dim_) = block.values;
}

void ExactReference::append(const TokenBlock& block) {
    const Index n = block.size();
    if (!streaming()) {
        store(keys_, values_, size_, block);
    } else {
        // Whole kKeyBlock blocks are summed as they complete, at the same boundaries as the
        // stored evaluation, so both modes give the same numbers bit for bit.
        for (Index i = 0; i < n;) {
            const Index take = std::min(n - i, kKeyBlock - pending_);
            const TokenBlock part(block.queries.middleRows(i, take), block.keys.middleRows(i, take),
                                  block.values.middleRows(i, take), block.first_position + i);
            store(keys_, values_, pending_, part);
            pending_ += take;
            i += take;
            if (pending_ == kKeyBlock) {
                committed_.add_block(stream_q_, pending_keys(), pending_values(),
                                     size_ + i - pending_, {});
                pending_ = 0;
                keys_.clear();
                values_.clear();
            }
        }
    }
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
    pending_ = 0;
    keys_.clear();
    values_.clear();
    if (streaming()) committed_ = Sums(stream_probes_->rows(), value_dim_, 0);
    gram_.setZero();
    power_vector_ = Eigen::VectorXd::Ones(value_dim_).normalized();
    max_value_norm_ = 0;
}

Eigen::Map<const Matrix> ExactReference::keys() const {
    if (streaming()) throw std::logic_error("ExactReference: a streaming reference keeps no keys");
    return Eigen::Map<const Matrix>(keys_.data(), size_, dim_);
}

Eigen::Map<const Matrix> ExactReference::values() const {
    if (streaming())
        throw std::logic_error("ExactReference: a streaming reference keeps no values");
    return Eigen::Map<const Matrix>(values_.data(), size_, value_dim_);
}

Eigen::Map<const Matrix> ExactReference::pending_keys() const {
    return Eigen::Map<const Matrix>(keys_.data(), pending_, dim_);
}

Eigen::Map<const Matrix> ExactReference::pending_values() const {
    return Eigen::Map<const Matrix>(values_.data(), pending_, value_dim_);
}

ReferenceResult ExactReference::evaluate(
    ConstMatrixRef queries, double beta,
    const std::vector<const std::vector<double>*>& masks) const {
    if (streaming()) {
        if (!masks.empty() || beta != stream_beta_ || queries.rows() != stream_probes_->rows() ||
            queries.cols() != stream_probes_->cols() || queries != *stream_probes_) {
            throw std::logic_error(
                "ExactReference: a streaming reference answers only its own probes, no masks");
        }
        Sums sums = committed_;
        if (pending_ > 0)
            sums.add_block(stream_q_, pending_keys(), pending_values(), size_ - pending_, {});
        return sums.finish();
    }
    Sums sums(queries.rows(), value_dim_, static_cast<Index>(masks.size()));
    const MatrixD q = beta * queries.cast<double>();
    for (Index begin = 0; begin < size_; begin += kKeyBlock) {
        const Index count = std::min(kKeyBlock, size_ - begin);
        sums.add_block(q, keys().middleRows(begin, count), values().middleRows(begin, count), begin,
                       masks);
    }
    return sums.finish();
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
