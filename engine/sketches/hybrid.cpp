#include "sketches/hybrid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "sketches/taylor_moments.hpp"

namespace kvscope {

namespace {

SketchContext moments_context(const SketchContext& c) {
    SketchContext m = c;
    m.seed = derive_seed(c.seed, "hybrid_moments");
    const nlohmann::json p = {
        {"degree", c.params.integer("degree")},
        {"recenter", c.params.text("recenter")},
        {"rescale", c.params.flag("rescale")},
        {"max_floats", c.params.number("max_floats")},
    };
    m.params = ParamSet::from_json(taylor_sketch_info().params, p, "hybrid");
    return m;
}

double hybrid_words(const TheoryInputs& in, int t) {
    const double tail = t < 0 ? std::exp(in.B) : taylor_truncation_error(in.B, t);
    const double m = std::sqrt(in.d_v) * tail * std::exp(in.B) / in.eps;
    double coreset = m * (in.d + in.d_v);
    if (in.log_factors && in.n > m && m > 0) coreset *= std::log(in.n / m);
    const double moments =
        t < 0 ? 0.0 : taylor_moment_floats(static_cast<int>(in.d), static_cast<int>(in.d_v), t);
    return moments + coreset;
}

}  // namespace

int hybrid_best_degree(const TheoryInputs& in) {
    int best = -1;
    double best_words = hybrid_words(in, -1);
    for (int t = 0; t <= 24; ++t) {
        const double w = hybrid_words(in, t);
        if (w < best_words) {
            best_words = w;
            best = t;
        }
    }
    return best;
}

TheoryCurve hybrid_space_curve() {
    TheoryCurve c;
    c.id = "hybrid_heuristic";
    c.label = "Hybrid min_t C(d+t,t)(d_v+1) + sqrt(d_v) e_{>t}(B) e^B/eps (d+d_v) [heuristic]";
    c.source =
        "heuristic reconstruction of Towards Tight Bounds for Streaming Attention, arXiv "
        "2606.07205 (ALGORITHMS.md 2.11, 3.1)";
    c.upper = true;
    c.reconstruction = true;
    c.words = [](const TheoryInputs& in) { return hybrid_words(in, hybrid_best_degree(in)); };
    return c;
}

HybridSketch::HybridSketch(const SketchContext& context)
    : Sketch(context),
      degree_(static_cast<int>(context.params.integer("degree"))),
      moments_(std::make_unique<TaylorSketch>(moments_context(context))),
      residual_(std::make_unique<ReservoirResidualStore>(
          context.dim, context.value_dim, context.params.integer("budget"),
          derive_seed(context.seed, "hybrid_residual"))) {}

void HybridSketch::do_append(const TokenBlock& block) {
    moments_->append(block);
    for (Index r = 0; r < block.size(); ++r) {
        residual_->push(block.keys.row(r).data(), block.values.row(r).data(), 1.0,
                        block.first_position + r);
    }
    seen_ += block.size();
}

EstimateBatch HybridSketch::do_estimate(ConstMatrixRef queries) const {
    EstimateBatch low = moments_->estimate_many(queries);  // moves the centre first
    const EstimateBatch high =
        residual_->estimate_residual(queries, beta(), moments_->moments().centre(), degree_);
    const Index keep = std::min<Index>(queries.rows(), 32);
    low_share_.resize(keep);
    for (Index r = 0; r < keep; ++r) {
        const double a = std::abs(low.den[r]) * std::exp(low.shift[r] - high.shift[r]);
        const double b = std::abs(high.den[r]);
        low_share_[r] = a + b > 0 ? a / (a + b) : 0.0;
    }
    low.add(high);
    return low;
}

SketchStats HybridSketch::stats() const {
    return SketchStats::of_floats(seen_, residual_->size(),
                                  moments_->stats().memory_floats + residual_->memory_floats());
}

SketchView HybridSketch::view() const {
    SketchView v = moments_->view();
    v.subset_of_stream = false;
    residual_->describe(v);
    v.tag_meaning = "";
    v.scalars.emplace_back("residual_tokens", static_cast<double>(residual_->size()));
    v.scalars.emplace_back("residual_floats", residual_->memory_floats());
    double mean_share = 0;
    for (double s : low_share_)
        mean_share += s;
    if (!low_share_.empty()) mean_share /= static_cast<double>(low_share_.size());
    // The split bar: share of |Z| carried by the exact moments for the recent queries.
    v.scalars.emplace_back("low_degree_share_of_Z", mean_share);
    return v;
}

void HybridSketch::reset() {
    moments_->reset();
    residual_->clear();
    seen_ = 0;
    low_share_.clear();
}

SketchInfo hybrid_sketch_info() {
    SketchInfo info;
    info.id = "hybrid";
    info.name = "Hybrid: Taylor + residual coreset [R]";
    info.summary =
        "[R] Reconstruction of the 2606.07205 high-temperature scheme: exact degree-t moments "
        "plus a sample of the residual kernel e^x - T_t(x).";
    info.paper = "Towards Tight Bounds for Streaming Attention, arXiv 2606.07205 (reconstructed)";
    info.subset = false;
    info.params = {
        ParamSpec::integer("degree", "Moment degree t",
                           "[R] Degree of the exact Taylor moments; the residual e^x - T_t(x) "
                           "goes to the coreset.",
                           0, 12, 2),
        ParamSpec::integer("budget", "Residual tokens m",
                           "[R] Tokens in the residual store (uniform reservoir with weights "
                           "n/m until the discrepancy branch's weighted merge-and-reduce lands).",
                           1, 1e8, 128, true),
        ParamSpec::choice("recenter", "Recentering",
                          "[R] Expansion centre shared by moments and residual: none or the "
                          "running mean (exact translation).",
                          {"none", "mean"}, "mean"),
        ParamSpec::boolean("rescale", "Rescale", "[R] Store (k-c)/rho in the moments.", true),
        ParamSpec::real("max_floats", "Memory limit (floats)",
                        "Moment configurations above this many floats are refused.", 1, 1e13,
                        67108864.0, true),
    };
    // Every residual token kept: moments + exact residual = the exact kernel.
    info.exact_params = [](Index n) {
        (void)n;
        return nlohmann::json{{"budget", n}};
    };
    info.make = [](const SketchContext& c) { return std::make_unique<HybridSketch>(c); };
    info.theory = {hybrid_space_curve()};
    return info;
}

}  // namespace kvscope
