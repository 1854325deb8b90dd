// Basic numeric types shared by the whole engine.
//
// Tokens are rows: a token's key is one contiguous row of a row-major float matrix, which is also
// the layout the GPU upload wants. Long sums are accumulated in double.
#pragma once

#include <Eigen/Dense>
#include <cstdint>

namespace kvscope {

using Index = std::int64_t;

/// Row-major float matrix; one token (or one query) per row.
using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
/// Row-major double matrix, for reference computations.
using MatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMatrixRef = Eigen::Ref<const Matrix>;
using ConstVectorRef = Eigen::Ref<const Eigen::VectorXf>;

/// A contiguous run of stream tokens: rows of `queries`, `keys` and `values` belong to stream
/// positions `first_position, first_position + 1, ...`. Queries are visible to query-aware
/// policies; query-agnostic sketches ignore them.
struct TokenBlock {
    TokenBlock(ConstMatrixRef q, ConstMatrixRef k, ConstMatrixRef v, Index first)
        : queries(q), keys(k), values(v), first_position(first) {}
    ConstMatrixRef queries;  ///< [n x d]
    ConstMatrixRef keys;     ///< [n x d]
    ConstMatrixRef values;   ///< [n x d_v]
    Index first_position = 0;
    Index size() const { return keys.rows(); }
};

/// Owned storage for a token block (what a source returns).
struct TokenBatch {
    Matrix queries;  ///< [n x d]
    Matrix keys;     ///< [n x d]
    Matrix values;   ///< [n x d_v]
    Index first_position = 0;
    Index size() const { return keys.rows(); }
    TokenBlock view() const { return TokenBlock(queries, keys, values, first_position); }
};

/// A sketch's answer for a batch of queries, in log-safe form: for query r the numerator is
/// `N_r = exp(shift[r]) * num.row(r)` and the denominator `Z_r = exp(shift[r]) * den[r]`.
/// Terms may be negative (a Taylor residual), so `den` is not assumed positive.
struct EstimateBatch {
    Eigen::MatrixXd num;    ///< [P x d_v]
    Eigen::VectorXd den;    ///< [P]
    Eigen::VectorXd shift;  ///< [P]

    /// An all-zero estimate (an empty sketch): den 0, so the output is undefined ("n/a").
    static EstimateBatch zeros(Index queries, Index value_dim);
    /// Attention output z = N / Z per query, [P x d_v]; rows with den == 0 are NaN.
    Eigen::MatrixXd output() const;
    /// Adds another estimate of the same queries (hybrids compose by addition), rescaling both
    /// to the larger shift so nothing overflows.
    void add(const EstimateBatch& other);
};

}  // namespace kvscope
