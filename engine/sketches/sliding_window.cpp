#include "sketches/sliding_window.hpp"

#include <nlohmann/json.hpp>

namespace kvscope {

SlidingWindowSketch::SlidingWindowSketch(const SketchContext& context)
    : Sketch(context),
      budget_(context.params.integer("budget")),
      cache_(context.dim, context.value_dim) {}

void SlidingWindowSketch::do_append(const TokenBlock& block) {
    // Slot of the i-th token ever seen is i % budget, so the ring needs no head pointer.
    for (Index r = 0; r < block.size(); ++r) {
        const float* k = block.keys.row(r).data();
        const float* v = block.values.row(r).data();
        if (cache_.size() < budget_) {
            cache_.push(k, v, 1.0, 1.0, block.first_position + r);
        } else {
            cache_.set(seen_ % budget_, k, v, 1.0, 1.0, block.first_position + r);
        }
        ++seen_;
    }
}

EstimateBatch SlidingWindowSketch::do_estimate(ConstMatrixRef queries) const {
    return cache_.estimate(queries, beta());
}

SketchStats SlidingWindowSketch::stats() const {
    return SketchStats::of_floats(seen_, cache_.size(),
                                  static_cast<double>(cache_.size()) * (dim() + value_dim()));
}

SketchView SlidingWindowSketch::view() const {
    SketchView v;
    v.subset_of_stream = true;
    v.eviction_rule = "more than budget newer tokens arrived, so it left the window";
    cache_.describe(v);
    v.scalars.push_back({"window_start", static_cast<double>(seen_ - cache_.size())});
    return v;
}

void SlidingWindowSketch::reset() {
    cache_.clear();
    seen_ = 0;
}

SketchInfo sliding_window_sketch_info() {
    SketchInfo info;
    info.id = "sliding_window";
    info.name = "Sliding window";
    info.summary =
        "The last `budget` tokens, exactly. Heuristic baseline (docs/algorithms.md 2.2).";
    info.subset_of_stream = true;
    info.params = {ParamSpec::integer("budget", "Budget (tokens)",
                                      "Tokens kept: the window length W. Older tokens are "
                                      "dropped for good.",
                                      1, 1e8, 256, true)};
    info.exact_params = [](Index n) { return nlohmann::json{{"budget", n}}; };
    info.make = [](const SketchContext& c) { return std::make_unique<SlidingWindowSketch>(c); };
    return info;
}

}  // namespace kvscope
