#include "sketches/lsh_partition.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "blocks/taylor_moments.hpp"
#include "core/random.hpp"
#include "sketches/taylor.hpp"

namespace kvscope {

namespace {

constexpr Index kTokenLog = Index{1} << 20;
constexpr Index kRecentQueries = 8;

}  // namespace

LshHasher lsh_hasher_from(const ParamSet& p, int dim, std::uint64_t seed) {
    const std::string& family = p.text("family");
    const std::uint64_t s = derive_seed(seed, "lsh_directions");
    if (family == "simhash") return LshHasher::simhash(dim, static_cast<int>(p.integer("bits")), s);
    if (family == "spherical_caps") {
        return LshHasher::spherical_caps(dim, static_cast<int>(p.integer("caps")), p.number("eta"),
                                         s);
    }
    return LshHasher::norm_shells(dim, static_cast<int>(p.integer("shells")),
                                  p.number("shell_base"), p.number("shell_ratio"));
}

LshPartitionSketch::LshPartitionSketch(const SketchContext& context)
    : Sketch(context),
      summary_id_(context.params.text("summary")),
      hasher_(lsh_hasher_from(context.params, context.dim, context.seed)) {
    const ParamSet& p = context.params;
    if (summary_id_ == "taylor") {
        const int degree = static_cast<int>(p.integer("bucket_degree"));
        check_taylor_size(context.dim, context.value_dim, degree, p.number("max_floats"),
                          "lsh_partition", hasher_.max_buckets());
        summary_ = default_sketch("taylor");
        summary_.set("degree", static_cast<double>(degree))
            .set("recenter", std::string("mean"))
            .set("rescale", 1.0)
            .set("max_floats", p.number("max_floats"));
    } else if (summary_id_ == "coreset") {
        summary_ = default_sketch("merge_reduce");
        summary_.set("batch", static_cast<double>(p.integer("bucket_batch")));
    } else if (summary_id_ == "reservoir") {
        summary_ = default_sketch("uniform");
        summary_.set("budget", static_cast<double>(p.integer("bucket_budget")));
    } else {
        summary_ = default_sketch("exact");
    }
}

int LshPartitionSketch::bucket_of(const float* x) const {
    return hasher_.bucket_of(x);
}

LshPartitionSketch::Bucket& LshPartitionSketch::bucket(int id) {
    auto it = buckets_.find(id);
    if (it != buckets_.end()) return it->second;
    Bucket b;
    b.summary = make_child_sketch(context(), summary_, "lsh_bucket_" + std::to_string(id));
    b.key_sum = Eigen::VectorXd::Zero(dim());
    b.centre = Eigen::VectorXd::Zero(dim());
    b.reference = Eigen::VectorXd::Zero(dim());
    return buckets_.emplace(id, std::move(b)).first->second;
}

void LshPartitionSketch::do_append(const TokenBlock& block) {
    const Index n = block.size();
    std::vector<int> ids;
    for (const BucketRows& rows : split_by_bucket(hasher_, block, &ids)) {
        Bucket& b = bucket(rows.id);
        for (Index i = 0; i < rows.keys.rows(); ++i) {
            // Radius bound around the running mean: max |k - first key| + |mean - first key|.
            const Eigen::VectorXd key = rows.keys.row(i).transpose().cast<double>();
            b.key_sum += key;
            ++b.count;
            if (b.count == 1) b.reference = key;
            b.centre = b.key_sum / static_cast<double>(b.count);
            b.ref_radius = std::max(b.ref_radius, (key - b.reference).norm());
        }
        // Sub-blocks keep the positions of their first row only; summaries here never use them
        // beyond the retained-token listing.
        const Matrix none(0, dim());
        b.summary->append(
            TokenBlock(none, rows.keys, rows.values, block.first_position + rows.rows.front()));
    }
    for (Index r = 0; r < n && seen_ + r < kTokenLog; ++r)
        bucket_of_token_.push_back(ids[static_cast<std::size_t>(r)]);
    seen_ += n;
}

EstimateBatch LshPartitionSketch::do_estimate(ConstMatrixRef queries) const {
    EstimateBatch total = EstimateBatch::zeros(queries.rows(), value_dim());
    const Index keep = std::min<Index>(queries.rows(), kRecentQueries);
    std::vector<EstimateBatch> parts;
    parts.reserve(buckets_.size());
    for (const auto& [id, b] : buckets_) {
        parts.push_back(b.summary->estimate_many(queries));
        total.add(parts.back());
    }
    recent_contributions_ = shares_of_z(parts, total, keep);
    // Query-key collision rate: share of stored keys in the query's own bucket.
    double rate = 0;
    for (Index r = 0; r < queries.rows(); ++r) {
        const int qb = bucket_of(queries.row(r).data());
        if (r == 0) query_bucket_ = qb;
        auto it = buckets_.find(qb);
        if (it != buckets_.end() && seen_ > 0) {
            rate += static_cast<double>(it->second.count) / static_cast<double>(seen_);
        }
    }
    collision_rate_ = queries.rows() > 0 ? rate / static_cast<double>(queries.rows()) : 0.0;
    return total;
}

SketchStats LshPartitionSketch::stats() const {
    SketchStats s;
    s.seen = seen_;
    double floats = hasher_.memory_floats();
    for (const auto& [id, b] : buckets_) {
        const SketchStats bs = b.summary->stats();
        s.retained += bs.retained;
        floats += bs.memory_floats;
    }
    s.memory_floats = floats;
    s.memory_bits = 32.0 * floats;
    return s;
}

SketchView LshPartitionSketch::view() const {
    SketchView v;
    v.subset_of_stream = summary_id_ != "taylor";
    v.tag_meaning = "bucket";
    BucketView bv;
    bv.family = context().params.text("family");
    bv.summary = summary_id_;
    bv.bucket_of_token = bucket_of_token_;
    bv.centres.resize(static_cast<Index>(buckets_.size()), dim());
    Index row = 0;
    for (const auto& [id, b] : buckets_) {
        bv.ids.push_back(id);
        bv.counts.push_back(b.count);
        bv.radii.push_back(b.radius());
        bv.centres.row(row++) = b.centre.transpose().cast<float>();
        bv.memory_floats.push_back(b.summary->stats().memory_floats);
        if (summary_id_ == "taylor") {
            bv.taylor_degree.push_back(static_cast<int>(context().params.integer("bucket_degree")));
        }
        if (summary_id_ != "taylor") {
            const Index first = static_cast<Index>(v.retained.size());
            const SketchView inner = b.summary->view();
            v.retained.insert(v.retained.end(), inner.retained.begin(), inner.retained.end());
            for (Index t = first; t < static_cast<Index>(v.retained.size()); ++t) {
                v.retained[t].tag = id;
            }
            // Coreset buckets: each bucket's merge-and-reduce tree, for the coreset panel.
            for (MergeTreeView mt : inner.merge_trees) {
                mt.label = "bucket " + std::to_string(id);
                mt.class_id = id;
                v.merge_trees.push_back(std::move(mt));
            }
        }
    }
    if (hasher_.family() != LshHasher::Family::Shells) bv.hyperplanes = hasher_.directions();
    select_fullest_tree(v);  // the fullest bucket's tree is the single-tree panel's
    if (!recent_contributions_.empty()) bv.query_contribution = recent_contributions_.front();
    bv.recent_contributions = recent_contributions_;
    bv.collision_rate = collision_rate_;
    bv.query_bucket = query_bucket_;
    v.buckets = std::move(bv);
    v.scalars.emplace_back("buckets", static_cast<double>(buckets_.size()));
    v.scalars.emplace_back("collision_rate", collision_rate_);
    return v;
}

void LshPartitionSketch::reset() {
    buckets_.clear();
    bucket_of_token_.clear();
    seen_ = 0;
    recent_contributions_.clear();
    collision_rate_ = 0;
    query_bucket_ = -1;
}

SketchInfo lsh_partition_sketch_info() {
    SketchInfo info;
    info.id = "lsh_partition";
    info.name = "LSH partition + per-bucket summaries";
    info.summary =
        "Hash keys into buckets (simhash / spherical caps / norm shells); each bucket keeps an "
        "exact, Taylor, coreset or reservoir summary; buckets are added in log space.";
    info.paper = "KDEformer, arXiv 2302.02451 (simhash + Gray code); docs/algorithms.md 2.12";
    info.subset_of_stream = false;
    info.params = {
        ParamSpec::choice("family", "Hash family",
                          "simhash: P hyperplanes (Gray-code order); spherical_caps: first "
                          "direction within threshold eta [M]; norm_shells: geometric |k| shells.",
                          {"simhash", "spherical_caps", "norm_shells"}, "simhash"),
        ParamSpec::integer("bits", "Hyperplanes P", "simhash: number of hyperplanes (2^P buckets).",
                           1, 16, 3),
        ParamSpec::integer("caps", "Caps", "spherical_caps: number of cap directions.", 1, 4096, 16,
                           true),
        ParamSpec::real("eta", "Cap threshold eta",
                        "spherical_caps: a key joins the first direction with <g, k/|k|> >= eta.",
                        -1, 1, 0.3),
        ParamSpec::integer("shells", "Shells", "norm_shells: number of shells.", 1, 64, 8),
        ParamSpec::real("shell_base", "Shell base", "norm_shells: norms below this go to bucket 0.",
                        1e-9, 1e9, 1.0, true),
        ParamSpec::real("shell_ratio", "Shell ratio", "norm_shells: ratio between shell radii.",
                        1.0001, 1e3, 1.5, true),
        ParamSpec::choice("summary", "Bucket summary",
                          "exact: every token; taylor: moments around the bucket mean, rescaled "
                          "[R]; coreset: a SoftmaxBalance merge-and-reduce tree per bucket "
                          "(merge_reduce, batch bucket_batch; ~t + (t/2) log2(n_b/t) tokens); "
                          "reservoir: count + uniform sample of bucket_budget tokens.",
                          {"exact", "taylor", "coreset", "reservoir"}, "taylor"),
        ParamSpec::integer("bucket_degree", "Bucket Taylor degree",
                           "taylor summaries: degree p per bucket.", 0, 16, 2),
        ParamSpec::integer("bucket_budget", "Bucket sample size",
                           "reservoir summaries: tokens kept per bucket.", 1, 1e8, 32, true),
        ParamSpec::integer("bucket_batch", "Bucket batch t",
                           "coreset summaries: batch t of each bucket's merge-and-reduce tree "
                           "(buffer size and block size of every halving).",
                           2, 16384, 32, true),
        ParamSpec::real("max_floats", "Memory limit (floats)",
                        "taylor summaries: refuse when buckets x C(d+p,p)(d_v+1) exceeds this.", 1,
                        1e13, 67108864.0, true),
    };
    // Exact per-bucket summaries, combined in log space, are exact.
    info.exact_params = [](Index n) {
        (void)n;
        return nlohmann::json{{"summary", "exact"}};
    };
    info.make = [](const SketchContext& c) { return std::make_unique<LshPartitionSketch>(c); };
    return info;
}

}  // namespace kvscope
