// SoftmaxBalance: discrepancy halving of weighted (key, value) items, the BalanceKV primitive.
//
// Paper: "Streaming Attention Approximation via Discrepancy Theory" (Kochetkova, Sheth, Han,
// Zandieh, Kapralov), arXiv 2502.07861, Algorithm 2; docs/algorithms.md §2.6.
//
// Items are u_i = w_i * phi(k_i) (x) v_i with <phi(k), phi(q)> = exp(beta <k, q>). A
// self-balancing walk (Alweiss-Liu-Sawhney, kernelised) colours them with signs eta_i so that
// sum_i eta_i u_i stays small; then one colour is kept with doubled weights. Only the Gram entries
//   G_ij = w_i w_j exp(beta <k_i, k_j>) <v_i, v_j>
// are used, computed as GEMMs over the block; phi is never materialised.
//
// Guarantee (Thm 3.3, theory mode): for any fixed q, with probability >= 1 - delta,
//   || sum_i eta_i w_i e^{beta<k_i,q>} v_i || = O(sqrt(d_v) log(n d_v / delta)
//       e^{beta(|q|^2 + max|k|^2)/2} max w|v|),
// i.e. logarithmic in the batch size n where independent random signs give sqrt(n).
//
// Two walks:
//  * theory:    P(eta_j = +1) = 1/2 - s_j / (2 c R^2), c = 30 log(n / delta),
//               R^2 = e^{beta r_k^2} r_v^2 max w^2 from the observed radii of the batch; a step
//               with |s_j| > c R^2 is a FAIL event (counted, probability clamped, walk goes on).
//  * practical: the authors' code's form P(+1) = 1/2 - gamma s_j, clamped to [0, 1], over a
//               kernel with block-mean recentred keys, a temperature and a joint denominator
//               coordinate: G_ij = w_i w_j exp(s <k_i - mu, k_j - mu>)
//                                   (<v_i, v_j> + den_weight * mean_i |v_i|^2),
//               s = temp / mean_i |k_i - mu|^2 (relative temperature, the default) or
//               s = temp beta (absolute, the authors' form).
//               gamma = 0 gives independent fair signs (uniform halving).
// Departures from the paper and from the authors' code (all [R]):
//  * practical mode divides s_j by the mean Gram diagonal, so `gamma` is scale free: the default
//    gamma = 4 saturates the probability on typical data (near-greedy herding) whatever the
//    value scale or item weights. The authors apply gamma = 4 to an unnormalised kernel (see
//    balance_kv_reference for that form).
//  * the joint denominator coordinate is scaled by the batch's mean |v|^2 (the authors add the
//    absolute constant 0.025), again so that it does not depend on the value scale.
//  * recentring is exact (softmax shift invariance): balancing phi(k - mu) (x) v balances the
//    discrepancy at every q up to the factor e^{beta <mu, q>}.
//  * relative temperature (default temp 0.5): the balancing kernel is smoother than the query
//    kernel and free of the key scale. Measured (docs/discrepancy.md): the query kernel itself
//    (absolute temp 1) or the bound-optimal scale r_q / r_k balances worse than a smooth kernel
//    on correlated and real streams; the smooth kernel balances the low-order moments that
//    every query sees.
//  * keep rules: `half` (default: the walk forces its tail once one colour holds ceil(n/2)
//    items, the larger colour, or a fair coin's on a tie, is kept with every weight x n/m: exactly
//    ceil(n/2) items and equal weights stay equal, so a tree's size follows its formula and a
//    block of random halving is a uniform sample), `smaller` (the paper: the smaller colour, x2;
//    compounded over levels it kept 1 token of 2,048 on a real head), `prefix` (an exact-half
//    rule: in the shortest prefix where one colour reaches floor(n/2) members the other colour
//    is kept x2, every later item x1; balance_kv_reference has the authors' exact selection), and
//    an optional mass correction that rescales the kept weights so that their sum equals the
//    input's (a ratio estimator; exact weight conservation). It is on by default in both modes;
//    set preserve_mass = false for the paper's plain x2.
// Cost: O(n^2 (d + d_v)) for the Gram GEMMs, O(n^2) for the walk; memory O(n^2 + n (d + d_v)).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/params.hpp"
#include "core/random.hpp"
#include "core/sketch_view.hpp"
#include "core/types.hpp"

namespace kvscope {

/// A read-only batch of weighted items, rows row-major and contiguous.
struct ItemSpan {
    const float* keys = nullptr;      ///< [n x dim]
    const float* values = nullptr;    ///< [n x value_dim]
    const double* weights = nullptr;  ///< [n], or nullptr for all ones
    Index n = 0;
    int dim = 0;
    int value_dim = 0;
    double weight(Index i) const { return weights ? weights[i] : 1.0; }
};

enum class WalkMode { Practical, Theory };
enum class KeepRule { Half, Smaller, Prefix };
/// Parses "half" | "smaller" | "prefix" (throws std::invalid_argument otherwise).
KeepRule keep_rule_from_string(const std::string& name);

struct BalanceOptions {
    WalkMode mode = WalkMode::Practical;
    double beta = 0.25;  ///< kernel inverse temperature (SketchContext::beta)
    double gamma = 4.0;  ///< practical walk strength; 0 = independent fair signs
    double temp = 0.5;   ///< practical: sharpness of the balancing kernel (see relative_temp)
    bool relative_temp = true;  ///< practical: logits / mean |k - mu|^2 (else x beta)
    bool recenter = true;       ///< practical: subtract the batch's mean key
    double den_weight = 0.025;  ///< practical: joint denominator coordinate (x mean |v|^2)
    bool normalize = true;      ///< practical: divide s_j by the mean Gram diagonal
    double delta = 0.01;        ///< theory: failure probability in c = 30 log(n / delta)
    double theory_n = 0;        ///< theory: the n in c (stream length); <= 0 uses the batch size
    KeepRule keep = KeepRule::Half;
    bool preserve_mass = true;  ///< rescale kept weights so their sum equals the input's
    bool record_trace = false;  ///< keep the per-step (s_j, p_j, eta_j)
    bool first_plus = false;    ///< the first item gets +1 (the authors' code) instead of a coin
};

/// Fills `gram` [n x n] with <u_i, u_j> for a custom balancing kernel. Only the lower triangle
/// (i <= j) is read. A later sketch (the 2026 hybrid's residual kernel) passes its own.
using GramCallback = std::function<void(const ItemSpan& items, Eigen::MatrixXf& gram)>;

/// The default Gram of `options` (practical: recentred, tempered, joint denominator
/// coordinate; theory: plain exp(beta <k_i,k_j>) <v_i,v_j>), times w_i w_j. Two GEMMs.
void softmax_gram(const ItemSpan& items, const BalanceOptions& options, Eigen::MatrixXf& gram);

/// Gram of a scalar kernel of the logit, f(beta <k_i, k_j>) w_i w_j <v_i, v_j>, e.g. the residual
/// e_{>t}(x) of a Taylor split. One GEMM for the logits, one for the values.
GramCallback scalar_kernel_gram(double beta, std::function<double(double)> f);

struct WalkResult {
    std::vector<std::int8_t> signs;  ///< eta_i in {-1, +1}
    std::vector<WalkStep> trace;     ///< when record_trace
    Index fail_events = 0;           ///< theory mode: steps with |s_j| > c R^2
    double scale = 1;                ///< the normaliser of s_j (c R^2 or the mean diagonal)
};

/// Runs the self-balancing walk over `gram` (lower triangle read) in item order. `radius_sq`
/// is R^2 for theory mode (ignored in practical mode). Cost O(n^2).
WalkResult balance_walk(const Eigen::MatrixXf& gram, double radius_sq,
                        const BalanceOptions& options, Rng& rng);

struct Halving {
    std::vector<Index> kept;     ///< indices into the input, increasing
    std::vector<double> factor;  ///< weight multiplier of each kept item
    WalkResult walk;
};

/// Chooses the kept items and their weight factors from signs (see the keep rules above).
/// `rng` breaks the tie of equal colours under KeepRule::Smaller.
Halving select_half(std::vector<std::int8_t> signs, const ItemSpan& items,
                    const BalanceOptions& options, Rng& rng);

/// The whole primitive: Gram (default or `gram_fn`), walk, kept colour. Items with n <= 1 are
/// kept unchanged.
Halving softmax_balance_halve(const ItemSpan& items, const BalanceOptions& options, Rng& rng,
                              const GramCallback& gram_fn = nullptr);

/// Random halving with independent fair signs and the same keep rule (the `uniform` compressor).
Halving uniform_halve(const ItemSpan& items, const BalanceOptions& options, Rng& rng);

/// Pair-and-sample halving (third-party 2606.07205 code, docs/algorithms.md 2.9): sort by a random
/// projection of the keys, pair neighbours, keep one of each pair with probability proportional
/// to its weight and give it the pair's total weight. Unbiased; Monte-Carlo quality only.
Halving pair_sample_halve(const ItemSpan& items, Rng& rng);

/// Discrepancy || sum_i eta_i w_i e^{beta <k_i, q>} v_i ||_2 per probe query q (rows of
/// `probes` [P x dim]), in double. Cost O(P n (d + d_v)).
std::vector<double> signed_discrepancy(const ItemSpan& items, const std::vector<std::int8_t>& signs,
                                       ConstMatrixRef probes, double beta);

/// Fills a WalkTrace: the walk's steps, and per probe the discrepancy of the walk's signs and of
/// independent fair signs drawn from `seed`.
WalkTrace make_walk_trace(const ItemSpan& items, const WalkResult& walk, ConstMatrixRef probes,
                          double beta, std::uint64_t seed);

/// ParamSpecs of the walk shared by the discrepancy sketches (mode, gamma, temp, temp_scale,
/// recenter, den_weight, delta, keep, preserve_mass).
std::vector<ParamSpec> balance_param_specs();
/// BalanceOptions from a ParamSet validated against balance_param_specs().
BalanceOptions balance_options_from(const ParamSet& params, double beta);

}  // namespace kvscope
