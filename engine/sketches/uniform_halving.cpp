#include "sketches/uniform_halving.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

namespace kvscope {

UniformHalvingSketch::UniformHalvingSketch(const SketchContext& context)
    : Sketch(context),
      budget_(context.params.integer("budget")),
      rng_(context.seed),
      cache_(context.dim, context.value_dim) {}

void UniformHalvingSketch::halve() {
    std::vector<Index> kept;
    kept.reserve(static_cast<std::size_t>(cache_.size() / 2 + 1));
    const bool keep_plus = rng_.coin();
    for (Index s = 0; s < cache_.size(); ++s) {
        if (rng_.coin() == keep_plus) kept.push_back(s);
    }
    cache_.keep(kept);
    ++round_;
    ++halvings_;
    for (Index s = 0; s < cache_.size(); ++s) {
        cache_.weight_num(s) *= 2.0;
        cache_.weight_den(s) *= 2.0;
        cache_.tag(s) = round_;
    }
}

void UniformHalvingSketch::do_append(const TokenBlock& block) {
    for (Index r = 0; r < block.size(); ++r) {
        ++seen_;
        // Intake at rate 2^-round keeps every token's inclusion probability at 2^-round.
        bool take = true;
        for (int i = 0; i < round_ && take; ++i)
            take = rng_.coin();
        if (!take) continue;
        const double w = std::ldexp(1.0, round_);
        cache_.push(block.keys.row(r).data(), block.values.row(r).data(), w, w,
                    block.first_position + r, round_);
        while (cache_.size() > budget_)
            halve();
    }
}

EstimateBatch UniformHalvingSketch::do_estimate(ConstMatrixRef queries) const {
    return cache_.estimate(queries, beta());
}

SketchStats UniformHalvingSketch::stats() const {
    return SketchStats::of_floats(seen_, cache_.size(),
                                  static_cast<double>(cache_.size()) * (dim() + value_dim()) + 1);
}

SketchView UniformHalvingSketch::view() const {
    SketchView v;
    v.subset_of_stream = true;
    v.eviction_rule = "a random halving dropped it (half the kept tokens survive each halving)";
    v.tag_meaning = "halving rounds survived (weight 2^tag)";
    cache_.describe(v);
    v.scalars.push_back({"round", static_cast<double>(round_)});
    v.scalars.push_back({"halvings", static_cast<double>(halvings_)});
    return v;
}

void UniformHalvingSketch::reset() {
    cache_.clear();
    seen_ = 0;
    round_ = 0;
    halvings_ = 0;
    rng_ = Rng(context().seed);
}

SketchInfo uniform_halving_sketch_info() {
    SketchInfo info;
    info.id = "uniform_halving";
    info.name = "Uniform halving";
    info.summary = "Repeated random halving (walk strength 0): the discrepancy methods' control.";
    info.subset_of_stream = true;
    info.params = {ParamSpec::integer("budget", "Budget (tokens)",
                                      "Most tokens kept. When exceeded, a random half survives "
                                      "with doubled weight.",
                                      1, 1e8, 256, true)};
    info.exact_params = [](Index n) {
        (void)n;
        return nlohmann::json{{"budget", n}};
    };
    info.make = [](const SketchContext& c) { return std::make_unique<UniformHalvingSketch>(c); };
    return info;
}

}  // namespace kvscope
