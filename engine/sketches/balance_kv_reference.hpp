// balance_kv_reference: a mode faithful to the BalanceKV authors' published code
// (github.com/ksheth96/BalanceKV, src/balanced_walk.py, as described in docs/algorithms.md §2.6
// "Practical version"), so that results can be set beside theirs on identical data.
// Paper: "Streaming Attention Approximation via Discrepancy Theory", arXiv 2502.07861.
//
// Tokens are cached exactly until `compress_at` tokens have been seen. Then, once, the middle of
// the cache (after `sinks` tokens, before the last `window`) is compressed in `rounds` (T) rounds;
// every later token is appended exactly. One round over the current n items:
//  1. cut the sequence into blocks of `block` tokens, the last one zero-padded to the block size
//     (so its mean key is the sum of its keys over `block`); in each block independently run the
//     walk with kernel K_ij = exp(temp beta <k_i - mu_B, k_j - mu_B> - beta_offset)
//     (<v'_i, v'_j> + 1e-8 + c) (mu_B the block's mean key, v' the values times their current
//     weights, c = `den_const`), the first token of a block +1, then
//     P(+1) = 1/2 - gamma sum_{i<j} K_ij eta_i clamped to [0, 1] (no normalisation, no FAIL test);
//  2. concatenate the blocks' signs and select exactly floor(n/2) items as their code does
//     (reference_select): with c the later of the first indices where each colour reaches
//     floor(n/2) members (0 for a colour that never does), items up to c get weight 2 eta_i,
//     negated when eta_c = +1, items after c weight 1, and the first floor(n/2) of a stable
//     descending sort survive. So: the colour that did not complete at c is kept x2 with the tail
//     x1; on a tie (even n, n/2 each) the colour that reached n/2 first, all x2; on odd n the
//     first floor(n/2) members of the colour that reached floor(n/2) first, all x2. The survivors'
//     order (doubled colour, then tail) is the order the next round cuts its blocks in.
// After T rounds a compressed token carries denominator weight 2^T (their logit bias log 2^T)
// and numerator weight w, the product of its x2/x1 factors (their values pre-multiplied by
// w / 2^T).
// Guarantee: none stated for this heuristic form (the walk has no FAIL test and the weights are
// not the theory's); error decreases roughly like discrepancy halving on smooth data.
// Differences from the streaming balance_kv (all deliberate, for fidelity):
//  * one-shot compression of a prefix (no merge-and-reduce, no later compression; decode tokens
//    grow the cache linearly);
//  * no value-norm buckets and no separate denominator walk: one joint walk, with the absolute
//    constant c as the denominator coordinate (balance_kv scales it by mean |v|^2);
//  * unnormalised walk strength gamma (balance_kv normalises by the mean Gram diagonal);
//  * their exact-half selection and mismatched weights (numerator w, denominator 2^T;
//    balance_kv uses one weight for both and conserves total weight);
//  * beta replaces their fixed 1/sqrt(d) (equal under the default beta); their torch RNG is
//    replaced by the engine's seeded Rng, so signs match theirs only in distribution;
//  * their needle-preserving variant (layer-1 anti-correlated tokens) is not implemented.
// Weights: exact tokens weigh 1 in both sums; a compressed token weighs 2^T in the denominator
// (so the denominator weights sum to the tokens seen when 2^T divides the middle's size) and w
// in the numerator (their sum is the middle's size minus the prefixes' colour imbalances).
// Space after compression: S + W + (compress_at - S - W) / 2^T + (tokens since) tokens.
// Cost of the compression: O(n block (d + d_v)) per round (one GEMM pair per block).
#pragma once

#include <vector>

#include "blocks/softmax_balance.hpp"
#include "core/registry.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

struct ReferenceOptions {
    Index block = 128;
    double gamma = 4.0;
    double temp = 1.0;
    double beta_offset = 0.0;
    double den_const = 0.025;
    int rounds = 2;
    double beta = 0.25;
};

struct ReferenceResult {
    std::vector<Index> kept;      ///< indices into the input rows, in the authors' order
    std::vector<double> weights;  ///< numerator weight w of each kept row
    double den_weight = 1;        ///< 2^T
    WalkResult first_block_walk;  ///< the first block of the last round (for the view)
    Index first_block_size = 0;
};

/// The authors' selection from the concatenated signs of one round: floor(n/2) items (indices
/// in their order) and their factors (2 or 1); see the file comment. n < 2 keeps nothing.
Halving reference_select(const std::vector<std::int8_t>& signs);

/// The authors' balancing kernel over one block of keys [n x d] and weighted values
/// [n x d_v], lower triangle; `padded` is the block size the mean key divides by (their zero
/// padding of the last block; n for a full block).
void reference_block_gram(const Matrix& keys, const Matrix& values_w, Index padded,
                          const ReferenceOptions& options, Eigen::MatrixXf& gram);

/// Compresses rows of `keys` [n x d] and `values` [n x d_v] with the authors' procedure.
/// Cost O(T n block (d + d_v)).
ReferenceResult balance_kv_reference_compress(ConstMatrixRef keys, ConstMatrixRef values,
                                              const ReferenceOptions& options, Rng& rng);

class BalanceKvReferenceSketch final : public Sketch {
  public:
    explicit BalanceKvReferenceSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    void compress_now();

    ReferenceOptions options_;
    Index compress_at_;
    Index sinks_;
    Index window_;
    Index seen_ = 0;
    bool compressed_ = false;
    Rng rng_;
    WeightedCache cache_;
    // The first block of the last round, for the walk view.
    Matrix walk_keys_;
    Matrix walk_values_;
    std::vector<double> walk_weights_;
    WalkResult walk_;
};

SketchInfo balance_kv_reference_sketch_info();

}  // namespace kvscope
