#include <algorithm>

#include "sketches/merge_reduce.hpp"

#include <bit>
#include <nlohmann/json.hpp>

#include "theory/discrepancy.hpp"

namespace kvscope {

namespace {

MergeReduceOptions options_of(const SketchContext& c) {
    MergeReduceOptions o = merge_reduce_options_from(c.params, c.beta);
    o.weight_classes = false;
    return o;
}

}  // namespace

MergeReduceSketch::MergeReduceSketch(const SketchContext& context)
    : Sketch(context), tree_(context.dim, context.value_dim, options_of(context), context.seed) {}

void MergeReduceSketch::do_append(const TokenBlock& block) {
    for (Index r = 0; r < block.size(); ++r) {
        tree_.push(block.keys.row(r).data(), block.values.row(r).data(), 1.0,
                   block.first_position + r);
        ++seen_;
    }
}

EstimateBatch MergeReduceSketch::do_estimate(ConstMatrixRef queries) const {
    WeightedCache cache(dim(), value_dim());
    tree_.collect(cache, 1.0, 1.0);
    return cache.estimate(queries, beta());
}

SketchStats MergeReduceSketch::stats() const {
    return SketchStats::of_floats(seen_, tree_.size(),
                                  static_cast<double>(tree_.size()) * (dim() + value_dim() + 1));
}

SketchView MergeReduceSketch::view() const {
    SketchView v;
    v.subset_of_stream = true;
    v.eviction_rule =
        "a carry in the binary-counter tree ran SoftmaxBalance on its block and the walk gave it "
        "the losing sign";
    v.tag_meaning = "merge level (0 = raw buffer)";
    WeightedCache cache(dim(), value_dim());
    tree_.collect(cache, 1.0, 1.0);
    cache.describe(v);
    v.merge_trees = tree_.tree_views("tree");
    if (!v.merge_trees.empty()) v.merge_tree = v.merge_trees.front();
    v.walk = walk_view(tree_, beta(), 0.0, context().seed);
    v.scalars.push_back({"halvings", static_cast<double>(tree_.halvings())});
    v.scalars.push_back({"fail_events", static_cast<double>(tree_.fail_events())});
    return v;
}

void MergeReduceSketch::reset() {
    tree_.reset();
    seen_ = 0;
}

SketchInfo merge_reduce_sketch_info() {
    SketchInfo info;
    info.id = "merge_reduce";
    info.name = "Merge-and-reduce (SoftmaxBalance)";
    info.summary =
        "Streaming coreset: SoftmaxBalance halvings in a binary-counter tree on (k, v); "
        "O(t log(n/t)) tokens.";
    info.paper = "Streaming Attention Approximation via Discrepancy Theory (arXiv 2502.07861)";
    info.subset_of_stream = true;
    info.params = {ParamSpec::integer("batch", "Batch t",
                                      "Buffer size and block size of every halving; retained "
                                      "~ t + (t/2) log2(n/t).",
                                      2, 16384, 256, true)};
    for (auto& p : balance_param_specs())
        info.params.push_back(std::move(p));
    // No compression happens before the buffer fills, so the sketch is exact.
    info.exact_params = [](Index n) {
        return nlohmann::json{{"batch", std::min<Index>(n + 1, 16384)}};
    };
    info.make = [](const SketchContext& c) { return std::make_unique<MergeReduceSketch>(c); };
    info.theory = merge_reduce_theory_curves();
    return info;
}

}  // namespace kvscope
