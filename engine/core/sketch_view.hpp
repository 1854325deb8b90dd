// A sketch's internal state as plain data. Panels draw whatever is present; the CSV exporter
// writes it. Nothing here knows about ImGui or GL.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace kvscope {

/// One stored token (or stored vector) of a subset-style sketch.
struct RetainedToken {
    Index position = -1;    ///< stream position, or -1 for a synthetic vector (row of stored_keys)
    double weight_num = 1;  ///< weight in the numerator sum
    double weight_den = 1;  ///< weight in the denominator sum
    int tag = 0;            ///< meaning given by SketchView::tag_meaning (sign, level, bucket...)
};

/// Merge-and-reduce tree (levels as rows, blocks as boxes).
struct MergeTreeView {
    struct Level {
        int level = 0;
        Index capacity = 0;     ///< items a full block holds
        Index occupancy = 0;    ///< items now stored
        double weight = 1;      ///< weight of each item at this level (mean when they differ)
        double weight_min = 1;  ///< smallest item weight at this level
        double weight_max = 1;  ///< largest item weight at this level
    };
    struct Carry {
        Index at_token = 0;  ///< stream position of the newest item pushed, plus one, at the carry
        int from_level = 0;
        int to_level = 0;
        Index items_in = 0;   ///< items halved by this carry
        Index items_out = 0;  ///< items carried up
    };
    std::string label;  ///< which tree ("numerator bucket 2", "denominator", ...)
    int class_id = 0;   ///< weight class or bucket of this tree
    std::vector<Level> levels;
    std::vector<Carry> recent_carries;  ///< newest last, bounded
    /// level_reached_at[l - 1]: like Carry::at_token, when level l first held a block (recorded
    /// as it happened, never forgotten). A tree fed through a recent window of W tokens gets each
    /// token W tokens late, so add W for the stream position.
    std::vector<Index> level_reached_at;
    Index buffer_size = 0;
    Index buffer_capacity = 0;
};

/// One step of a self-balancing walk.
struct WalkStep {
    double bias = 0;         ///< s_j: inner product with the current signed sum
    double probability = 0;  ///< p_j = P(sign = +1)
    int sign = 0;            ///< eta_j in {-1, +1}
};

struct WalkTrace {
    std::vector<WalkStep> steps;             ///< of the most recent halving
    std::vector<double> walk_discrepancy;    ///< per probe query, walk signs
    std::vector<double> random_discrepancy;  ///< per probe query, independent random signs
    Index fail_events = 0;                   ///< theory-constant FAIL count
};

/// Space-partitioning buckets.
struct BucketView {
    std::vector<int> bucket_of_token;  ///< aligned with SketchView::retained or all tokens
    std::vector<int> ids;
    std::vector<Index> counts;
    std::vector<double> radii;
    /// Value-norm classes (balance_kv) in place of hash buckets: class i holds the tokens with
    /// value_norm_lo[i] <= ||v|| < value_norm_hi[i], and counts[i] the items its tree keeps;
    /// both empty for hash buckets.
    std::vector<double> value_norm_lo;
    std::vector<double> value_norm_hi;
    Matrix centres;                          ///< [buckets x d]
    Matrix hyperplanes;                      ///< [P x d] normals (simhash)
    std::vector<double> query_contribution;  ///< share of Z per bucket for the current query
    double collision_rate = 0;
    std::string family;                 ///< hash family id ("simhash", "spherical_caps", ...)
    std::string summary;                ///< per-bucket summary id ("exact", "taylor", ...)
    std::vector<double> memory_floats;  ///< per bucket, aligned with ids
    std::vector<int> taylor_degree;     ///< per bucket (taylor summaries), aligned with ids
    int query_bucket = -1;              ///< bucket of the current (first recent) query
    std::vector<std::vector<double>> recent_contributions;  ///< [query][bucket] shares of Z
};

/// Polynomial (Taylor) state and truncation analytics.
struct TaylorView {
    int degree = 0;
    Index monomials = 0;
    Eigen::VectorXf centre;
    double radius = 0;
    double logit_min = 0, logit_max = 0;  ///< observed x = beta <k - c, q>
    double bound_B = 0;
    std::vector<double> logit_samples;
    double scale = 1;                  ///< rho: keys stored as (k - c) / rho, queries as rho beta q
    std::string recenter;              ///< "none", "mean" or "fixed"
    double query_norm_max = 0;         ///< max ||q|| over the queries seen at estimate time
    double lagrange_abs = 0;           ///< e^{B} B^{p+1}/(p+1)!: per-weight bound at x = B
    double lagrange_rel = 0;           ///< e^{2B} B^{p+1}/(p+1)!: relative bound
    double target_eps = 0;             ///< relative error the degree_needed field is computed for
    int degree_needed = -1;            ///< smallest p with lagrange_rel(p) <= target_eps (-1: > 64)
    std::vector<double> degree_norms;  ///< Frobenius norm of the moments per degree 0..p
    /// Per recent query: relative truncation errors measured on the diagnostic key sample.
    std::vector<double> sample_num_error;
    std::vector<double> sample_den_error;
    Index sample_size = 0;  ///< tokens in the diagnostic sample (not counted as memory)
};

/// Quantization state.
struct QuantView {
    int bits = 0;
    std::vector<double> reconstruction_error;  ///< per retained token
    std::vector<double> logit_distortion;      ///< samples of beta <q, k_hat - k>
    /// The exact logits beta <q, k> of the same samples, aligned with logit_distortion (the
    /// estimate is their sum); empty when not recorded.
    std::vector<double> logit_exact;
    std::vector<double> channel_magnitude;  ///< per key channel
    /// Per key channel [d], over the quantized groups (kivi): the mean range max - min a channel
    /// gets when keys are quantized per channel (over a group's tokens) and per token (over the
    /// token's group of channels), and the RMS key error |k_hat - k| of the mode in use.
    std::vector<double> channel_range_per_channel;
    std::vector<double> channel_range_per_token;
    std::vector<double> channel_error;
    std::string key_mode;  ///< "per_channel" or "per_token" (kivi), "" otherwise
};

/// A score-ranked eviction (h2o, snapkv): each candidate's score at the last decision against the
/// threshold it had to reach, and the protected window no score can evict.
struct ScoreRankView {
    std::vector<Index> positions;  ///< stream positions of the candidates
    std::vector<double> scores;    ///< aligned with positions
    std::vector<char> kept;        ///< aligned: 1 kept, 0 evicted by the decision
    /// Aligned: tokens seen when an evicted candidate left (empty: all at decided_at).
    std::vector<Index> left_at;
    /// The lowest score a kept token outside the window holds (h2o: the next victim's score;
    /// snapkv: the last token admitted on score); NaN when none is kept on score.
    double threshold = 0;
    Index window_first = 0;  ///< protected positions [window_first, window_last]
    Index window_last = -1;
    Index decided_at = 0;      ///< tokens seen when the scores were taken
    std::string score_label;   ///< y axis ("accumulated attention A_i")
    std::string window_label;  ///< "recent window (128 tokens, protected)"
    std::string threshold_label;
};

struct SketchView {
    std::vector<RetainedToken> retained;
    /// Optional per-token score aligned with `retained` (e.g. H2O's accumulated attention,
    /// SnapKV's pooled vote, a key norm); empty when unused. Never a weight of the estimate.
    std::vector<double> token_scores;
    std::string score_meaning;  ///< what token_scores holds, "" when unused
    Matrix stored_keys;         ///< rows for RetainedToken::position == -1, in order of appearance
    std::string tag_meaning;    ///< e.g. "merge level", "walk sign", "" when unused
    std::optional<MergeTreeView> merge_tree;
    /// Every tree when a sketch runs several (buckets, weight classes, denominator); merge_tree
    /// then holds the largest.
    std::vector<MergeTreeView> merge_trees;
    std::optional<WalkTrace> walk;
    std::optional<BucketView> buckets;
    std::optional<TaylorView> taylor;
    std::optional<QuantView> quant;
    std::optional<ScoreRankView> score_rank;
    /// Named scalars worth showing (e.g. "fail_events").
    std::vector<std::pair<std::string, double>> scalars;
    /// True when `retained` lists original stream tokens, so attention-mass recall is defined.
    bool subset_of_stream = false;
    /// How a token leaves this subset sketch, in words, completing "it left because ..." (e.g.
    /// "a later token took its reservoir slot"); empty when nothing is ever evicted.
    std::string eviction_rule;
};

/// Items a merge tree holds (its buffer and every level).
inline Index tree_items(const MergeTreeView& tree) {
    Index n = tree.buffer_size;
    for (const auto& l : tree.levels)
        n += l.occupancy;
    return n;
}

/// Sets view.merge_tree to the fullest of view.merge_trees (the single-tree panel's), first on
/// ties; leaves it unset when there are none.
inline void select_fullest_tree(SketchView& view) {
    Index best = -1;
    for (const auto& t : view.merge_trees) {
        if (tree_items(t) > best) {
            best = tree_items(t);
            view.merge_tree = t;
        }
    }
}

}  // namespace kvscope
