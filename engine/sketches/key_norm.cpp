#include "sketches/key_norm.hpp"

#include <nlohmann/json.hpp>

namespace kvscope {

KeyNormSketch::KeyNormSketch(const SketchContext& context)
    : Sketch(context),
      budget_(context.params.integer("budget")),
      keep_largest_(context.params.text("keep") == "largest"),
      cache_(context.dim, context.value_dim) {}

void KeyNormSketch::find_worst() {
    worst_ = 0;
    for (Index s = 1; s < cache_.size(); ++s) {
        const double a = merit(norms_[static_cast<std::size_t>(s)]);
        const double w = merit(norms_[static_cast<std::size_t>(worst_)]);
        // The newer of two equal tokens is the one to drop.
        if (a < w || (a == w && cache_.position(s) > cache_.position(worst_))) worst_ = s;
    }
}

void KeyNormSketch::do_append(const TokenBlock& block) {
    for (Index r = 0; r < block.size(); ++r, ++seen_) {
        const double norm = block.keys.row(r).cast<double>().norm();
        const Index pos = block.first_position + r;
        const float* k = block.keys.row(r).data();
        const float* v = block.values.row(r).data();
        if (cache_.size() < budget_) {
            cache_.push(k, v, 1.0, 1.0, pos);
            norms_.push_back(norm);
            if (cache_.size() == budget_) find_worst();
            continue;
        }
        if (merit(norm) <= merit(norms_[static_cast<std::size_t>(worst_)])) continue;
        cache_.set(worst_, k, v, 1.0, 1.0, pos);
        norms_[static_cast<std::size_t>(worst_)] = norm;
        ++replacements_;
        find_worst();
    }
}

EstimateBatch KeyNormSketch::do_estimate(ConstMatrixRef queries) const {
    return cache_.estimate(queries, beta());
}

SketchStats KeyNormSketch::stats() const {
    return SketchStats::of_floats(seen_, cache_.size(),
                                  static_cast<double>(cache_.size()) * (dim() + value_dim() + 1));
}

SketchView KeyNormSketch::view() const {
    SketchView v;
    v.subset_of_stream = true;
    v.eviction_rule =
        "tokens with a more preferred key norm filled the budget (the sketch keeps the budget "
        "tokens of smallest, or largest, ||k||)";
    cache_.describe(v);
    v.token_scores = norms_;
    v.score_meaning = "key norm";
    v.scalars.push_back({"replacements", static_cast<double>(replacements_)});
    if (worst_ >= 0)
        v.scalars.push_back({"threshold_norm", norms_[static_cast<std::size_t>(worst_)]});
    return v;
}

void KeyNormSketch::reset() {
    cache_.clear();
    norms_.clear();
    worst_ = -1;
    seen_ = 0;
    replacements_ = 0;
}

SketchInfo key_norm_sketch_info() {
    SketchInfo info;
    info.id = "key_norm";
    info.name = "Key norm";
    info.summary = "Keeps the tokens with the smallest (or largest) key norms. Heuristic.";
    info.paper =
        "A Simple and Effective L2 Norm-Based Strategy for KV Cache Compression, "
        "arXiv:2406.11430";
    info.subset_of_stream = true;
    info.params = {
        ParamSpec::integer("budget", "Budget (tokens)", "Tokens kept.", 1, 1e8, 256, true),
        ParamSpec::choice("keep", "Keep",
                          "smallest: the paper's rule (low-norm keys draw attention in real "
                          "models); largest: the opposite.",
                          {"smallest", "largest"}, "smallest")};
    info.exact_params = [](Index n) { return nlohmann::json{{"budget", n}}; };
    info.make = [](const SketchContext& c) { return std::make_unique<KeyNormSketch>(c); };
    return info;
}

}  // namespace kvscope
