// Projection of d-dimensional keys to 2-D or 3-D for the embedding view.
//
// `fit_pca` takes the top-k eigenvectors of the key covariance (Eigen's SelfAdjointEigenSolver,
// in double; d up to a few hundred). The basis is frozen once fitted: new tokens are projected
// with it, so points never jump while the stream runs (the view offers "refit"). When d == 2
// the projection is the identity with mean 0 (`exact`): the view shows the keys themselves.
//
// Coordinates are centred: p = B (k - mean), with B the [k x d] basis (orthonormal rows). For a
// query in the projection plane, q = u b1 + v b2, the logit is exactly
//     <k, q> = <B k, (u, v)> = <p + B mean, (u, v)>,
// so the kernel field exp(beta <k, q>) over that plane is computable from the centred projected
// coordinates and `offset()` = B mean alone; the term <B mean, (u, v)> is one factor
// exp(beta <B mean, (u, v)>) common to every key. Key components orthogonal to the plane do not
// enter for such queries. The projected third coordinate is 0 when k == 2 or d < 3.
#pragma once

#include <array>
#include <vector>

#include "core/types.hpp"

namespace kvscope {

struct Projection {
    int dim = 0;                ///< d of the keys
    int k = 0;                  ///< 2 or 3 (rows of basis); 0 when not fitted
    Eigen::VectorXd mean;       ///< [d]
    Eigen::MatrixXd basis;      ///< [k x d], orthonormal rows, largest variance first
    Eigen::VectorXd variance;   ///< [k] variance along each basis row
    double total_variance = 0;  ///< trace of the covariance
    bool exact = false;         ///< d == 2: identity, mean 0
    Index fitted_on = 0;        ///< tokens the basis was fitted on

    bool valid() const { return k > 0 && basis.cols() == dim; }
    /// B mean, padded to 3 (see the header comment).
    std::array<float, 3> offset() const;
};

/// Fits the top-k principal axes of `keys` [n x d] (k = 2 or 3, clamped to d). With d == 2 (or
/// d == 1) the result is the exact identity projection. n may be 0 (then the basis is the
/// first k coordinate axes and the mean 0).
Projection fit_pca(ConstMatrixRef keys, int k);

/// Projects rows [n x d] to centred coordinates, writing n rows of 3 floats to `out` (third
/// coordinate 0 when k == 2).
void project_rows(const Projection& p, ConstMatrixRef rows, float* out);
/// One row (a query or a key) as 3 floats, centred. For directions (a query arrow) use
/// project_direction, which does not subtract the mean.
std::array<float, 3> project_point(const Projection& p, ConstVectorRef row);
std::array<float, 3> project_direction(const Projection& p, ConstVectorRef row);

}  // namespace kvscope
