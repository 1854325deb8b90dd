// lsh_partition: space partitioning with a summary per bucket, combined in log space.
//
// Each key is hashed to a bucket; each bucket keeps its own summary (a sketch of the tokens that
// fell in it), and a query adds the buckets' numerator and denominator estimates with
// EstimateBatch::add (log-safe). docs/algorithms.md 2.12.
// Hash families (LshHasher, lsh_hash.hpp, shared with the partitioned `hybrid`):
//   - simhash: P Gaussian hyperplanes, code sign(<g_j, k>), mapped through the inverse Gray code so
//     that adjacent bucket ids differ in one bit (KDEformer's ordering; Zandieh, Han, Daliri,
//     Karbasi, "KDEformer", arXiv 2302.02451). 2^P buckets.
//   - spherical_caps [M, ALRW'17-style]: normalized key joins the first of `caps` random unit
//     directions with <g_j, k/|k|> >= eta, else the overflow bucket `caps`.
//   - norm_shells: geometric shells of |k|: bucket floor(log(|k|/base)/log(ratio)) + 1, clamped
//     to [0, shells - 1] (bucket 0 holds |k| < base).
// Summaries: exact (every token), taylor (TaylorSketch around the bucket's running mean,
// rescaled: the recentre-and-rescale step of docs/algorithms.md 2.10 per part [R]), coreset (a
// merge-and-reduce tree of SoftmaxBalance halvings per bucket, `merge_reduce` with batch
// `bucket_batch`: BalanceKV's streaming coreset, arXiv 2502.07861 Thm 3.4, docs/algorithms.md 2.7;
// the trees appear in view().merge_trees, one per bucket), reservoir (count + uniform sample,
// SubGen-like).
// Departures: hyperplanes pass through the origin (no data-dependent centring); no "exact top-k
// buckets" budget yet; bucket radii are upper bounds around the running mean.
// Guarantee: exact summaries are exact; taylor summaries inherit the per-bucket Lagrange bound
// with B_b = beta |q| rho_b; coreset summaries inherit Thm 3.4 per bucket (error ~ e^{2B_b}
// log(n_b/t) / t relative, B_b = beta r_b^2 the bucket's own radius); reservoirs are unbiased.
// Refusal: taylor summaries whose worst-case total (buckets x C(d+p,p)(d_v+1)) exceeds
// max_floats throw std::invalid_argument at construction.
// Space: sum of the bucket summaries + the hash parameters (P d or caps d floats).
#pragma once

#include <map>
#include <memory>

#include "blocks/lsh_hash.hpp"
#include "core/registry.hpp"

namespace kvscope {

class LshPartitionSketch final : public Sketch {
  public:
    explicit LshPartitionSketch(const SketchContext& context);
    SketchStats stats() const override;
    SketchView view() const override;
    void reset() override;

    /// Bucket id of a key or query [d] (deterministic for the seed).
    int bucket_of(const float* x) const;
    /// Largest number of buckets the family can produce.
    int max_buckets() const { return hasher_.max_buckets(); }

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    struct Bucket {
        std::unique_ptr<Sketch> summary;
        Index count = 0;
        Eigen::VectorXd key_sum;
        Eigen::VectorXd centre;     // running mean
        Eigen::VectorXd reference;  // first key; ref_radius = max |k - reference| exactly
        double ref_radius = 0;
        double radius() const { return ref_radius + (centre - reference).norm(); }
    };
    Bucket& bucket(int id);

    std::string summary_id_;
    NestedSketch summary_;  ///< the registered sketch every bucket runs, built per bucket
    LshHasher hasher_;
    Index seen_ = 0;
    std::map<int, Bucket> buckets_;
    std::vector<int> bucket_of_token_;  // first kTokenLog tokens, for the explorer
    mutable std::vector<std::vector<double>> recent_contributions_;  // [query][bucket order]
    mutable double collision_rate_ = 0;
    mutable int query_bucket_ = -1;
};

SketchInfo lsh_partition_sketch_info();

/// The hash family of `family`, `bits`, `caps`, `eta`, `shells`, `shell_base`, `shell_ratio` in
/// `params`, directions drawn from derive_seed(seed, "lsh_directions").
LshHasher lsh_hasher_from(const ParamSet& params, int dim, std::uint64_t seed);

}  // namespace kvscope
