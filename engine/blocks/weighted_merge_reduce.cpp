#include "blocks/weighted_merge_reduce.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace kvscope {

Compressor compressor_from_string(const std::string& name) {
    if (name == "walk") return Compressor::Walk;
    if (name == "pair_sample") return Compressor::PairSample;
    if (name == "uniform") return Compressor::Uniform;
    throw std::invalid_argument("unknown compressor '" + name +
                                "' (known: walk, pair_sample, uniform)");
}

void ItemSet::clear() {
    keys.clear();
    values.clear();
    weights.clear();
    den_scales.clear();
    positions.clear();
}

void ItemSet::push(const float* k, const float* v, double w, Index position, int dim, int value_dim,
                   double den_scale) {
    keys.insert(keys.end(), k, k + dim);
    values.insert(values.end(), v, v + value_dim);
    weights.push_back(w);
    den_scales.push_back(den_scale);
    positions.push_back(position);
}

void ItemSet::append(const ItemSet& other) {
    keys.insert(keys.end(), other.keys.begin(), other.keys.end());
    values.insert(values.end(), other.values.begin(), other.values.end());
    weights.insert(weights.end(), other.weights.begin(), other.weights.end());
    den_scales.insert(den_scales.end(), other.den_scales.begin(), other.den_scales.end());
    positions.insert(positions.end(), other.positions.begin(), other.positions.end());
}

ItemSpan ItemSet::span(int dim, int value_dim) const {
    ItemSpan v;
    v.keys = keys.data();
    v.values = values.data();
    v.weights = weights.data();
    v.n = size();
    v.dim = dim;
    v.value_dim = value_dim;
    return v;
}

WeightedMergeReduce::WeightedMergeReduce(int dim, int value_dim, MergeReduceOptions options,
                                         std::uint64_t seed)
    : dim_(dim), value_dim_(value_dim), options_(std::move(options)), seed_(seed), rng_(seed) {
    if (dim <= 0 || value_dim <= 0) {
        throw std::invalid_argument("merge-and-reduce dimensions must be positive");
    }
    if (options_.batch < 2) {
        throw std::invalid_argument("merge-and-reduce batch must be >= 2 (got " +
                                    std::to_string(options_.batch) + ")");
    }
}

void WeightedMergeReduce::push(const float* key, const float* value, double weight,
                               Index position) {
    int cls = 0;
    if (options_.weight_classes && weight > 0)
        cls = static_cast<int>(std::floor(std::log2(weight)));
    push(key, value, weight, position, cls);
}

void WeightedMergeReduce::push(const float* key, const float* value, double weight, Index position,
                               int cls, double den_scale) {
    Tree& tree = trees_[cls];
    tree.buffer.push(key, value, weight, position, dim_, value_dim_, den_scale);
    ++tree.pushed;
    ++pushed_;
    clock_ = position >= 0 ? std::max(clock_, position + 1) : clock_ + 1;
    pushed_weight_ += weight;
    if (tree.buffer.size() >= options_.batch) carry(tree, cls);
}

ItemSet WeightedMergeReduce::compress(ItemSet&& in) {
    const ItemSpan v = in.span(dim_, value_dim_);
    Halving h;
    switch (options_.compressor) {
        case Compressor::Walk: {
            BalanceOptions o = options_.balance;
            if (o.theory_n <= 0) o.theory_n = static_cast<double>(std::max(pushed_, v.n));
            h = softmax_balance_halve(v, o, rng_, options_.gram);
            break;
        }
        case Compressor::Uniform:
            h = uniform_halve(v, options_.balance, rng_);
            break;
        case Compressor::PairSample:
            h = pair_sample_halve(v, rng_);
            break;
    }
    ++halvings_;
    fail_events_ += h.walk.fail_events;
    ItemSet out;
    out.keys.reserve(h.kept.size() * static_cast<std::size_t>(dim_));
    out.values.reserve(h.kept.size() * static_cast<std::size_t>(value_dim_));
    for (std::size_t a = 0; a < h.kept.size(); ++a) {
        const Index i = h.kept[a];
        out.push(in.keys.data() + i * dim_, in.values.data() + i * value_dim_,
                 in.weights[static_cast<std::size_t>(i)] * h.factor[a],
                 in.positions[static_cast<std::size_t>(i)], dim_, value_dim_,
                 in.den_scales[static_cast<std::size_t>(i)]);
    }
    last_input_ = std::move(in);
    last_walk_ = std::move(h.walk);
    return out;
}

void WeightedMergeReduce::carry(Tree& tree, int /*cls*/) {
    auto log_carry = [&](int from, int to, Index in, Index out) {
        tree.carries.push_back({clock_, from, to, in, out});
        while (static_cast<Index>(tree.carries.size()) > options_.carry_log)
            tree.carries.pop_front();
    };
    const Index buffered = tree.buffer.size();
    ItemSet block = compress(std::move(tree.buffer));
    tree.buffer.clear();
    if (options_.max_levels == 0) {  // the buffer is its own root
        log_carry(0, 0, buffered, block.size());
        tree.buffer = std::move(block);
        return;
    }
    log_carry(0, 1, buffered, block.size());
    std::size_t level = 1;
    while (true) {
        if (tree.levels.size() < level) {
            tree.levels.resize(level);
            tree.reached_at.resize(level, clock_);
        }
        ItemSet& slot = tree.levels[level - 1];
        if (slot.empty()) {
            slot = std::move(block);
            break;
        }
        slot.append(block);
        const Index in = slot.size();
        block = compress(std::move(slot));
        slot.clear();
        if (options_.max_levels > 0 && level >= static_cast<std::size_t>(options_.max_levels)) {
            // The root absorbs the carry: the halved union stays at the top level.
            log_carry(static_cast<int>(level), static_cast<int>(level), in, block.size());
            slot = std::move(block);
            break;
        }
        log_carry(static_cast<int>(level), static_cast<int>(level + 1), in, block.size());
        ++level;
    }
}

double WeightedMergeReduce::drop_class(int cls) {
    auto it = trees_.find(cls);
    if (it == trees_.end()) return 0.0;
    double w = 0;
    for (double x : it->second.buffer.weights)
        w += x;
    for (const auto& l : it->second.levels)
        for (double x : l.weights)
            w += x;
    trees_.erase(it);
    return w;
}

Index WeightedMergeReduce::size() const {
    Index n = 0;
    for (const auto& [cls, tree] : trees_) {
        n += tree.buffer.size();
        for (const auto& l : tree.levels)
            n += l.size();
    }
    return n;
}

double WeightedMergeReduce::total_weight() const {
    double w = 0;
    for (const auto& [cls, tree] : trees_) {
        for (double x : tree.buffer.weights)
            w += x;
        for (const auto& l : tree.levels)
            for (double x : l.weights)
                w += x;
    }
    return w;
}

Index WeightedMergeReduce::pushed_in(int cls) const {
    auto it = trees_.find(cls);
    return it == trees_.end() ? 0 : it->second.pushed;
}

std::vector<int> WeightedMergeReduce::classes() const {
    std::vector<int> out;
    for (const auto& [cls, tree] : trees_)
        out.push_back(cls);
    return out;
}

void WeightedMergeReduce::collect(WeightedCache& cache, double num_scale, double den_scale) const {
    const bool same_dim = cache.value_dim() == value_dim_;
    std::vector<float> zeros(same_dim ? 0 : static_cast<std::size_t>(cache.value_dim()), 0.0f);
    auto add = [&](const ItemSet& s, int tag) {
        for (Index i = 0; i < s.size(); ++i) {
            const float* v = same_dim ? s.values.data() + i * value_dim_ : zeros.data();
            const double w = s.weights[static_cast<std::size_t>(i)];
            const double wd = den_scale * w * s.den_scales[static_cast<std::size_t>(i)];
            cache.push(s.keys.data() + i * dim_, v, num_scale * w, wd,
                       s.positions[static_cast<std::size_t>(i)], tag);
        }
    };
    for (const auto& [cls, tree] : trees_) {
        add(tree.buffer, 0);
        for (std::size_t l = 0; l < tree.levels.size(); ++l)
            add(tree.levels[l], static_cast<int>(l + 1));
    }
}

std::vector<MergeTreeView> WeightedMergeReduce::tree_views(const std::string& label) const {
    std::vector<MergeTreeView> out;
    for (const auto& [cls, tree] : trees_) {
        MergeTreeView mt;
        mt.label = label + " class " + std::to_string(cls);
        mt.class_id = cls;
        mt.buffer_size = tree.buffer.size();
        mt.buffer_capacity = options_.batch;
        for (std::size_t l = 0; l < tree.levels.size(); ++l) {
            const ItemSet& s = tree.levels[l];
            MergeTreeView::Level lv;
            lv.level = static_cast<int>(l + 1);
            lv.capacity = (options_.batch + 1) / 2;
            lv.occupancy = s.size();
            if (!s.empty()) {
                double sum = 0, lo = s.weights.front(), hi = s.weights.front();
                for (double w : s.weights) {
                    sum += w;
                    lo = std::min(lo, w);
                    hi = std::max(hi, w);
                }
                lv.weight = sum / static_cast<double>(s.size());
                lv.weight_min = lo;
                lv.weight_max = hi;
            } else {
                lv.weight = lv.weight_min = lv.weight_max = std::ldexp(1.0, lv.level);
            }
            mt.levels.push_back(lv);
        }
        mt.recent_carries.assign(tree.carries.begin(), tree.carries.end());
        mt.level_reached_at = tree.reached_at;
        out.push_back(std::move(mt));
    }
    return out;
}

void WeightedMergeReduce::reset() {
    trees_.clear();
    rng_ = Rng(seed_);
    pushed_ = 0;
    clock_ = 0;
    pushed_weight_ = 0;
    halvings_ = 0;
    fail_events_ = 0;
    last_input_.clear();
    last_walk_ = WalkResult{};
}

MergeReduceOptions merge_reduce_options_from(const ParamSet& params, double beta) {
    MergeReduceOptions o;
    o.batch = params.integer("batch");
    o.balance = balance_options_from(params, beta);
    o.balance.record_trace = true;
    if (params.has("compressor")) o.compressor = compressor_from_string(params.text("compressor"));
    return o;
}

std::vector<std::string> walk_warnings(const std::vector<const WeightedMergeReduce*>& trees) {
    Index fails = 0, halvings = 0;
    double delta = 0;
    for (const WeightedMergeReduce* t : trees) {
        if (t->options().compressor != Compressor::Walk ||
            t->options().balance.mode != WalkMode::Theory)
            continue;
        fails += t->fail_events();
        halvings += t->halvings();
        delta = t->options().balance.delta;
    }
    if (fails == 0 || static_cast<double>(fails) <= delta * static_cast<double>(halvings))
        return {};
    return {"walk FAIL events: " + std::to_string(fails) + " in " + std::to_string(halvings) +
            " halvings, more than delta = " + format_number(delta) +
            " per halving: Thm 3.3's bound does not hold on this stream (R from the observed "
            "radii too small, or the kernel e^{beta |k|^2} beyond single precision)"};
}

Matrix walk_probe_queries(int dim, double radius, int count, std::uint64_t seed) {
    Rng rng(seed);
    Matrix q(count, dim);
    for (int p = 0; p < count; ++p)
        q.row(p) = rng.on_sphere(dim, radius).transpose();
    return q;
}

std::optional<WalkTrace> walk_view(const WeightedMergeReduce& tree, double beta,
                                   double probe_radius, std::uint64_t seed) {
    const ItemSet& in = tree.last_input();
    if (in.empty() || static_cast<Index>(tree.last_walk().signs.size()) != in.size()) {
        if (tree.halvings() == 0) return std::nullopt;
    }
    const ItemSpan v = in.span(tree.dim(), tree.value_dim());
    double radius = probe_radius;
    if (!(radius > 0) && v.n > 0) {
        const Eigen::Map<const Matrix> K(v.keys, v.n, v.dim);
        radius = std::sqrt(K.rowwise().squaredNorm().maxCoeff());
    }
    const Matrix probes = walk_probe_queries(tree.dim(), radius, 16, derive_seed(seed, "probes"));
    WalkTrace t = make_walk_trace(v, tree.last_walk(), probes, beta, derive_seed(seed, "signs"));
    t.fail_events = tree.fail_events();
    return t;
}

// ---------------------------------------------------------------------------------------------

namespace {

MergeReduceOptions wmr_options(const SketchContext& c) {
    MergeReduceOptions o = merge_reduce_options_from(c.params, c.beta);
    o.weight_classes = c.params.flag("weight_classes");
    return o;
}

}  // namespace

WeightedMergeReduceSketch::WeightedMergeReduceSketch(const SketchContext& context)
    : Sketch(context),
      value_norm_(context.params.text("weighting") == "value_norm"),
      tree_(context.dim, context.value_dim, wmr_options(context), context.seed),
      scratch_(static_cast<std::size_t>(context.value_dim)) {}

void WeightedMergeReduceSketch::do_append(const TokenBlock& block) {
    for (Index r = 0; r < block.size(); ++r) {
        const float* k = block.keys.row(r).data();
        const float* v = block.values.row(r).data();
        const Index pos = block.first_position + r;
        ++seen_;
        const double norm = value_norm_ ? block.values.row(r).cast<double>().norm() : 0.0;
        if (!(norm > 0)) {  // unit weighting, or a zero value (it only counts in Z)
            tree_.push(k, v, 1.0, pos);
            continue;
        }
        for (int c = 0; c < value_dim(); ++c)
            scratch_[static_cast<std::size_t>(c)] = static_cast<float>(v[c] / norm);
        const int cls =
            tree_.options().weight_classes ? static_cast<int>(std::floor(std::log2(norm))) : 0;
        tree_.push(k, scratch_.data(), norm, pos, cls, 1.0 / norm);
    }
}

EstimateBatch WeightedMergeReduceSketch::do_estimate(ConstMatrixRef queries) const {
    WeightedCache cache(dim(), value_dim());
    tree_.collect(cache, 1.0, 1.0);
    return cache.estimate(queries, beta());
}

SketchStats WeightedMergeReduceSketch::stats() const {
    // Key, value and weight per item, plus the denominator scale under value_norm weighting.
    const int per_item = dim() + value_dim() + (value_norm_ ? 2 : 1);
    return SketchStats::of_floats(seen_, tree_.size(),
                                  static_cast<double>(tree_.size()) * per_item);
}

SketchView WeightedMergeReduceSketch::view() const {
    SketchView v;
    v.subset_of_stream = true;
    v.eviction_rule =
        "a carry in its weight class's tree ran SoftmaxBalance on its block and the walk gave it "
        "the losing sign";
    v.tag_meaning = "merge level (0 = raw buffer)";
    WeightedCache cache(dim(), value_dim());
    tree_.collect(cache, 1.0, 1.0);
    cache.describe(v);
    v.merge_trees = tree_.tree_views("tree");
    select_fullest_tree(v);
    v.walk = walk_view(tree_, beta(), 0.0, context().seed);
    v.scalars.push_back({"halvings", static_cast<double>(tree_.halvings())});
    v.scalars.push_back({"fail_events", static_cast<double>(tree_.fail_events())});
    v.scalars.push_back({"classes", static_cast<double>(tree_.classes().size())});
    return v;
}

void WeightedMergeReduceSketch::reset() {
    tree_.reset();
    seen_ = 0;
}

Index merge_reduce_retained(Index n, Index t) {
    const auto full = static_cast<std::uint64_t>(n / t);
    return n % t + ((t + 1) / 2) * static_cast<Index>(std::popcount(full));
}

Index weighted_merge_reduce_retained(const WeightedMergeReduce& tree) {
    Index total = 0;
    for (int c : tree.classes())
        total += merge_reduce_retained(tree.pushed_in(c), tree.options().batch);
    return total;
}

SketchInfo weighted_merge_reduce_sketch_info() {
    SketchInfo info;
    info.id = "weighted_merge_reduce";
    info.name = "Weighted merge-and-reduce";
    info.summary =
        "Merge-and-reduce over weighted items in weight classes, with a selectable compressor "
        "(walk, pair_sample, uniform) [R].";
    info.paper =
        "Towards Tight Bounds for Streaming Attention (arXiv 2606.07205), weighted "
        "merge-and-reduce [R]; Streaming Attention Approximation via Discrepancy Theory (arXiv "
        "2502.07861)";
    info.subset_of_stream = true;
    info.params = {
        ParamSpec::integer("batch", "Batch t",
                           "Buffer size and block size of every halving. Retained (keep half): "
                           "exactly the sum over weight classes c of (n_c mod t) + ceil(t/2) "
                           "popcount(floor(n_c/t)), n_c the tokens of class c.",
                           2, 16384, 256, true),
        ParamSpec::choice("compressor", "Compressor",
                          "walk: SoftmaxBalance; pair_sample: sort by a random projection, keep "
                          "one of each pair with probability proportional to weight; uniform: "
                          "random halving.",
                          {"walk", "pair_sample", "uniform"}, "walk"),
        ParamSpec::choice("weighting", "Item weights",
                          "value_norm: items (k, v/|v|) of weight |v| and denominator weight 1 "
                          "(classes by |v|); unit: items (k, v) of weight 1. Either way the same "
                          "items serve numerator and denominator.",
                          {"value_norm", "unit"}, "value_norm"),
        ParamSpec::boolean("weight_classes", "Weight classes",
                           "Balance only items whose weights lie in the same [2^a, 2^{a+1}).",
                           true),
    };
    for (auto& p : balance_param_specs())
        info.params.push_back(std::move(p));
    // No compression happens before the buffer fills, so the sketch is exact.
    info.exact_params = [](Index n) {
        return nlohmann::json{{"batch", std::min<Index>(n + 1, 16384)}};
    };
    info.make = [](const SketchContext& c) {
        return std::make_unique<WeightedMergeReduceSketch>(c);
    };
    return info;
}

}  // namespace kvscope
