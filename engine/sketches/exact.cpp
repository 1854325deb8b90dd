#include "sketches/exact.hpp"

#include <nlohmann/json.hpp>

namespace kvscope {

ExactSketch::ExactSketch(const SketchContext& context)
    : Sketch(context), cache_(context.dim, context.value_dim) {}

void ExactSketch::do_append(const TokenBlock& block) {
    cache_.push_block(block, 0, block.size(), 1.0, 1.0);
}

EstimateBatch ExactSketch::do_estimate(ConstMatrixRef queries) const {
    return cache_.estimate(queries, beta());
}

SketchStats ExactSketch::stats() const {
    // The exact cache stores keys and values only (weights are implicit ones).
    return SketchStats::of_floats(cache_.size(), cache_.size(),
                                  static_cast<double>(cache_.size()) * (dim() + value_dim()));
}

SketchView ExactSketch::view() const {
    SketchView v;
    v.subset_of_stream = true;
    cache_.describe(v);
    return v;
}

void ExactSketch::reset() {
    cache_.clear();
}

SketchInfo exact_sketch_info() {
    SketchInfo info;
    info.id = "exact";
    info.name = "Exact cache";
    info.summary = "Keeps every key and value: the reference, error 0.";
    info.subset_of_stream = true;
    info.exact_params = [](Index n) {
        (void)n;
        return nlohmann::json::object();
    };
    info.make = [](const SketchContext& c) { return std::make_unique<ExactSketch>(c); };
    // WeightedCache per token: the key and value floats, the position, two double weights, a tag.
    info.state_bytes_at = [](const SketchContext& c, Index tokens) {
        return static_cast<double>(tokens) * (4.0 * (c.dim + c.value_dim) + 8 + 16 + 4);
    };
    return info;
}

}  // namespace kvscope
