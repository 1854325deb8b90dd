#include "metrics/projection.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>

namespace kvscope {

std::array<float, 3> Projection::offset() const {
    std::array<float, 3> o{0, 0, 0};
    if (!valid()) return o;
    const Eigen::VectorXd c = basis * mean;
    for (int i = 0; i < k; ++i)
        o[static_cast<std::size_t>(i)] = static_cast<float>(c[i]);
    return o;
}

Projection fit_pca(ConstMatrixRef keys, int k) {
    Projection p;
    const int d = static_cast<int>(keys.cols());
    p.dim = d;
    p.fitted_on = keys.rows();
    p.k = std::clamp(k, 1, std::max(1, d));
    if (d <= 0) {
        p.k = 0;
        return p;
    }
    const Index n = keys.rows();
    if (d <= 2 || n < 2) {
        // Exact (d <= 2) or nothing to fit yet: coordinate axes, mean 0.
        p.k = std::min(p.k, d);
        p.exact = d <= 2;
        p.mean = Eigen::VectorXd::Zero(d);
        p.basis = Eigen::MatrixXd::Identity(p.k, d);
        p.variance = Eigen::VectorXd::Zero(p.k);
        return p;
    }
    const Eigen::MatrixXd x = keys.cast<double>();
    p.mean = x.colwise().mean().transpose();
    const Eigen::MatrixXd centred = x.rowwise() - p.mean.transpose();
    const Eigen::MatrixXd cov = (centred.transpose() * centred) / static_cast<double>(n - 1);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
    p.total_variance = cov.trace();
    p.basis.resize(p.k, d);
    p.variance.resize(p.k);
    // Eigenvalues come in increasing order; take the largest k. Sign: the largest-magnitude
    // component positive, so a refit on similar data does not mirror the view.
    for (int i = 0; i < p.k; ++i) {
        Eigen::VectorXd v = eig.eigenvectors().col(d - 1 - i);
        Index arg = 0;
        v.cwiseAbs().maxCoeff(&arg);
        if (v[arg] < 0) v = -v;
        p.basis.row(i) = v.transpose();
        p.variance[i] = std::max(0.0, eig.eigenvalues()[d - 1 - i]);
    }
    return p;
}

void project_rows(const Projection& p, ConstMatrixRef rows, float* out) {
    const Index n = rows.rows();
    if (!p.valid() || n == 0) {
        std::fill(out, out + 3 * n, 0.0f);
        return;
    }
    // Centred GEMM in double: [n x d] * [d x k].
    const Eigen::MatrixXd y =
        (rows.cast<double>().rowwise() - p.mean.transpose()) * p.basis.transpose();
    for (Index r = 0; r < n; ++r) {
        for (int c = 0; c < 3; ++c)
            out[3 * r + c] = c < p.k ? static_cast<float>(y(r, c)) : 0.0f;
    }
}

std::array<float, 3> project_point(const Projection& p, ConstVectorRef row) {
    std::array<float, 3> o{0, 0, 0};
    if (!p.valid() || row.size() != p.dim) return o;
    const Eigen::VectorXd y = p.basis * (row.cast<double>() - p.mean);
    for (int i = 0; i < p.k; ++i)
        o[static_cast<std::size_t>(i)] = static_cast<float>(y[i]);
    return o;
}

std::array<float, 3> project_direction(const Projection& p, ConstVectorRef row) {
    std::array<float, 3> o{0, 0, 0};
    if (!p.valid() || row.size() != p.dim) return o;
    const Eigen::VectorXd y = p.basis * row.cast<double>();
    for (int i = 0; i < p.k; ++i)
        o[static_cast<std::size_t>(i)] = static_cast<float>(y[i]);
    return o;
}

}  // namespace kvscope
