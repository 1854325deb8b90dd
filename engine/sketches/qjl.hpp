// qjl: 1-bit quantized Johnson-Lindenstrauss key sketch. Each key k is stored as the signs of
// a seeded Gaussian projection, sign(S k) in {-1, +1}^m (m = `bits`), plus its norm ||k||;
// values are kept per token in full precision. Logits use the asymmetric estimator
//   <q, k> ~ sqrt(pi/2) / m * ||k|| * <S q, sign(S k)>,
// which is unbiased over S (E[<s, q> sign(<s, k>)] = sqrt(2/pi) <q, k> / ||k|| for s ~ N(0, I)).
//
// Paper: Zandieh, Daliri, Han, "QJL: 1-Bit Quantized JL Transform for KV Cache Quantization with
// Zero Overhead", arXiv:2406.03482. docs/algorithms.md 2.5. Guarantee: the inner-product estimate
// is unbiased with variance <= (pi/2) ||q||^2 ||k||^2 / m, so relative score error eps needs m =
// O(eps^-2 log n) bits per token, independent of d [S]. The attention output is not unbiased (exp
// of an unbiased logit is biased upward). Departures: no separate treatment of outlier channels and
// no residual window (the paper keeps some in full precision [M]); S is regenerated from the seed,
// so it is not counted in memory; the norm is counted as a 32-bit float (the paper uses fp16 [M]).
// Space: n (m + 32 + 32 d_v) bits, held as stated: the signs packed m bits per key, the norm and
// the values as 32-bit floats, positions as one run (packed_store.hpp), so peak memory follows
// memory_bytes. Queries are evaluated over blocks of keys whose logits fit a fixed buffer of
// 2^22 doubles (32 MiB), combined with EstimateBatch::add; when every key fits one block (P n <=
// 2^22, which covers the shipped presets) the arithmetic is the unblocked one, bit for bit.
// Update O(m d) per token; query O(P n m).
#pragma once

#include <vector>

#include "blocks/packed_store.hpp"
#include "core/registry.hpp"

namespace kvscope {

class QjlSketch final : public Sketch {
  public:
    explicit QjlSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

    /// Estimated inner products <q_p, k_i> for every query row and stored token, [P x n] (for
    /// tests: it holds all n columns at once).
    Eigen::MatrixXd inner_products(ConstMatrixRef queries) const;
    /// The projection S [m x d].
    const Matrix& projection() const { return projection_; }
    /// Bytes the state holds, capacity included, without the seeded projection (which memory
    /// does not count either): what memory_bytes promises, plus the panels' bounded samples.
    std::size_t held_bytes() const;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    /// Inner products of `sq` (queries times the projection, [P x m]) with stored keys
    /// [first, first + count): [P x count].
    Eigen::MatrixXd block_inner_products(const Eigen::MatrixXd& sq, Index first, Index count) const;

    int bits_;
    Matrix projection_;
    Index seen_ = 0;
    PackedCodes signs_{1};        ///< [n x m] sign bits, 1 for +1, token-major
    ChunkedArray<float> norms_;   ///< [n]
    ChunkedArray<float> values_;  ///< [n x d_v]
    PositionRuns positions_;
    std::vector<double> channel_abs_sum_;
    std::vector<double> logit_error_;  ///< beta (<q, k>^ - <q, k>) with the token's own query
    std::vector<double> logit_exact_;  ///< beta <q, k> of the same samples
};

SketchInfo qjl_sketch_info();

}  // namespace kvscope
