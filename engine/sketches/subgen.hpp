// subgen: online clustering of keys with a reservoir per cluster for the denominator, and l2
// sampling of values for the numerator.
//
// Paper: Zandieh, Han, Mirrokni, Karbasi, "SubGen: Token Generation in Sublinear Time and Memory"
// (arXiv 2402.06082), read through a summary; docs/algorithms.md 2.13. Guarantee (stated for
// (m, delta)-clusterable keys): ||z - Attn|| <= eps ||softmax||_2 ||V||_op with
// t = O(eps^-2 e^{2 delta r} log n) samples per cluster and s = O(eps^-2 d) value samples;
// memory O(d (m t + s)).
// Mechanics [M]: a key joins the first cluster whose representative (its first key) is within
// `delta`, else opens a cluster; each cluster keeps its count n_c and a uniform reservoir of t
// keys, Z_hat = sum_c (n_c / |R_c|) sum_{k in R_c} e^{beta <k, q>}. The numerator keeps s
// independent single-item reservoirs sampling token i with probability |v_i|^2 / |V|_F^2 (with
// replacement) and N_hat = (1/s) sum_j e^{beta <k_j, q>} v_j |V|_F^2 / |v_j|^2. Both unbiased.
// Departures: once `max_clusters` clusters exist a far key joins its nearest cluster (the
// paper's clusterability assumption bounds the count); delta is in key units; the kernel uses the
// run's beta (the paper writes beta = 1).
// View: clusters are the buckets; each estimate records every cluster's share of Z_hat for its
// first 8 queries, the cluster the first query would join, and the collision rate.
// Space: clusters (d + 1) + sum |R_c| d + s (d + d_v + 1) + 1 floats. Update O(m d + s) per
// token; query O((sum |R_c| + s)(d + d_v)).
#pragma once

#include <vector>

#include "core/random.hpp"
#include "core/registry.hpp"
#include "core/weighted_cache.hpp"

namespace kvscope {

class SubGenSketch final : public Sketch {
  public:
    explicit SubGenSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    struct Cluster {
        Eigen::VectorXf representative;
        Index count = 0;
        std::vector<Index> slots;  // rows of den_cache_
    };
    void refresh_weights();
    /// The first cluster whose representative is within delta of `key`, else -1; `nearest`
    /// gets the closest cluster (-1 when there is none).
    Index match_cluster(const Eigen::Ref<const Eigen::VectorXf>& key, Index& nearest) const;

    double delta_;
    Index per_cluster_;
    Index value_samples_;
    Index max_clusters_;
    Index seen_ = 0;
    double value_mass_ = 0;  // |V|_F^2
    Rng rng_;
    std::vector<Cluster> clusters_;
    WeightedCache den_cache_;  // cluster reservoirs: w_num = 0, w_den = n_c / |R_c|
    WeightedCache num_cache_;  // l2 samples: w_num = |V|_F^2 / (s |v|^2), w_den = 0
    std::vector<double> sample_sq_norm_;
    // Diagnostics of the last estimate, for the bucket view (clusters are the buckets).
    mutable std::vector<std::vector<double>> recent_contributions_;  ///< [query][cluster] Z share
    mutable int query_bucket_ = -1;      ///< cluster the first query would join
    mutable double collision_rate_ = 0;  ///< mean share of tokens in each query's cluster
};

SketchInfo subgen_sketch_info();

/// SubGen's space bound d (m eps^-2 e^{2 delta r} log n + eps^-2 d) with m = 1 cluster and
/// beta delta r = B (one cluster covering the ball), constants 1.
TheoryCurve subgen_space_curve();

}  // namespace kvscope
