#include "sketches/subgen.hpp"

#include <algorithm>
#include <cmath>

#include "math/reservoir.hpp"

namespace kvscope {

SubGenSketch::SubGenSketch(const SketchContext& context)
    : Sketch(context),
      delta_(context.params.number("delta")),
      per_cluster_(context.params.integer("t")),
      value_samples_(context.params.integer("s")),
      max_clusters_(context.params.integer("max_clusters")),
      rng_(context.seed),
      den_cache_(context.dim, context.value_dim),
      num_cache_(context.dim, context.value_dim) {}

void SubGenSketch::do_append(const TokenBlock& block) {
    for (Index r = 0; r < block.size(); ++r) {
        const float* k = block.keys.row(r).data();
        const float* v = block.values.row(r).data();
        const Eigen::Map<const Eigen::VectorXf> key(k, dim());
        const Index position = block.first_position + r;
        // Clustering: the first cluster within delta, else a new one (or the nearest at the cap).
        Index nearest_id = -1;
        Index chosen = match_cluster(key, nearest_id);
        if (chosen < 0) {
            if (static_cast<Index>(clusters_.size()) < max_clusters_) {
                clusters_.push_back({key, 0, {}});
                chosen = static_cast<Index>(clusters_.size()) - 1;
            } else {
                chosen = nearest_id;
            }
        }
        Cluster& cl = clusters_[chosen];
        ++cl.count;
        const ReservoirSlot slot = reservoir_slot(cl.count - 1, per_cluster_, rng_);
        if (slot.append) {
            cl.slots.push_back(den_cache_.size());
            den_cache_.push(k, v, 0.0, 1.0, position, static_cast<int>(chosen));
        } else if (slot.kept()) {
            den_cache_.set(cl.slots[static_cast<std::size_t>(slot.slot)], k, v, 0.0, 1.0, position,
                           static_cast<int>(chosen));
        }
        // l2 sampling of values: s independent weighted reservoirs of size one.
        const double sq = Eigen::Map<const Eigen::VectorXf>(v, value_dim()).squaredNorm();
        if (sq > 0.0) {
            value_mass_ += sq;
            const double prob = sq / value_mass_;
            for (Index j = 0; j < value_samples_; ++j) {
                if (j >= num_cache_.size()) {
                    num_cache_.push(k, v, 0.0, 0.0, position, -1);
                    sample_sq_norm_.push_back(sq);
                } else if (rng_.uniform() < prob) {
                    num_cache_.set(j, k, v, 0.0, 0.0, position, -1);
                    sample_sq_norm_[j] = sq;
                }
            }
        }
        ++seen_;
    }
    refresh_weights();
}

Index SubGenSketch::match_cluster(const Eigen::Ref<const Eigen::VectorXf>& key,
                                  Index& nearest) const {
    double nearest_dist = INFINITY;
    nearest = -1;
    for (Index c = 0; c < static_cast<Index>(clusters_.size()); ++c) {
        const double dist = (clusters_[c].representative - key).norm();
        if (dist <= delta_) return c;
        if (dist < nearest_dist) {
            nearest_dist = dist;
            nearest = c;
        }
    }
    return -1;
}

void SubGenSketch::refresh_weights() {
    for (const Cluster& cl : clusters_) {
        const double w = static_cast<double>(cl.count) / static_cast<double>(cl.slots.size());
        for (Index s : cl.slots)
            den_cache_.weight_den(s) = w;
    }
    const double s = static_cast<double>(num_cache_.size());
    for (Index j = 0; j < num_cache_.size(); ++j) {
        num_cache_.weight_num(j) = value_mass_ / (s * sample_sq_norm_[j]);
    }
}

EstimateBatch SubGenSketch::do_estimate(ConstMatrixRef queries) const {
    EstimateBatch e = den_cache_.estimate(queries, beta());
    e.add(num_cache_.estimate(queries, beta()));
    // Bucket diagnostics: each cluster's share of Z_hat for the first queries (Z_hat is the
    // cluster reservoirs' sum alone), the cluster each query would join, and the share of the
    // stream's tokens in it.
    constexpr Index kRecentQueries = 8;
    const Index keep = std::min<Index>(queries.rows(), kRecentQueries);
    const Index slots = den_cache_.size();
    recent_contributions_.assign(static_cast<std::size_t>(keep),
                                 std::vector<double>(clusters_.size(), 0.0));
    const Eigen::Map<const Matrix> keys(den_cache_.key(0), slots, dim());
    Eigen::VectorXd logits;
    for (Index r = 0; r < keep && slots > 0; ++r) {
        logits.noalias() =
            keys.cast<double>() * (beta() * queries.row(r).transpose().cast<double>());
        const double mx = logits.maxCoeff();
        auto& share = recent_contributions_[static_cast<std::size_t>(r)];
        double sum = 0;
        for (Index s = 0; s < slots; ++s) {
            const double z = den_cache_.weight_den(s) * std::exp(logits[s] - mx);
            share[static_cast<std::size_t>(den_cache_.tag(s))] += z;
            sum += z;
        }
        if (sum > 0) {
            for (double& z : share)
                z /= sum;
        }
    }
    double rate = 0;
    query_bucket_ = -1;
    for (Index r = 0; r < queries.rows() && seen_ > 0; ++r) {
        Index nearest = -1;
        Index c = match_cluster(queries.row(r).transpose(), nearest);
        if (c < 0) c = nearest;
        if (r == 0) query_bucket_ = static_cast<int>(c);
        if (c >= 0) {
            rate += static_cast<double>(clusters_[static_cast<std::size_t>(c)].count) /
                    static_cast<double>(seen_);
        }
    }
    collision_rate_ = queries.rows() > 0 ? rate / static_cast<double>(queries.rows()) : 0.0;
    return e;
}

SketchStats SubGenSketch::stats() const {
    // Den reservoirs hold keys only; value samples hold key, value and |v|^2.
    return SketchStats::of_floats(
        seen_, den_cache_.size() + num_cache_.size(),
        static_cast<double>(clusters_.size()) * (dim() + 1) +
            static_cast<double>(den_cache_.size()) * dim() +
            static_cast<double>(num_cache_.size()) * (dim() + value_dim() + 1) + 1);
}

SketchView SubGenSketch::view() const {
    SketchView v;
    v.subset_of_stream = true;
    v.eviction_rule =
        "its cluster's reservoir (or the l2 value sample) replaced it with a later token at random";
    v.tag_meaning = "cluster (-1: l2 value sample)";
    den_cache_.describe(v);
    num_cache_.describe(v);
    BucketView b;
    b.family = "online_clustering";
    b.summary = "reservoir";
    b.centres.resize(static_cast<Index>(clusters_.size()), dim());
    for (Index c = 0; c < static_cast<Index>(clusters_.size()); ++c) {
        b.ids.push_back(static_cast<int>(c));
        b.counts.push_back(clusters_[c].count);
        b.radii.push_back(delta_);
        b.centres.row(c) = clusters_[c].representative.transpose();
        // Representative and count, plus the reservoir's keys (as counted in stats()).
        b.memory_floats.push_back(static_cast<double>(dim() + 1) +
                                  static_cast<double>(clusters_[c].slots.size()) * dim());
    }
    if (!recent_contributions_.empty()) b.query_contribution = recent_contributions_.front();
    b.recent_contributions = recent_contributions_;
    b.query_bucket = query_bucket_;
    b.collision_rate = collision_rate_;
    v.buckets = std::move(b);
    v.scalars.emplace_back("clusters", static_cast<double>(clusters_.size()));
    v.scalars.emplace_back("collision_rate", collision_rate_);
    v.scalars.emplace_back("value_mass", value_mass_);
    return v;
}

void SubGenSketch::reset() {
    clusters_.clear();
    den_cache_.clear();
    num_cache_.clear();
    sample_sq_norm_.clear();
    recent_contributions_.clear();
    query_bucket_ = -1;
    collision_rate_ = 0;
    seen_ = 0;
    value_mass_ = 0;
    rng_ = Rng(context().seed);
}

TheoryCurve subgen_space_curve() {
    TheoryCurve c;
    c.id = "subgen_upper";
    c.label = "SubGen d(m eps^-2 e^{2 delta r} log n + eps^-2 d), m = 1, beta delta r = B";
    c.source = "SubGen, arXiv 2402.06082 (m = 1 and delta r = r_k r_q assumed here)";
    c.upper = true;
    c.reconstruction = true;  // m = 1 and beta delta r = B are our reading [R]
    c.words = [](const TheoryInputs& in) {
        const double inv2 = 1.0 / (in.eps * in.eps);
        const double logn = in.log_factors ? std::log(std::max(in.n, 2.0)) : 1.0;
        return in.d * (inv2 * std::exp(2.0 * in.B) * logn + inv2 * in.d);
    };
    return c;
}

SketchInfo subgen_sketch_info() {
    SketchInfo info;
    info.id = "subgen";
    info.name = "SubGen";
    info.summary =
        "Online key clustering with a reservoir per cluster (denominator) and l2 sampling of "
        "values (numerator).";
    info.paper = "SubGen: Token Generation in Sublinear Time and Memory, arXiv 2402.06082";
    info.subset_of_stream = true;
    info.params = {
        ParamSpec::real("delta", "Cluster radius delta",
                        "A key joins the first cluster whose representative is within delta (key "
                        "units).",
                        1e-6, 1e6, 1.0, true),
        // Caps keep a token's cost bounded: each token draws one number per value sample and
        // scans every cluster (at 10^6 of either a default run did not finish).
        ParamSpec::integer("t", "Samples per cluster t",
                           "Uniform reservoir size per cluster for the denominator (at most "
                           "65,536).",
                           1, 65536, 16, true),
        ParamSpec::integer("s", "Value samples s",
                           "l2 samples (with replacement) for the numerator; each token costs "
                           "O(s), so at most 4,096.",
                           1, 4096, 64, true),
        ParamSpec::integer("max_clusters", "Max clusters",
                           "Departure: beyond this many clusters a far key joins its nearest "
                           "cluster. Each token scans every cluster, so at most 4,096.",
                           1, 4096, 64, true),
    };
    info.make = [](const SketchContext& c) { return std::make_unique<SubGenSketch>(c); };
    info.theory = {subgen_space_curve()};
    return info;
}

}  // namespace kvscope
