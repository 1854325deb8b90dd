// lsh_partition: space partitioning with a summary per bucket, combined in log space.
//
// Each key is hashed to a bucket; each bucket keeps its own summary (a sketch of the tokens that
// fell in it), and a query adds the buckets' numerator and denominator estimates with
// EstimateBatch::add (log-safe). ALGORITHMS.md 2.12.
// Hash families:
//   - simhash: P Gaussian hyperplanes, code sign(<g_j, k>), mapped through the inverse Gray code so
//     that adjacent bucket ids differ in one bit (KDEformer's ordering; Zandieh, Han, Daliri,
//     Karbasi, "KDEformer", arXiv 2302.02451). 2^P buckets.
//   - spherical_caps [M, ALRW'17-style]: normalized key joins the first of `caps` random unit
//     directions with <g_j, k/|k|> >= eta, else the overflow bucket `caps`.
//   - norm_shells: geometric shells of |k|: bucket floor(log(|k|/base)/log(ratio)) + 1, clamped
//     to [0, shells - 1] (bucket 0 holds |k| < base).
// Summaries: exact (every token), taylor (TaylorSketch around the bucket's running mean,
// rescaled: the recentre-and-rescale step of ALGORITHMS.md 2.10 per part [R]), coreset (a uniform
// reservoir with Horvitz-Thompson weights UNTIL the discrepancy branch's merge-and-reduce lands),
// reservoir (count + uniform sample, SubGen-like).
// Departures: hyperplanes pass through the origin (no data-dependent centring); no "exact top-k
// buckets" budget yet; bucket radii are upper bounds around the running mean.
// Guarantee: exact summaries are exact; taylor summaries inherit the per-bucket Lagrange bound
// with B_b = beta |q| rho_b; sampled summaries are unbiased.
// Refusal: taylor summaries whose worst-case total (buckets x C(d+p,p)(d_v+1)) exceeds
// max_floats throw std::invalid_argument at construction.
// Space: sum of the bucket summaries + the hash parameters (P d or caps d floats).
#pragma once

#include <map>
#include <memory>

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
    int max_buckets() const { return max_buckets_; }

  protected:
    void do_append(const TokenBlock& block) override;
    EstimateBatch do_estimate(ConstMatrixRef queries) const override;

  private:
    enum class Family { SimHash, Caps, Shells };
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

    Family family_;
    std::string summary_id_;
    ParamSet summary_params_;
    int max_buckets_ = 1;
    Matrix directions_;  // simhash normals [P x d] or unit cap directions [caps x d]
    double eta_ = 0;
    double shell_base_ = 1, shell_ratio_ = 2;
    Index seen_ = 0;
    std::map<int, Bucket> buckets_;
    std::vector<int> bucket_of_token_;  // first kTokenLog tokens, for the explorer
    mutable std::vector<std::vector<double>> recent_contributions_;  // [query][bucket order]
    mutable double collision_rate_ = 0;
    mutable int query_bucket_ = -1;
};

SketchInfo lsh_partition_sketch_info();

}  // namespace kvscope
