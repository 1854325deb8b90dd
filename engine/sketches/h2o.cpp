#include "sketches/h2o.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace kvscope {

namespace {
constexpr std::size_t kEvictionLog = 8;
constexpr double kNoCandidate = std::numeric_limits<double>::max();  // above every real score
}  // namespace

H2oSketch::H2oSketch(const SketchContext& context)
    : Sketch(context),
      budget_(context.params.integer("budget")),
      recent_(std::llround(context.params.number("recent_fraction") *
                           static_cast<double>(context.params.integer("budget")))),
      cache_(context.dim, context.value_dim),
      recent_slots_(static_cast<std::size_t>(recent_), -1) {}

void H2oSketch::insert(const TokenBlock& block, Index row) {
    const Index pos = block.first_position + row;
    const float* k = block.keys.row(row).data();
    const float* v = block.values.row(row).data();
    const Index m = cache_.size();
    const bool has_query = block.queries.rows() > 0;
    double new_score = 0;
    double inv_sum = 0;  // 1 / softmax denominator; the scores add weights_[s] * inv_sum
    if (has_query) {
        // Softmax of this token's query over the cached tokens and itself, in float (a GEMV
        // and 8-wide exponentials); the accumulated scores are kept in double.
        query_ = block.queries.row(row).transpose();
        weights_.resize(m + 1);
        if (m > 0) {
            const Eigen::Map<const Matrix> K(cache_.key(0), m, dim());
            weights_.head(m).noalias() = K * query_;
        }
        weights_[m] = Eigen::Map<const Eigen::VectorXf>(k, dim()).dot(query_);
        weights_ *= static_cast<float>(beta());
        weights_ = (weights_.array() - weights_.maxCoeff()).exp().matrix();
        inv_sum = 1.0 / static_cast<double>(weights_.sum());
        new_score = static_cast<double>(weights_[m]) * inv_sum;
    }
    // The recent window is the last `recent_` arrivals. The ring entry this token takes holds
    // the slot of the token leaving the window, which becomes a candidate for eviction now.
    std::size_t ring = 0;
    if (recent_ > 0) {
        ring = static_cast<std::size_t>(seen_ % recent_);
        const Index leaving = recent_slots_[ring];
        if (leaving >= 0) barrier_[static_cast<std::size_t>(leaving)] = 0;
    }
    const double protect = recent_ > 0 ? INFINITY : 0;
    auto admit = [&](Index slot) {
        barrier_[static_cast<std::size_t>(slot)] = protect;
        if (recent_ > 0) recent_slots_[ring] = slot;
    };
    if (m < budget_) {
        for (Index s = 0; s < m; ++s)
            scores_[static_cast<std::size_t>(s)] += static_cast<double>(weights_[s]) * inv_sum;
        cache_.push(k, v, 1.0, 1.0, pos);
        scores_.push_back(new_score);
        barrier_.push_back(0);
        admit(m);
        return;
    }
    // Over budget: evict the lowest-scoring token outside the recent window (the new token is
    // a candidate only when nothing is protected). One pass updates the scores and finds the
    // victim; protected slots carry an infinite barrier, so the scan has no unpredictable branch
    // (recent tokens sit anywhere in the slots).
    Index victim = -1;  // -1: the new token itself
    double victim_score = recent_ > 0 ? kNoCandidate : new_score;
    Index victim_pos = recent_ > 0 ? -1 : pos;
    const Index* positions = cache_.positions();
    const double* barrier = barrier_.data();
    double* scores = scores_.data();
    const float* mass = has_query ? weights_.data() : nullptr;
    for (Index s = 0; s < m; ++s) {
        const double sc =
            has_query ? scores[s] + static_cast<double>(mass[s]) * inv_sum : scores[s];
        scores[s] = sc;
        const double candidate = sc + barrier[s];
        if (candidate <= victim_score) [[unlikely]] {
            // Lowest score wins; on a tie, the oldest token.
            if (candidate < victim_score || positions[s] < victim_pos) {
                victim = s;
                victim_score = candidate;
                victim_pos = positions[s];
            }
        }
    }
    ++evictions_;
    const double recorded = victim < 0 && recent_ > 0 ? INFINITY : victim_score;
    recent_evictions_.push_back({seen_ + 1, victim_pos, recorded});
    if (recent_evictions_.size() > kEvictionLog) recent_evictions_.pop_front();
    if (victim < 0) {  // the new token loses
        if (recent_ > 0) recent_slots_[ring] = -1;
        return;
    }
    cache_.set(victim, k, v, 1.0, 1.0, pos);
    scores_[static_cast<std::size_t>(victim)] = new_score;
    admit(victim);
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

ScoreRankView H2oSketch::score_rank() const {
    ScoreRankView r;
    r.decided_at = seen_;
    r.window_first = seen_ - recent_;
    r.window_last = seen_ - 1;
    r.threshold = NAN;
    for (Index s = 0; s < cache_.size(); ++s) {
        const double sc = scores_[static_cast<std::size_t>(s)];
        r.positions.push_back(cache_.position(s));
        r.scores.push_back(sc);
        r.kept.push_back(1);
        r.left_at.push_back(-1);
        if (cache_.position(s) < r.window_first && !(sc >= r.threshold)) r.threshold = sc;
    }
    // The logged evictions, with the score they had when they lost (a new token refused while
    // the window protected everything has an infinite one and is left out).
    for (const auto& e : recent_evictions_) {
        if (!std::isfinite(e.score)) continue;
        r.positions.push_back(e.position);
        r.scores.push_back(e.score);
        r.kept.push_back(0);
        r.left_at.push_back(e.at_token);
    }
    r.score_label = "accumulated attention A_i";
    r.window_label = "recent window (" + std::to_string(recent_) + " tokens)";
    r.threshold_label = "threshold: lowest A_i outside";
    return r;
}

SketchView H2oSketch::view() const {
    SketchView v;
    v.subset_of_stream = true;
    v.eviction_rule =
        "its accumulated attention A_i was the lowest outside the protected recent window when the "
        "cache was over budget";
    v.tag_meaning = "1 = recent (protected), 0 = heavy hitter";
    cache_.describe(v);
    v.token_scores = scores_;
    v.score_meaning = "accumulated attention A_i";
    v.score_rank = score_rank();
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
    barrier_.clear();
    std::fill(recent_slots_.begin(), recent_slots_.end(), -1);
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
    info.subset_of_stream = true;
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
