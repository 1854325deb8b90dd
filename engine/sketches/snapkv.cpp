#include "sketches/snapkv.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <stdexcept>
#include <string>

namespace kvscope {

SnapKvSketch::SnapKvSketch(const SketchContext& context)
    : Sketch(context),
      budget_(context.params.integer("budget")),
      window_(context.params.integer("window")),
      kernel_(context.params.integer("kernel")),
      max_pool_(context.params.text("pooling") == "max"),
      slack_(std::min<Index>(context.params.integer("eval_every"),
                             std::max<Index>(1, context.params.integer("budget") / 2))),
      cache_(context.dim, context.value_dim),
      window_queries_(Matrix::Zero(context.params.integer("window"), context.dim)),
      query_position_(static_cast<std::size_t>(context.params.integer("window")), -1) {
    // The pooling window is centred (kernel / 2 tokens each side), so an even width would act
    // as the next odd one; refuse it rather than silently run another setting.
    if (kernel_ % 2 == 0) {
        throw std::invalid_argument(
            "sketch 'snapkv' parameter 'kernel' = " + std::to_string(kernel_) +
            " must be odd (a centred window; 1 disables pooling)");
    }
}

void SnapKvSketch::select(Index keep, Index newest_position) {
    const Index m = cache_.size();
    // Cached slots in position order.
    std::vector<Index> order(static_cast<std::size_t>(m));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](Index a, Index b) { return cache_.position(a) < cache_.position(b); });
    // Votes: sum over the observation queries of their causal softmax rows.
    std::vector<double> vote(static_cast<std::size_t>(m), 0.0);
    const Eigen::Map<const Matrix> K(cache_.key(0), m, dim());
    const Eigen::MatrixXd logits =
        beta() * (window_queries_.cast<double>() * K.cast<double>().transpose());
    for (Index w = 0; w < window_; ++w) {
        const Index qpos = query_position_[static_cast<std::size_t>(w)];
        if (qpos < 0) continue;
        double mx = -INFINITY;
        for (Index s = 0; s < m; ++s)
            if (cache_.position(s) <= qpos) mx = std::max(mx, logits(w, s));
        if (!std::isfinite(mx)) continue;
        double z = 0;
        for (Index s = 0; s < m; ++s)
            if (cache_.position(s) <= qpos) z += std::exp(logits(w, s) - mx);
        for (Index s = 0; s < m; ++s)
            if (cache_.position(s) <= qpos)
                vote[static_cast<std::size_t>(s)] += std::exp(logits(w, s) - mx) / z;
    }
    // 1-D pooling along position order.
    std::vector<double> pooled(static_cast<std::size_t>(m), 0.0);
    const Index half = kernel_ / 2;
    for (Index i = 0; i < m; ++i) {
        double acc = max_pool_ ? -INFINITY : 0.0;
        Index count = 0;
        for (Index j = std::max<Index>(0, i - half); j <= std::min<Index>(m - 1, i + half); ++j) {
            const double x = vote[static_cast<std::size_t>(order[static_cast<std::size_t>(j)])];
            acc = max_pool_ ? std::max(acc, x) : acc + x;
            ++count;
        }
        pooled[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] =
            max_pool_ ? acc : acc / static_cast<double>(count);
    }
    // The observation window's own tokens stay; the rest compete on pooled score.
    const Index protect_from = newest_position - std::min(window_, keep) + 1;
    std::vector<Index> kept, rest;
    for (Index s = 0; s < m; ++s)
        (cache_.position(s) >= protect_from ? kept : rest).push_back(s);
    std::sort(rest.begin(), rest.end(), [&](Index a, Index b) {
        const double pa = pooled[static_cast<std::size_t>(a)];
        const double pb = pooled[static_cast<std::size_t>(b)];
        return pa != pb ? pa > pb : cache_.position(a) > cache_.position(b);
    });
    const Index room = std::max<Index>(0, keep - static_cast<Index>(kept.size()));
    for (Index i = 0; i < std::min<Index>(room, static_cast<Index>(rest.size())); ++i)
        kept.push_back(rest[static_cast<std::size_t>(i)]);
    std::vector<double> kept_scores;
    for (Index s : kept)
        kept_scores.push_back(pooled[static_cast<std::size_t>(s)]);
    record_selection(pooled, kept, protect_from, newest_position);
    cache_.keep(kept);
    last_scores_ = std::move(kept_scores);
    ++selections_;
}

void SnapKvSketch::record_selection(const std::vector<double>& pooled,
                                    const std::vector<Index>& kept, Index protect_from,
                                    Index newest_position) {
    ScoreRankView r;
    const Index m = cache_.size();
    std::vector<char> is_kept(static_cast<std::size_t>(m), 0);
    for (Index s : kept)
        is_kept[static_cast<std::size_t>(s)] = 1;
    r.threshold = NAN;
    for (Index s = 0; s < m; ++s) {
        const double sc = pooled[static_cast<std::size_t>(s)];
        r.positions.push_back(cache_.position(s));
        r.scores.push_back(sc);
        r.kept.push_back(is_kept[static_cast<std::size_t>(s)]);
        if (is_kept[static_cast<std::size_t>(s)] && cache_.position(s) < protect_from &&
            !(sc >= r.threshold))
            r.threshold = sc;
    }
    r.window_first = protect_from;
    r.window_last = newest_position;
    r.decided_at = newest_position + 1;
    r.score_label =
        "pooled vote (kernel " + std::to_string(kernel_) + ", " + (max_pool_ ? "max" : "avg") + ")";
    r.window_label =
        "observation window (" + std::to_string(newest_position - protect_from + 1) + " queries)";
    r.threshold_label = "threshold: lowest vote kept";
    selection_ = std::move(r);
}

void SnapKvSketch::do_append(const TokenBlock& block) {
    for (Index r = 0; r < block.size(); ++r) {
        const Index pos = block.first_position + r;
        if (cache_.size() >= budget_) select(budget_ - slack_, pos - 1);
        cache_.push(block.keys.row(r).data(), block.values.row(r).data(), 1.0, 1.0, pos);
        last_scores_.push_back(0.0);
        if (block.queries.rows() > 0 && window_ > 0) {
            const Index slot = seen_ % window_;
            window_queries_.row(slot) = block.queries.row(r);
            query_position_[static_cast<std::size_t>(slot)] = pos;
        }
        ++seen_;
    }
}

EstimateBatch SnapKvSketch::do_estimate(ConstMatrixRef queries) const {
    return cache_.estimate(queries, beta());
}

SketchStats SnapKvSketch::stats() const {
    return SketchStats::of_floats(
        seen_, cache_.size(),
        static_cast<double>(cache_.size()) * (dim() + value_dim()) + double(window_) * dim());
}

SketchView SnapKvSketch::view() const {
    SketchView v;
    v.subset_of_stream = true;
    v.eviction_rule =
        "at a re-selection its pooled observation-window vote fell below the top budget scores "
        "outside the observation window";
    cache_.describe(v);
    v.token_scores = last_scores_;
    v.score_meaning = "pooled observation-window vote at the last selection (0: admitted since)";
    if (selections_ > 0) v.score_rank = selection_;
    v.scalars.push_back({"selections", static_cast<double>(selections_)});
    v.scalars.push_back({"tokens_between_selections", static_cast<double>(slack_)});
    return v;
}

void SnapKvSketch::reset() {
    cache_.clear();
    last_scores_.clear();
    selection_ = ScoreRankView{};
    window_queries_.setZero();
    std::fill(query_position_.begin(), query_position_.end(), -1);
    seen_ = 0;
    selections_ = 0;
}

SketchInfo snapkv_sketch_info() {
    SketchInfo info;
    info.id = "snapkv";
    info.name = "SnapKV (streaming)";
    info.summary =
        "Top-k by pooled attention of the last `window` queries, re-selected "
        "whenever the cache fills. Heuristic.";
    info.paper =
        "SnapKV: LLM Knows What You are Looking for Before Generation, "
        "arXiv:2404.14469";
    info.subset_of_stream = true;
    info.params = {
        ParamSpec::integer("budget", "Budget (tokens)",
                           "Most tokens kept, observation-window tokens included.", 1, 1e8, 256,
                           true),
        ParamSpec::integer("window", "Observation window",
                           "Recent stream queries whose attention votes for tokens (32 in the "
                           "BalanceKV benchmarks).",
                           1, 4096, 32, true),
        ParamSpec::integer(
            "kernel", "Pooling kernel",
            "Width of the 1-D pooling along token positions, centred on the token: odd "
            "(even widths are refused); 1 disables.",
            1, 63, 5),
        ParamSpec::choice("pooling", "Pooling", "How votes are smoothed: average or max.",
                          {"avg", "max"}, "avg"),
        ParamSpec::integer("eval_every", "Re-select every",
                           "Tokens admitted between selections once the cache is full (capped at "
                           "budget / 2); the original selects once.",
                           1, 1e6, 64, true)};
    info.exact_params = [](Index n) { return nlohmann::json{{"budget", n}}; };
    info.make = [](const SketchContext& c) { return std::make_unique<SnapKvSketch>(c); };
    return info;
}

}  // namespace kvscope
