// Weighted merge-and-reduce: a streaming coreset of weighted (key, value) items.
//
// Paper: the standard tree is BalanceKV's ("Streaming Attention Approximation via Discrepancy
// Theory", arXiv 2502.07861, section 3, Thm 3.4; docs/algorithms.md §2.7). The weighted form
// follows the figure "weighted Merge-and-Reduce" of "Towards Tight Bounds for Streaming Attention"
// (arXiv 2606.07205), whose definition was not available: everything weighted here is [R]
// (docs/algorithms.md §2.9).
//
// Structure. Items are grouped into classes (by default the weight class a = floor(log2 w), so
// weights in a class differ by less than 2x, which keeps the discrepancy bound, proportional to
// max w |u|, tight; a caller may pass its own class, e.g. BalanceKV's value-norm bucket). Each
// class runs a binary-counter tree: a buffer of `batch` (t) raw items; when full it is halved and
// carried to level 1; when level l is occupied the two blocks are concatenated, halved and carried
// to level l + 1. The compressor is selectable inside the same tree: the SoftmaxBalance walk,
// pair-and-sample, or uniform random halving.
// Guarantee (standard tree, walk compressor, theory constants, equal weights): numerator error
//   <= eps j e^{-beta r^2} max|v| at every step j with t = O(sqrt(d_v) e^{2 beta r^2} / eps) and
//   T = log(n/t) levels (Thm 3.4). With weights, the same argument holds per class [R].
// Space: per class exactly (n_c mod t) + ceil(t/2) popcount(n_c div t) items under the half and
// prefix keep rules (weighted_merge_reduce_retained), n_c the items pushed into class c; at most
// t + T ceil(t/2), T = ceil(log2(n_c / t)); i.e. O(t log(n/t)) items of (d + d_v + 1) floats.
// Update: O(t (d + d_v)) amortised per item per level, paid in bursts (a carry chain halves up to T
// blocks of t items). Departures: blocks are halved by the keep rule of BalanceOptions (default:
// exactly half, weights x n/m, total weight restored exactly; see softmax_balance.hpp). Optional
// bounded depth (MergeReduceOptions::max_levels, [R]): the top level becomes a root that absorbs
// later carries, so the size is capped at (t - 1) + L ceil(t/2) per class whatever n; the root's
// items are then re-halved about n / (t 2^L) times, so its error grows with n beyond t 2^L tokens.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "blocks/softmax_balance.hpp"
#include "core/registry.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

enum class Compressor { Walk, PairSample, Uniform };

/// Parses "walk" | "pair_sample" | "uniform" (throws std::invalid_argument otherwise).
Compressor compressor_from_string(const std::string& name);

struct MergeReduceOptions {
    Index batch = 256;  ///< t: buffer size, and the size of every halved block
    Compressor compressor = Compressor::Walk;
    BalanceOptions balance;
    /// Custom balancing kernel for the walk compressor (nullptr: softmax_gram of `balance`).
    GramCallback gram;
    /// Group by weight class floor(log2 w) when push() gets no explicit class.
    bool weight_classes = true;
    /// Carry events remembered per tree for the view.
    Index carry_log = 64;
    /// Bounded depth (a hard cap on the items kept) [R]: -1 = unlimited (the binary counter);
    /// L >= 1 = level L is a root that absorbs every later carry (concatenate, halve, stay);
    /// 0 = the buffer is its own root (a full buffer is halved back into the buffer). Items then
    /// never exceed (t - 1) + L ceil(t/2) per class between pushes.
    int max_levels = -1;
};

/// A set of weighted items stored row-major. An item's denominator weight is its weight times
/// its `den_scale` (1 unless the caller's items are scaled, e.g. (k, v/|v|) of weight |v| with
/// den_scale 1/|v|); halvings change the weight and carry den_scale along.
struct ItemSet {
    std::vector<float> keys;
    std::vector<float> values;
    std::vector<double> weights;
    std::vector<double> den_scales;
    std::vector<Index> positions;
    Index size() const { return static_cast<Index>(weights.size()); }
    bool empty() const { return weights.empty(); }
    void clear();
    void push(const float* k, const float* v, double w, Index position, int dim, int value_dim,
              double den_scale = 1.0);
    void append(const ItemSet& other);
    ItemSpan span(int dim, int value_dim) const;
};

class WeightedMergeReduce {
  public:
    /// Throws std::invalid_argument when batch < 2 or a dimension is not positive.
    WeightedMergeReduce(int dim, int value_dim, MergeReduceOptions options, std::uint64_t seed);

    /// Adds one item of weight w > 0 to the class floor(log2 w) (or class 0 when weight classes
    /// are off). Cost O(d + d_v) plus the carries it triggers.
    void push(const float* key, const float* value, double weight, Index position);
    /// Adds one item to an explicit class (a caller's bucket), with denominator weight
    /// weight * den_scale.
    void push(const float* key, const float* value, double weight, Index position, int cls,
              double den_scale = 1.0);
    /// Forgets a class and its items; returns the total weight it held.
    double drop_class(int cls);

    Index size() const;           ///< items stored (buffers and levels)
    double total_weight() const;  ///< sum of stored weights
    double pushed_weight() const { return pushed_weight_; }
    Index pushed() const { return pushed_; }
    Index halvings() const { return halvings_; }
    Index fail_events() const { return fail_events_; }
    std::vector<int> classes() const;
    /// Items pushed into class `cls` so far (0 for an unknown class).
    Index pushed_in(int cls) const;
    int dim() const { return dim_; }
    int value_dim() const { return value_dim_; }
    const MergeReduceOptions& options() const { return options_; }

    /// Appends every stored item to `cache` with w_num = num_scale * w and w_den = den_scale * w
    /// * (the item's den_scale), and tag = level (0 = raw buffer). When this tree's value_dim
    /// differs from the cache's (a denominator tree on (k, 1)), zero values are stored: use
    /// num_scale = 0 then.
    void collect(WeightedCache& cache, double num_scale, double den_scale) const;

    /// One MergeTreeView per class, labelled `label` + " class " + id.
    std::vector<MergeTreeView> tree_views(const std::string& label) const;
    /// The most recent halving's input and walk (empty before the first halving).
    const ItemSet& last_input() const { return last_input_; }
    const WalkResult& last_walk() const { return last_walk_; }

    void reset();

  private:
    struct Tree {
        ItemSet buffer;
        std::vector<ItemSet> levels;  ///< levels[l - 1] is level l; empty when unoccupied
        std::deque<MergeTreeView::Carry> carries;
        std::vector<Index> reached_at;  ///< per level: clock_ when it first held a block
        Index pushed = 0;
    };
    ItemSet compress(ItemSet&& in);
    void carry(Tree& tree, int cls);

    int dim_;
    int value_dim_;
    MergeReduceOptions options_;
    std::uint64_t seed_;
    Rng rng_;
    std::map<int, Tree> trees_;
    Index pushed_ = 0;
    /// Stream position of the newest item pushed plus one (pushes without a position count
    /// one each): the time stamp of carries and of levels first reached.
    Index clock_ = 0;
    double pushed_weight_ = 0;
    Index halvings_ = 0;
    Index fail_events_ = 0;
    ItemSet last_input_;
    WalkResult last_walk_;
};

/// Registered sketch `weighted_merge_reduce`: one tree of items (k, v/|v|) of weight |v| and
/// denominator scale 1/|v| in weight classes (weighting = value_norm; zero values as (k, 0) of
/// weight 1), or (k, v) of weight 1 (weighting = unit); compressor selectable. The same items
/// serve numerator and denominator, so the output is a convex combination of kept values [R].
/// With value_norm weights and the walk it is BalanceKV's value-norm bucketing expressed through
/// weights.
class WeightedMergeReduceSketch final : public Sketch {
  public:
    explicit WeightedMergeReduceSketch(const SketchContext& context);
    SketchStats stats() const override;
    const WeightedMergeReduce& tree() const { return tree_; }
    SketchView view() const override;
    void reset() override;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    bool value_norm_;
    Index seen_ = 0;
    WeightedMergeReduce tree_;
    std::vector<float> scratch_;
};

SketchInfo weighted_merge_reduce_sketch_info();

/// Tokens one merge-and-reduce tree retains after n items with batch t under the half and prefix
/// keep rules: (n mod t) + ceil(t/2) popcount(n div t) (an upper bound under the smaller rule).
Index merge_reduce_retained(Index n, Index t);

/// Tokens a weighted_merge_reduce keeps: per class c with n_c pushed items,
/// (n_c mod t) + ceil(t/2) popcount(floor(n_c / t)) (keep rules half and prefix).
Index weighted_merge_reduce_retained(const WeightedMergeReduce& tree);

/// Options for a merge-and-reduce tree from the shared walk params plus `batch`.
MergeReduceOptions merge_reduce_options_from(const ParamSet& params, double beta);

/// The walk warning of Sketch::warnings for trees run with the theory constants: more FAIL
/// events (|s_j| > c R^2) than delta per halving, the rate Algorithm 2 allows, means R from the
/// observed radii is too small for this stream, or the float kernel overflowed (measured: at
/// beta r_k^2 above about 88), and Thm 3.3 does not hold. Empty otherwise.
std::vector<std::string> walk_warnings(const std::vector<const WeightedMergeReduce*>& trees);

/// Random probe queries for a sketch's walk view: `count` points on the sphere of radius
/// `radius` in R^dim (the sketch does not see the session's probe set).
Matrix walk_probe_queries(int dim, double radius, int count, std::uint64_t seed);

/// The WalkTrace of a tree's latest halving, with discrepancies over internal probes.
std::optional<WalkTrace> walk_view(const WeightedMergeReduce& tree, double beta,
                                   double probe_radius, std::uint64_t seed);

}  // namespace kvscope
