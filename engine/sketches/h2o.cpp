#include "sketches/h2o.hpp"

#include <cmath>
#include <string>

namespace kvscope {

namespace {
constexpr std::size_t kEvictionLog = 8;
}

H2oSketch::H2oSketch(const SketchContext& context)
    : Sketch(context),
      budget_(context.params.integer("budget")),
      recent_(std::llround(context.params.number("recent_fraction") *
                           static_cast<double>(context.params.integer("budget")))),
      cache_(context.dim, context.value_dim) {}

void H2oSketch::insert(const TokenBlock& block, Index row) {
    const Index pos = block.first_position + row;
    const float* k = block.keys.row(row).data();
    const float* v = block.values.row(row).data();
    const Index m = cache_.size();
    double new_score = 0;
    if (block.queries.rows() > 0) {
        // Softmax of this token's query over the cached tokens and itself.
        // Logits in float (a GEMV over the cache), softmax in double.
        const Eigen::VectorXf q = block.queries.row(row).transpose();
        logits_.resize(m + 1);
        if (m > 0) {
            const Eigen::Map<const Matrix> K(cache_.key(0), m, dim());
            scratch_.noalias() = K * q;
            logits_.head(m) = beta() * scratch_.cast<double>();
        }
        logits_[m] =
            beta() * static_cast<double>(Eigen::Map<const Eigen::VectorXf>(k, dim()).dot(q));
        const double mx = logits_.maxCoeff();
        logits_ = (logits_.array() - mx).exp().matrix();
        logits_ /= logits_.sum();
        for (Index s = 0; s < m; ++s)
            scores_[static_cast<std::size_t>(s)] += logits_[s];
        new_score = logits_[m];
    }
    if (m < budget_) {
        cache_.push(k, v, 1.0, 1.0, pos);
        scores_.push_back(new_score);
        return;
    }
    // Over budget: evict the lowest-scoring token outside the recent window (the new token is
    // a candidate only when nothing is protected).
    const Index protect_from = pos - recent_ + 1;  // positions >= this are recent
    Index victim = -1;                             // -1: the new token itself
    double victim_score = recent_ > 0 ? INFINITY : new_score;
    Index victim_pos = recent_ > 0 ? -1 : pos;
    for (Index s = 0; s < m; ++s) {
        const Index p = cache_.position(s);
        if (p >= protect_from) continue;
        const double sc = scores_[static_cast<std::size_t>(s)];
        if (sc < victim_score || (sc == victim_score && p < victim_pos)) {
            victim = s;
            victim_score = sc;
            victim_pos = p;
        }
    }
    ++evictions_;
    recent_evictions_.push_back({seen_ + 1, victim_pos, victim_score});
    if (recent_evictions_.size() > kEvictionLog) recent_evictions_.pop_front();
    if (victim < 0) return;  // the new token loses
    cache_.set(victim, k, v, 1.0, 1.0, pos);
    scores_[static_cast<std::size_t>(victim)] = new_score;
}

void H2oSketch::do_append(const TokenBlock& block) {
    for (Index r = 0; r < block.size(); ++r) {
        insert(block, r);
        ++seen_;
    }
    // Tag recent (protected) tokens for the view.
    for (Index s = 0; s < cache_.size(); ++s)
        cache_.tag(s) = cache_.position(s) >= seen_ - recent_ ? 1 : 0;
}

EstimateBatch H2oSketch::do_estimate(ConstMatrixRef queries) const {
    return cache_.estimate(queries, beta());
}

SketchStats H2oSketch::stats() const {
    return SketchStats::of_floats(seen_, cache_.size(),
                                  static_cast<double>(cache_.size()) * (dim() + value_dim() + 1));
}

SketchView H2oSketch::view() const {
    SketchView v;
    v.subset_of_stream = true;
    v.tag_meaning = "1 = recent (protected), 0 = heavy hitter";
    cache_.describe(v);
    v.token_scores = scores_;
    v.score_meaning = "accumulated attention A_i";
    v.scalars.push_back({"evictions", static_cast<double>(evictions_)});
    v.scalars.push_back({"recent_slots", static_cast<double>(recent_)});
    for (std::size_t i = 0; i < recent_evictions_.size(); ++i) {
        const auto& e = recent_evictions_[recent_evictions_.size() - 1 - i];
        const std::string tag = "evicted[" + std::to_string(i) + "].";
        v.scalars.push_back({tag + "at_token", static_cast<double>(e.at_token)});
        v.scalars.push_back({tag + "position", static_cast<double>(e.position)});
        v.scalars.push_back({tag + "score", e.score});
    }
    return v;
}

void H2oSketch::reset() {
    cache_.clear();
    scores_.clear();
    recent_evictions_.clear();
    seen_ = 0;
    evictions_ = 0;
}

SketchInfo h2o_sketch_info() {
    SketchInfo info;
    info.id = "h2o";
    info.name = "H2O (heavy hitters)";
    info.summary =
        "Evicts the token with the least accumulated attention, keeping a recent "
        "window. Heuristic.";
    info.paper =
        "H2O: Heavy-Hitter Oracle for Efficient Generative Inference of Large Language "
        "Models, arXiv:2306.14048";
    info.subset = true;
    info.params = {
        ParamSpec::integer("budget", "Budget (tokens)",
                           "Tokens kept: heavy hitters plus the protected recent window.", 1, 1e8,
                           256, true),
        ParamSpec::real("recent_fraction", "Recent fraction",
                        "Share of the budget protected as the most recent tokens; the rest goes "
                        "to the highest accumulated attention scores.",
                        0, 1, 0.5)};
    info.exact_params = [](Index n) { return nlohmann::json{{"budget", n}}; };
    info.make = [](const SketchContext& c) { return std::make_unique<H2oSketch>(c); };
    return info;
}

}  // namespace kvscope
