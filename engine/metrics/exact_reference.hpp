// The exact reference: every key and value seen, and exact attention for a probe batch computed
// in double as blocked GEMMs with an online max-subtraction (no overflow for large logits).
// Also keeps the value Gram matrix G = sum v v^T so ||V||_F = sqrt(tr G) and ||V||_op =
// sqrt(lambda_max(G)) are available at any step (power iteration, warm-started).
#pragma once

#include <vector>

#include "core/types.hpp"

namespace kvscope {

/// Exact quantities for a batch of P queries.
struct ReferenceResult {
    Eigen::MatrixXd num;           ///< [P x d_v], N = exp(shift) * num
    Eigen::VectorXd den;           ///< [P],       Z = exp(shift) * den
    Eigen::VectorXd shift;         ///< [P]
    Eigen::MatrixXd attention;     ///< [P x d_v], N / Z
    Eigen::VectorXd softmax_norm;  ///< [P], ||p(q)||_2
    Eigen::MatrixXd mass;          ///< [P x masks], share of softmax mass on each mask
};

class ExactReference {
  public:
    ExactReference(int dim, int value_dim);

    /// Stores the block's keys and values and updates the Gram matrix. O(n (d + d_v^2)).
    void append(const TokenBlock& block);
    void clear();

    Index size() const { return size_; }
    int dim() const { return dim_; }
    int value_dim() const { return value_dim_; }
    /// Stored keys [size x d] and values [size x d_v].
    Eigen::Map<const Matrix> keys() const;
    Eigen::Map<const Matrix> values() const;

    /// Exact attention for `queries` [P x d]. `masks` are 0/1 indicator vectors over stream
    /// positions [size] (each may be shorter; missing entries count as 0); `mass` gets one
    /// column per mask. Cost O(P size (d + d_v + masks)).
    ReferenceResult evaluate(ConstMatrixRef queries, double beta,
                             const std::vector<const std::vector<double>*>& masks = {}) const;

    double value_frobenius_norm() const;  ///< ||V||_F
    Eigen::MatrixXd gram() const;         ///< G = V^T V, [d_v x d_v]
    /// ||V||_op, by power iteration on the Gram matrix, warm-started from the last call.
    double value_operator_norm();
    double max_value_norm() const { return max_value_norm_; }

  private:
    int dim_;
    int value_dim_;
    Index size_ = 0;
    std::vector<float> keys_;
    std::vector<float> values_;
    Eigen::MatrixXd gram_;
    Eigen::VectorXd power_vector_;
    double max_value_norm_ = 0;
};

}  // namespace kvscope
