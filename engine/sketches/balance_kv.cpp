#include "sketches/balance_kv.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "theory/discrepancy.hpp"

namespace kvscope {

namespace {

MergeReduceOptions tree_options(const SketchContext& c) {
    MergeReduceOptions o = merge_reduce_options_from(c.params, c.beta);
    o.weight_classes = false;  // classes are the value-norm buckets, passed explicitly
    return o;
}

// Bucket i holds 2^i <= |v| < 2^{i+1}; zero values share bucket 0 (joint estimator only).
int value_norm_bucket(double norm) {
    return norm > 0 ? static_cast<int>(std::floor(std::log2(norm))) : 0;
}

}  // namespace

BalanceKvSketch::BalanceKvSketch(const SketchContext& context)
    : Sketch(context),
      joint_(context.params.text("algorithm") == "joint"),
      buckets_(!joint_ || context.params.text("buckets") == "value_norm"),
      drop_eps_(context.params.number("drop_eps")),
      layout_(context.dim, context.value_dim, context.params.integer("sinks"),
              context.params.integer("window")),
      num_(context.dim, context.value_dim, tree_options(context),
           derive_seed(context.seed, "numerator")),
      den_(context.dim, 1, tree_options(context), derive_seed(context.seed, "denominator")) {}

double BalanceKvSketch::drop_threshold() const {
    if (drop_eps_ <= 0 || seen_ == 0) return 0.0;
    return drop_eps_ * std::exp(-beta() * k_max_sq_) * v_max_ / static_cast<double>(seen_);
}

void BalanceKvSketch::compress(const float* k, const float* v, Index position) {
    const Eigen::Map<const Eigen::VectorXf> vv(v, value_dim());
    const double norm = vv.cast<double>().norm();
    if (joint_) {
        // Every token counts in Z, so none is skipped; zero values share bucket 0.
        num_.push(k, v, 1.0, position, buckets_ ? value_norm_bucket(norm) : 0);
        return;
    }
    const float one = 1.0f;
    den_.push(k, &one, 1.0, position, 0);
    if (!(norm > 0) || norm < drop_threshold()) {
        ++skipped_;
        return;
    }
    const int bucket = value_norm_bucket(norm);
    if (dropped_buckets_.count(bucket)) {
        ++skipped_;
        return;
    }
    num_.push(k, v, 1.0, position, bucket);
}

void BalanceKvSketch::drop_negligible_buckets() {
    if (joint_) return;
    const double thr = drop_threshold();
    if (thr <= 0) return;
    for (int b : num_.classes()) {
        if (std::ldexp(1.0, b + 1) < thr) {
            skipped_ += static_cast<Index>(std::llround(num_.drop_class(b)));
            dropped_buckets_.insert(b);
        }
    }
}

void BalanceKvSketch::do_append(const TokenBlock& block) {
    auto leave = [this](const float*, const float* k, const float* v, Index position) {
        compress(k, v, position);
    };
    for (Index r = 0; r < block.size(); ++r) {
        v_max_ = std::max(v_max_, block.values.row(r).cast<double>().norm());
        k_max_sq_ = std::max(k_max_sq_, block.keys.row(r).cast<double>().squaredNorm());
        ++seen_;  // before compress: the drop threshold counts this token
        layout_.push(nullptr, block.keys.row(r).data(), block.values.row(r).data(),
                     block.first_position + r, leave);
    }
    drop_negligible_buckets();
}

WeightedCache BalanceKvSketch::exact_cache() const {
    WeightedCache cache(dim(), value_dim());
    const WeightedCache& sinks = layout_.sinks();
    for (Index s = 0; s < sinks.size(); ++s)
        cache.push(sinks.key(s), sinks.value(s), 1.0, 1.0, sinks.position(s), -1);
    const WeightedCache& window = layout_.window();
    for (Index i = 0; i < window.size(); ++i) {  // in stream order
        const Index s = layout_.window_slot(i);
        cache.push(window.key(s), window.value(s), 1.0, 1.0, window.position(s), -2);
    }
    num_.collect(cache, 1.0, joint_ ? 1.0 : 0.0);
    den_.collect(cache, 0.0, 1.0);
    return cache;
}

EstimateBatch BalanceKvSketch::do_estimate(ConstMatrixRef queries) const {
    return exact_cache().estimate(queries, beta());
}

SketchStats BalanceKvSketch::stats() const {
    const Index exact = layout_.size();
    return SketchStats::of_floats(seen_, exact + num_.size() + den_.size(),
                                  static_cast<double>(exact) * (dim() + value_dim()) +
                                      static_cast<double>(num_.size()) * (dim() + value_dim() + 1) +
                                      static_cast<double>(den_.size()) * (dim() + 1));
}

SketchView BalanceKvSketch::view() const {
    SketchView v;
    v.subset_of_stream = true;
    v.eviction_rule =
        "a merge-and-reduce carry ran SoftmaxBalance on its block and the self-balancing walk gave "
        "it the losing sign (sinks and window are never halved)";
    v.tag_meaning = "merge level (0 = raw buffer, -1 = sink, -2 = window)";
    exact_cache().describe(v);
    v.merge_trees = num_.tree_views(joint_ ? (buckets_ ? "value-norm bucket" : "tree")
                                           : "numerator value-norm bucket");
    for (auto& t : den_.tree_views("denominator"))
        v.merge_trees.push_back(std::move(t));
    if (!v.merge_trees.empty())
        v.merge_tree = joint_ ? v.merge_trees.front() : v.merge_trees.back();
    v.walk = walk_view(num_, beta(), 0.0, context().seed);
    if (v.walk) v.walk->fail_events = num_.fail_events() + den_.fail_events();
    if (buckets_) {
        BucketView b;
        for (int c : num_.classes()) {  // class c holds 2^c <= ||v|| < 2^(c+1)
            b.ids.push_back(c);
            b.value_norm_lo.push_back(std::ldexp(1.0, c));
            b.value_norm_hi.push_back(std::ldexp(1.0, c + 1));
        }
        for (const auto& t : num_.tree_views("")) {
            Index n = t.buffer_size;
            for (const auto& l : t.levels)
                n += l.occupancy;
            b.counts.push_back(n);
        }
        v.buckets = std::move(b);
    }
    v.scalars.push_back({"halvings", static_cast<double>(num_.halvings() + den_.halvings())});
    v.scalars.push_back(
        {"fail_events", static_cast<double>(num_.fail_events() + den_.fail_events())});
    v.scalars.push_back({"skipped_tokens", static_cast<double>(skipped_)});
    v.scalars.push_back({"dropped_buckets", static_cast<double>(dropped_buckets_.size())});
    v.scalars.push_back({"v_max", v_max_});
    return v;
}

void BalanceKvSketch::reset() {
    num_.reset();
    den_.reset();
    layout_.clear();
    seen_ = skipped_ = 0;
    v_max_ = k_max_sq_ = 0;
    dropped_buckets_.clear();
}

SketchInfo balance_kv_sketch_info() {
    SketchInfo info;
    info.id = "balance_kv";
    info.name = "BalanceKV";
    info.summary =
        "SoftmaxBalance merge-and-reduce: by default one tree whose items serve numerator and "
        "denominator (bounded output) [R]; algorithm=paper: value-norm buckets for the numerator "
        "plus a denominator tree. Optional exact sinks and window.";
    info.paper = "Streaming Attention Approximation via Discrepancy Theory (arXiv 2502.07861)";
    info.subset_of_stream = true;
    info.params = {
        ParamSpec::integer("batch", "Batch t",
                           "Buffer size and block size of every halving. Retained (joint, no "
                           "buckets, keep half): exactly S + W + (n' mod t) + ceil(t/2) "
                           "popcount(floor(n'/t)), n' = n - S - W; per bucket with buckets; "
                           "paper: at most (buckets + 1)(t + ceil(t/2) log2(n/t)) + S + W.",
                           2, 16384, 256, true),
        ParamSpec::choice("algorithm", "Estimator",
                          "joint: one tree whose items serve N and Z, so z = N/Z is a convex "
                          "combination of kept values [R]; paper: Algorithm 1, numerator trees "
                          "per value-norm bucket plus a denominator tree (N/Z unbounded).",
                          {"joint", "paper"}, "joint"),
        ParamSpec::choice("buckets", "Value-norm buckets",
                          "joint only: none, or one tree per bucket 2^i <= |v| < 2^(i+1) (helps "
                          "on heavy-tailed value norms; costs a buffer per bucket). The paper "
                          "estimator always buckets.",
                          {"none", "value_norm"}, "none"),
        ParamSpec::integer("sinks", "Sink tokens S", "First S tokens kept exactly.", 0, 1e7, 0),
        ParamSpec::integer("window", "Recent window W",
                           "Last W tokens kept exactly; a token is compressed when it leaves.", 0,
                           1e7, 0),
        ParamSpec::real("drop_eps", "Negligible-bucket eps",
                        "paper only: values with |v| < eps e^{-B} v_max / n skip the numerator "
                        "and such buckets are dropped [R]. 0 keeps everything.",
                        0, 1, 0.01),
    };
    for (auto& p : balance_param_specs())
        info.params.push_back(std::move(p));
    // No compression happens before the buffer fills, so the sketch is exact.
    info.exact_params = [](Index n) {
        return nlohmann::json{{"batch", std::min<Index>(n + 1, 16384)}};
    };
    info.make = [](const SketchContext& c) { return std::make_unique<BalanceKvSketch>(c); };
    info.theory = balance_kv_theory_curves();
    return info;
}

Index balance_kv_retained(Index n, Index t, Index sinks, Index window) {
    const Index s = std::min(n, sinks);
    const Index w = std::min(n - s, window);
    return s + w + merge_reduce_retained(n - s - w, t);
}

}  // namespace kvscope
