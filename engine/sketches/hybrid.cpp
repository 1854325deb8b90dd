#include "sketches/hybrid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "blocks/taylor_moments.hpp"
#include "theory/polynomial.hpp"

namespace kvscope {

namespace {

// The `taylor` sketch each part runs, configured from this sketch's shared keys.
NestedSketch moments_sketch(const ParamSet& p) {
    NestedSketch m = default_sketch("taylor");
    m.set("degree", static_cast<double>(p.integer("degree")))
        .set("recenter", p.text("recenter"))
        .set("rescale", p.flag("rescale") ? 1.0 : 0.0)
        .set("max_floats", p.number("max_floats"));
    return m;
}

}  // namespace

namespace {

constexpr Index kTokenLog = Index{1} << 20;
constexpr Index kRecentQueries = 32;

std::unique_ptr<LshHasher> hybrid_hasher(const SketchContext& c) {
    const std::string& partition = c.params.text("partition");
    const int parts = static_cast<int>(c.params.integer("parts"));
    const std::uint64_t seed = derive_seed(c.seed, "hybrid_partition");
    if (partition == "simhash") {
        int bits = 0;
        while ((2 << bits) <= parts)
            ++bits;
        return std::make_unique<LshHasher>(LshHasher::simhash(c.dim, bits, seed));
    }
    if (partition == "norm_shells") {
        return std::make_unique<LshHasher>(LshHasher::norm_shells(
            c.dim, parts, c.params.number("shell_base"), c.params.number("shell_ratio")));
    }
    return nullptr;
}

}  // namespace

HybridSketch::HybridSketch(const SketchContext& context)
    : Sketch(context),
      degree_(static_cast<int>(context.params.integer("degree"))),
      partitioned_(context.params.text("partition") != "none"),
      part_budget_(context.params.integer("budget")),
      hasher_(hybrid_hasher(context)) {
    if (context.params.integer("batch") == 1) {
        throw std::invalid_argument("hybrid: batch 1 cannot be halved; use 0 (auto) or >= 2");
    }
    const int copies = hasher_ ? hasher_->max_buckets() : 1;
    check_taylor_size(context.dim, context.value_dim, degree_, context.params.number("max_floats"),
                      "hybrid", copies);
    if (hasher_) {
        if (part_budget_ < copies) {
            throw std::invalid_argument("hybrid: budget " + std::to_string(part_budget_) +
                                        " is smaller than the " + std::to_string(copies) +
                                        " parts of partition '" + context.params.text("partition") +
                                        "' (each part needs at least one residual " +
                                        "item); raise budget or lower parts");
        }
        part_budget_ /= copies;
    }
}

int HybridSketch::bucket_of(const float* key) const {
    return hasher_ ? hasher_->bucket_of(key) : 0;
}

HybridSketch::Part& HybridSketch::part(int id) {
    auto it = parts_.find(id);
    if (it != parts_.end()) return it->second;
    const SketchContext& c = context();
    const std::string tag = partitioned_ ? "_part_" + std::to_string(id) : "";
    Part p;
    SketchContext mc = child_context(c, moments_sketch(c.params).params, "hybrid_moments");
    if (partitioned_) mc.seed = derive_seed(mc.seed, tag);
    p.moments = std::make_unique<TaylorSketch>(mc);
    const std::uint64_t rs = derive_seed(c.seed, "hybrid_residual" + tag);
    if (c.params.text("residual") == "reservoir") {
        p.residual = std::make_unique<ReservoirResidualStore>(c.dim, c.value_dim, part_budget_, rs);
    } else {
        MergeReduceOptions o;
        o.batch = c.params.integer("batch");
        o.balance.beta = c.beta;
        o.balance.den_weight = c.params.number("den_weight");
        o.balance.record_trace = false;
        p.residual = std::make_unique<MergeReduceResidualStore>(
            c.dim, c.value_dim, part_budget_, o, degree_, c.beta,
            c.params.text("recenter") == "mean", rs);
    }
    return parts_.emplace(id, std::move(p)).first->second;
}

const ResidualStore& HybridSketch::residual(Index i) const {
    auto it = parts_.begin();
    std::advance(it, i);
    return *it->second.residual;
}

void HybridSketch::do_append(const TokenBlock& block) {
    if (!hasher_) {
        Part& p = part(0);
        p.moments->append(block);
        for (Index r = 0; r < block.size(); ++r) {
            p.residual->push(block.keys.row(r).data(), block.values.row(r).data(), 1.0,
                             block.first_position + r);
        }
        p.count += block.size();
        seen_ += block.size();
        return;
    }
    std::vector<int> ids;
    for (const BucketRows& b : split_by_bucket(*hasher_, block, &ids)) {
        Part& p = part(b.id);
        const Index m = static_cast<Index>(b.rows.size());
        const Matrix none(0, dim());
        p.moments->append(
            TokenBlock(none, b.keys, b.values, block.first_position + b.rows.front()));
        for (Index i = 0; i < m; ++i) {
            p.residual->push(b.keys.row(i).data(), b.values.row(i).data(), 1.0,
                             block.first_position + b.rows[static_cast<std::size_t>(i)]);
        }
        p.count += m;
    }
    for (std::size_t r = 0; r < ids.size() && seen_ + static_cast<Index>(r) < kTokenLog; ++r)
        bucket_of_token_.push_back(ids[r]);
    seen_ += block.size();
}

EstimateBatch HybridSketch::do_estimate(ConstMatrixRef queries) const {
    EstimateBatch total = EstimateBatch::zeros(queries.rows(), value_dim());
    const Index keep = std::min<Index>(queries.rows(), kRecentQueries);
    std::vector<double> low_abs(keep, 0.0), high_abs(keep, 0.0);
    std::vector<EstimateBatch> per_part;
    per_part.reserve(parts_.size());
    Eigen::VectorXd ref;
    for (const auto& [id, p] : parts_) {
        EstimateBatch low = p.moments->estimate_many(queries);  // moves the centre first
        const EstimateBatch high =
            p.residual->estimate_residual(queries, beta(), p.moments->moments().centre(), degree_);
        // |Z_lo| and |Z_hi| on a common scale (the first part's shift), for the split bar.
        if (per_part.empty()) ref = low.shift.head(keep);
        for (Index r = 0; r < keep; ++r) {
            low_abs[r] += std::abs(low.den[r]) * std::exp(low.shift[r] - ref[r]);
            high_abs[r] += std::abs(high.den[r]) * std::exp(high.shift[r] - ref[r]);
        }
        low.add(high);
        per_part.push_back(low);
        total.add(per_part.back());
    }
    low_share_.assign(keep, 0.0);
    for (Index r = 0; r < keep; ++r) {
        const double a = low_abs[r], b = high_abs[r];
        low_share_[r] = a + b > 0 ? a / (a + b) : 0.0;
    }
    if (partitioned_) {
        recent_contributions_ = shares_of_z(per_part, total, keep);
    }
    return total;
}

SketchStats HybridSketch::stats() const {
    double floats = hasher_ ? hasher_->memory_floats() : 0.0;
    Index retained = 0;
    if (parts_.empty()) {
        // Before the first token: the moments of one part (allocated lazily) and nothing else.
        floats += taylor_moment_floats(dim(), value_dim(), degree_);
    }
    for (const auto& [id, p] : parts_) {
        floats += p.moments->stats().memory_floats + p.residual->memory_floats();
        retained += p.residual->size();
    }
    return SketchStats::of_floats(seen_, retained, floats);
}

SketchView HybridSketch::view() const {
    SketchView v;
    // The Taylor panel shows the largest part's moments.
    const Part* biggest = nullptr;
    for (const auto& [id, p] : parts_) {
        if (!biggest || p.count > biggest->count) biggest = &p;
    }
    if (biggest) v = biggest->moments->view();
    v.subset_of_stream = false;
    v.retained.clear();
    v.merge_trees.clear();
    double residual_floats = 0;
    Index residual_tokens = 0;
    for (const auto& [id, p] : parts_) {
        const Index first = static_cast<Index>(v.retained.size());
        const std::size_t first_tree = v.merge_trees.size();
        p.residual->describe(v);
        if (partitioned_) {
            for (Index t = first; t < static_cast<Index>(v.retained.size()); ++t)
                v.retained[t].tag = id;
            for (std::size_t t = first_tree; t < v.merge_trees.size(); ++t) {
                v.merge_trees[t].label = "part " + std::to_string(id) + " residual e_{>t}";
                v.merge_trees[t].class_id = id;
            }
        }
        residual_floats += p.residual->memory_floats();
        residual_tokens += p.residual->size();
    }
    select_fullest_tree(v);
    v.tag_meaning = partitioned_ ? "part" : (v.merge_trees.empty() ? "" : "merge level");
    if (partitioned_) {
        BucketView bv;
        bv.family = context().params.text("partition");
        bv.summary = "taylor + residual";
        bv.bucket_of_token = bucket_of_token_;
        bv.centres.resize(static_cast<Index>(parts_.size()), dim());
        Index row = 0;
        for (const auto& [id, p] : parts_) {
            bv.ids.push_back(id);
            bv.counts.push_back(p.count);
            bv.radii.push_back(p.moments->radius_bound());
            bv.centres.row(row++) = p.moments->moments().centre().transpose().cast<float>();
            bv.memory_floats.push_back(p.moments->stats().memory_floats +
                                       p.residual->memory_floats());
            bv.taylor_degree.push_back(degree_);
        }
        if (hasher_->family() != LshHasher::Family::Shells) bv.hyperplanes = hasher_->directions();
        if (!recent_contributions_.empty()) bv.query_contribution = recent_contributions_.front();
        bv.recent_contributions = recent_contributions_;
        v.buckets = std::move(bv);
        v.scalars.emplace_back("parts", static_cast<double>(parts_.size()));
    }
    v.scalars.emplace_back("residual_tokens", static_cast<double>(residual_tokens));
    v.scalars.emplace_back("residual_floats", residual_floats);
    double mean_share = 0;
    for (double s : low_share_)
        mean_share += s;
    if (!low_share_.empty()) mean_share /= static_cast<double>(low_share_.size());
    // The split bar: share of |Z| carried by the exact moments for the recent queries.
    v.scalars.emplace_back("low_degree_share_of_Z", mean_share);
    return v;
}

void HybridSketch::reset() {
    parts_.clear();
    bucket_of_token_.clear();
    seen_ = 0;
    low_share_.clear();
    recent_contributions_.clear();
}

SketchInfo hybrid_sketch_info() {
    SketchInfo info;
    info.id = "hybrid";
    info.name = "Hybrid: Taylor + residual coreset [R]";
    info.summary =
        "[R] Reconstruction of the 2606.07205 high-temperature scheme: exact degree-t moments "
        "plus a weighted merge-and-reduce coreset of the residual kernel e^x - T_t(x), optionally "
        "per part of a space partition.";
    info.paper = "Towards Tight Bounds for Streaming Attention, arXiv 2606.07205 (reconstructed)";
    info.subset_of_stream = false;
    info.params = {
        ParamSpec::integer("degree", "Moment degree t",
                           "[R] Degree of the exact Taylor moments; the residual e^x - T_t(x) "
                           "goes to the residual store.",
                           0, 12, 2),
        ParamSpec::choice("residual", "Residual store",
                          "[R] merge_reduce: weighted merge-and-reduce coreset whose walk "
                          "balances the residual kernel e_{>t}; reservoir: uniform sample with "
                          "weights n/m (ablation).",
                          {"merge_reduce", "reservoir"}, "merge_reduce"),
        ParamSpec::integer("budget", "Residual items m",
                           "[R] Residual items kept (over all parts; partitioned: m / parts per "
                           "part), at most m. merge_reduce with batch 0 (auto): batch t = "
                           "2 floor((m + 1) / 6) and L = 4 levels (h = ceil(t/2) items each, the "
                           "top one absorbing later carries), so after n tokens it holds "
                           "(n mod t) + h (popcount(q mod 2^(L-1)) + [q >= 2^(L-1)]) items, q = "
                           "floor(n / t): about 0.55 m on average once n >= 4 m. With an explicit "
                           "batch t, m only caps the tree (L = floor((m - t + 1) / h) levels). "
                           "Items cost d + d_v + 1 floats. reservoir: exactly min(n, m) tokens "
                           "of d + d_v floats plus one shared weight.",
                           1, 1e8, 128, true),
        ParamSpec::integer("batch", "Residual batch t",
                           "[R] merge_reduce: 0 (auto) sizes the tree from budget (see budget); "
                           "t >= 2 is the buffer size and block size of every halving of a "
                           "binary-counter tree capped by budget (t clamped to budget + 1).",
                           0, 16384, 0),
        ParamSpec::real("den_weight", "Denominator coordinate",
                        "[R] merge_reduce: weight of the joint denominator coordinate in the "
                        "residual balancing kernel (x mean |v|^2).",
                        0, 1e3, 1.0),
        ParamSpec::choice("recenter", "Recentering",
                          "[R] Expansion centre shared by moments and residual: none or the "
                          "running mean (exact translation); per part when partitioned.",
                          {"none", "mean"}, "mean"),
        ParamSpec::boolean("rescale", "Rescale", "[R] Store (k-c)/rho in the moments.", true),
        ParamSpec::choice("partition", "Space partition",
                          "[R] Large radius: split keys into parts (norm_shells: geometric |k| "
                          "shells; simhash: hyperplanes through the origin), each with its own "
                          "recentred and rescaled moments and residual store, added in log "
                          "space.",
                          {"none", "norm_shells", "simhash"}, "none"),
        ParamSpec::integer("parts", "Parts",
                           "[R] partition: number of shells, or of simhash buckets (rounded down "
                           "to a power of two).",
                           2, 64, 4),
        ParamSpec::real("shell_base", "Shell base", "norm_shells: norms below this go to part 0.",
                        1e-9, 1e9, 1.0, true),
        ParamSpec::real("shell_ratio", "Shell ratio", "norm_shells: ratio between shell radii.",
                        1.0001, 1e3, 1.5, true),
        ParamSpec::real("max_floats", "Memory limit (floats)",
                        "Moment configurations above this many floats (all parts) are refused.", 1,
                        1e13, 67108864.0, true),
    };
    // Every residual token kept and never compressed: moments + exact residual = the exact
    // kernel.
    info.exact_params = [](Index n) {
        return nlohmann::json{{"budget", n}, {"batch", std::min<Index>(n + 1, 16384)}};
    };
    info.make = [](const SketchContext& c) { return std::make_unique<HybridSketch>(c); };
    info.theory = {hybrid_space_curve()};
    return info;
}

}  // namespace kvscope
