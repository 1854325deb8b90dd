// The exact reference: every key and value seen, and exact attention for a probe batch computed
// in double as blocked GEMMs with an online max-subtraction (no overflow for large logits).
// Also keeps the value Gram matrix G = sum v v^T so ||V||_F = sqrt(tr G) and ||V||_op =
// sqrt(lambda_max(G)) are available at any step (power iteration, warm-started).
//
// Streaming mode (stream_against): for a fixed probe set the exact sums are running sums, so the
// reference keeps only them, the Gram matrix and the last partial block of at most 2,048 tokens:
// memory O(P d_v + 2048 (d + d_v) + d_v^2) whatever the stream's length. Blocks are summed at the
// same boundaries as the stored evaluation, so both modes give bit-identical results.
#pragma once

#include <memory>
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
    /// Switches to streaming mode for `probes` [P x d] at `beta` (before any token): tokens are
    /// then summed as they arrive and not kept. Throws std::logic_error after tokens arrived.
    void stream_against(std::shared_ptr<const Matrix> probes, double beta);
    bool streaming() const { return stream_probes_ != nullptr; }

    /// Stores the block's keys and values and updates the Gram matrix. O(n (d + d_v^2)).
    void append(const TokenBlock& block);
    void clear();

    Index size() const { return size_; }
    int dim() const { return dim_; }
    int value_dim() const { return value_dim_; }
    /// Stored keys [size x d] and values [size x d_v]; std::logic_error in streaming mode.
    Eigen::Map<const Matrix> keys() const;
    Eigen::Map<const Matrix> values() const;

    /// Exact attention for `queries` [P x d]. `masks` are 0/1 indicator vectors over stream
    /// positions [size] (each may be shorter; missing entries count as 0); `mass` gets one
    /// column per mask. Cost O(P size (d + d_v + masks)). In streaming mode only the probes it
    /// streams against, at its beta and without masks (else std::logic_error), in O(P 2048 d).
    ReferenceResult evaluate(ConstMatrixRef queries, double beta,
                             const std::vector<const std::vector<double>*>& masks = {}) const;

    double value_frobenius_norm() const;  ///< ||V||_F
    Eigen::MatrixXd gram() const;         ///< G = V^T V, [d_v x d_v]
    /// ||V||_op, by power iteration on the Gram matrix, warm-started from the last call.
    double value_operator_norm();
    double max_value_norm() const { return max_value_norm_; }

  private:
    /// Running exact sums for P queries: N = exp(shift) num, Z = exp(shift) den, sum of p^2.
    struct Sums {
        Sums() = default;
        Sums(Index probes, int value_dim, Index masks);
        /// Adds keys/values [count x d], [count x d_v] at stream position `begin`; q is beta Q.
        void add_block(const MatrixD& q, ConstMatrixRef keys, ConstMatrixRef values, Index begin,
                       const std::vector<const std::vector<double>*>& masks);
        ReferenceResult finish() const;
        Eigen::MatrixXd num;
        Eigen::VectorXd den, shift, sum_sq;
        Eigen::MatrixXd mass;
    };
    void store(std::vector<float>& keys, std::vector<float>& values, Index at,
               const TokenBlock& block) const;
    Eigen::Map<const Matrix> pending_keys() const;
    Eigen::Map<const Matrix> pending_values() const;

    int dim_;
    int value_dim_;
    Index size_ = 0;
    std::vector<float> keys_;
    std::vector<float> values_;
    Eigen::MatrixXd gram_;
    Eigen::VectorXd power_vector_;
    double max_value_norm_ = 0;
    // Streaming mode: the probes, beta * probes, the sums of whole blocks, and the partial block
    // (held in keys_/values_, pending_ rows).
    std::shared_ptr<const Matrix> stream_probes_;
    MatrixD stream_q_;
    double stream_beta_ = 0;
    Sums committed_;
    Index pending_ = 0;
};

}  // namespace kvscope
