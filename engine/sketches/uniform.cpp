#include "sketches/uniform.hpp"

#include <nlohmann/json.hpp>

#include "math/reservoir.hpp"

namespace kvscope {

UniformSketch::UniformSketch(const SketchContext& context)
    : Sketch(context),
      budget_(context.params.integer("budget")),
      rng_(context.seed),
      cache_(context.dim, context.value_dim) {}

void UniformSketch::do_append(const TokenBlock& block) {
    for (Index r = 0; r < block.size(); ++r) {
        const float* k = block.keys.row(r).data();
        const float* v = block.values.row(r).data();
        const ReservoirSlot slot = reservoir_slot(seen_, budget_, rng_);
        if (slot.append) {
            cache_.push(k, v, 1.0, 1.0, block.first_position + r);
        } else if (slot.kept()) {
            cache_.set(slot.slot, k, v, 1.0, 1.0, block.first_position + r);
        }
        ++seen_;
    }
    const double w = static_cast<double>(seen_) / static_cast<double>(cache_.size());
    for (Index s = 0; s < cache_.size(); ++s) {
        cache_.weight_num(s) = w;
        cache_.weight_den(s) = w;
    }
}

EstimateBatch UniformSketch::do_estimate(ConstMatrixRef queries) const {
    return cache_.estimate(queries, beta());
}

SketchStats UniformSketch::stats() const {
    // One shared weight (n/m) suffices for the whole sample.
    return SketchStats::of_floats(seen_, cache_.size(),
                                  static_cast<double>(cache_.size()) * (dim() + value_dim()) + 1);
}

SketchView UniformSketch::view() const {
    SketchView v;
    v.subset_of_stream = true;
    v.eviction_rule =
        "a later token took its reservoir slot (each arrival replaces a random slot with "
        "probability budget / n)";
    cache_.describe(v);
    return v;
}

void UniformSketch::reset() {
    cache_.clear();
    seen_ = 0;
    rng_ = Rng(context().seed);
}

SketchInfo uniform_sketch_info() {
    SketchInfo info;
    info.id = "uniform";
    info.name = "Uniform reservoir";
    info.summary = "Reservoir sample of `budget` tokens with Horvitz-Thompson weights n/m.";
    info.subset_of_stream = true;
    info.params = {ParamSpec::integer("budget", "Budget (tokens)",
                                      "Tokens kept. Each carries weight n/budget once more than "
                                      "budget tokens have been seen.",
                                      1, 1e8, 256, true)};
    info.exact_params = [](Index n) {
        (void)n;
        return nlohmann::json{{"budget", n}};
    };
    info.make = [](const SketchContext& c) { return std::make_unique<UniformSketch>(c); };
    return info;
}

}  // namespace kvscope
