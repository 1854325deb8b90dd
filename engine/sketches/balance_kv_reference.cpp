#include <algorithm>

#include "sketches/balance_kv_reference.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "blocks/weighted_merge_reduce.hpp"

namespace kvscope {

void reference_block_gram(const Matrix& keys, const Matrix& values_w, Index padded,
                          const ReferenceOptions& o, Eigen::MatrixXf& gram) {
    const Index n = keys.rows();
    // Per-thread scratch, reused across blocks (fresh n x n buffers are page-faulted each time).
    thread_local Matrix kc;
    thread_local Eigen::MatrixXf logits, vv;
    kc = keys;
    // The authors zero-pad the last block to the block size before taking its mean key.
    const Eigen::RowVectorXf mu =
        keys.colwise().sum() / static_cast<float>(std::max<Index>(padded, std::max<Index>(n, 1)));
    kc.rowwise() -= mu;
    logits.setZero(n, n);
    logits.selfadjointView<Eigen::Lower>().rankUpdate(kc);
    vv.setZero(n, n);
    vv.selfadjointView<Eigen::Lower>().rankUpdate(values_w);
    const float scale = static_cast<float>(o.temp * o.beta);
    const float offset = static_cast<float>(o.beta_offset);
    // Their kernel adds 1e-8 to the value inner products, then the denominator constant.
    const float c = static_cast<float>(1e-8 + o.den_const);
    gram.resize(n, n);
    for (Index j = 0; j < n; ++j) {
        const Index m = n - j;
        gram.col(j).tail(m) = (logits.col(j).tail(m).array() * scale - offset).exp() *
                              (vv.col(j).tail(m).array() + c);
    }
}

Halving reference_select(const std::vector<std::int8_t>& signs) {
    const Index n = static_cast<Index>(signs.size());
    const Index half = n / 2;
    Halving h;
    h.walk.signs = signs;
    if (half == 0) return h;
    // c_pm: the first index where colour pm has `half` members (0 when it never does, as their
    // argmax over an all-false mask); c = max(c_plus, c_minus).
    Index c_plus = 0, c_minus = 0, plus = 0, minus = 0;
    bool got_plus = false, got_minus = false;
    for (Index i = 0; i < n; ++i) {
        (signs[static_cast<std::size_t>(i)] > 0 ? plus : minus) += 1;
        if (!got_plus && plus == half) c_plus = i, got_plus = true;
        if (!got_minus && minus == half) c_minus = i, got_minus = true;
    }
    const Index c = std::max(c_plus, c_minus);
    // Weights: 2 eta_i up to c (negated when eta_c = +1, so the colour completed at c gets -2),
    // 1 after c; a stable descending sort keeps the first n/2.
    const int flip = signs[static_cast<std::size_t>(c)] > 0 ? -1 : 1;
    std::vector<int> weight(static_cast<std::size_t>(n));
    for (Index i = 0; i < n; ++i)
        weight[static_cast<std::size_t>(i)] =
            i > c ? 1 : 2 * flip * signs[static_cast<std::size_t>(i)];
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index{0});
    std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) {
        return weight[static_cast<std::size_t>(a)] > weight[static_cast<std::size_t>(b)];
    });
    for (Index a = 0; a < half; ++a) {
        h.kept.push_back(order[static_cast<std::size_t>(a)]);
        h.factor.push_back(weight[static_cast<std::size_t>(order[static_cast<std::size_t>(a)])]);
    }
    return h;
}

ReferenceResult balance_kv_reference_compress(ConstMatrixRef keys, ConstMatrixRef values,
                                              const ReferenceOptions& options, Rng& rng) {
    const Index n = keys.rows();
    ReferenceResult out;
    std::vector<Index> idx(static_cast<std::size_t>(n));
    std::iota(idx.begin(), idx.end(), Index{0});
    std::vector<double> w(static_cast<std::size_t>(n), 1.0);

    BalanceOptions walk_opts;
    walk_opts.mode = WalkMode::Practical;
    walk_opts.gamma = options.gamma;
    walk_opts.normalize = false;
    walk_opts.first_plus = true;
    walk_opts.keep = KeepRule::Prefix;  // no forced tail: the selection is reference_select

    Matrix kb, vb;
    Eigen::MatrixXf gram;
    for (int round = 0; round < options.rounds && !idx.empty(); ++round) {
        const Index m = static_cast<Index>(idx.size());
        std::vector<std::int8_t> signs;
        signs.reserve(static_cast<std::size_t>(m));
        for (Index b0 = 0; b0 < m; b0 += options.block) {
            const Index bn = std::min(options.block, m - b0);
            kb.resize(bn, keys.cols());
            vb.resize(bn, values.cols());
            for (Index r = 0; r < bn; ++r) {
                const Index i = idx[static_cast<std::size_t>(b0 + r)];
                kb.row(r) = keys.row(i);
                vb.row(r) = values.row(i) * static_cast<float>(w[static_cast<std::size_t>(b0 + r)]);
            }
            reference_block_gram(kb, vb, options.block, options, gram);
            const bool first = b0 == 0 && round == options.rounds - 1;
            walk_opts.record_trace = first;
            WalkResult walk = balance_walk(gram, 0.0, walk_opts, rng);
            signs.insert(signs.end(), walk.signs.begin(), walk.signs.end());
            if (first) {
                out.first_block_walk = std::move(walk);
                out.first_block_size = bn;
            }
        }
        // The kept items, in the authors' order (doubled colour first, then the tail), which
        // is the order the next round's blocks are cut in.
        const Halving h = reference_select(signs);
        std::vector<Index> next_idx;
        std::vector<double> next_w;
        for (std::size_t a = 0; a < h.kept.size(); ++a) {
            next_idx.push_back(idx[static_cast<std::size_t>(h.kept[a])]);
            next_w.push_back(w[static_cast<std::size_t>(h.kept[a])] * h.factor[a]);
        }
        idx = std::move(next_idx);
        w = std::move(next_w);
        out.den_weight *= 2.0;
    }
    out.kept = std::move(idx);
    out.weights = std::move(w);
    return out;
}

BalanceKvReferenceSketch::BalanceKvReferenceSketch(const SketchContext& context)
    : Sketch(context),
      compress_at_(context.params.integer("compress_at")),
      sinks_(context.params.integer("sinks")),
      window_(context.params.integer("window")),
      rng_(context.seed),
      cache_(context.dim, context.value_dim) {
    const ParamSet& p = context.params;
    options_.block = p.integer("block");
    options_.gamma = p.number("gamma");
    options_.temp = p.number("temp");
    options_.beta_offset = p.number("beta_offset");
    options_.den_const = p.number("den_const");
    options_.rounds = static_cast<int>(p.integer("rounds"));
    options_.beta = context.beta;
}

void BalanceKvReferenceSketch::compress_now() {
    compressed_ = true;
    const Index n = cache_.size();
    const Index lo = std::min(sinks_, n);
    const Index hi = std::max(lo, n - window_);
    if (hi - lo < 2) return;
    const Index m = hi - lo;
    Matrix K(m, dim()), V(m, value_dim());
    for (Index i = 0; i < m; ++i) {
        K.row(i) = Eigen::Map<const Eigen::RowVectorXf>(cache_.key(lo + i), dim());
        V.row(i) = Eigen::Map<const Eigen::RowVectorXf>(cache_.value(lo + i), value_dim());
    }
    const ReferenceResult res = balance_kv_reference_compress(K, V, options_, rng_);
    if (res.first_block_size > 0) {
        walk_keys_ = K.topRows(res.first_block_size);
        walk_values_ = V.topRows(res.first_block_size);
        walk_ = res.first_block_walk;
    }
    // Rebuild: sinks, the compressed middle, then the window.
    std::vector<Index> slots;
    for (Index s = 0; s < lo; ++s)
        slots.push_back(s);
    for (Index a : res.kept)
        slots.push_back(lo + a);
    for (Index s = hi; s < n; ++s)
        slots.push_back(s);
    cache_.keep(slots);
    for (std::size_t a = 0; a < res.kept.size(); ++a) {
        const Index s = lo + static_cast<Index>(a);
        cache_.weight_num(s) = res.weights[a];
        cache_.weight_den(s) = res.den_weight;
        cache_.tag(s) = 1;
    }
}

void BalanceKvReferenceSketch::do_append(const TokenBlock& block) {
    for (Index r = 0; r < block.size(); ++r) {
        cache_.push(block.keys.row(r).data(), block.values.row(r).data(), 1.0, 1.0,
                    block.first_position + r, 0);
        ++seen_;
        if (!compressed_ && compress_at_ > 0 && seen_ == compress_at_) compress_now();
    }
}

EstimateBatch BalanceKvReferenceSketch::do_estimate(ConstMatrixRef queries) const {
    return cache_.estimate(queries, beta());
}

SketchStats BalanceKvReferenceSketch::stats() const {
    return SketchStats::of_floats(seen_, cache_.size(),
                                  static_cast<double>(cache_.size()) * (dim() + value_dim() + 2));
}

SketchView BalanceKvReferenceSketch::view() const {
    SketchView v;
    v.subset_of_stream = true;
    v.eviction_rule =
        "the one-shot compression of the cache middle ran a block walk that gave it the losing "
        "sign";
    v.tag_meaning = "1 = compressed middle, 0 = exact (sink, window or later token)";
    cache_.describe(v);
    if (!walk_.signs.empty()) {
        ItemSpan items;
        items.keys = walk_keys_.data();
        items.values = walk_values_.data();
        items.n = walk_keys_.rows();
        items.dim = dim();
        items.value_dim = value_dim();
        const double radius = std::sqrt(walk_keys_.rowwise().squaredNorm().maxCoeff());
        const Matrix probes =
            walk_probe_queries(dim(), radius, 16, derive_seed(context().seed, "probes"));
        v.walk = make_walk_trace(items, walk_, probes, beta(), derive_seed(context().seed, "s"));
    }
    v.scalars.push_back({"compressed", compressed_ ? 1.0 : 0.0});
    return v;
}

void BalanceKvReferenceSketch::reset() {
    cache_.clear();
    seen_ = 0;
    compressed_ = false;
    rng_ = Rng(context().seed);
    walk_ = WalkResult{};
    walk_keys_.resize(0, 0);
    walk_values_.resize(0, 0);
}

SketchInfo balance_kv_reference_sketch_info() {
    SketchInfo info;
    info.id = "balance_kv_reference";
    info.name = "BalanceKV (authors' code)";
    info.summary =
        "One-shot compression of the cache middle as in the authors' published code: block "
        "walks, exact-half prefix rule, T rounds.";
    info.paper = "Streaming Attention Approximation via Discrepancy Theory (arXiv 2502.07861)";
    info.subset_of_stream = true;
    info.params = {
        ParamSpec::integer("compress_at", "Compress at",
                           "Tokens seen when the cache is compressed, once (0: never).", 0, 1e9,
                           4096, true),
        ParamSpec::integer("block", "Block size", "Tokens per independent walk.", 2, 16384, 128,
                           true),
        ParamSpec::real("gamma", "gamma", "P(+1) = 1/2 - gamma sum K_ij eta_i (unnormalised).", 0,
                        1e6, 4.0),
        ParamSpec::real("temp", "Temperature", "Multiplies the balancing kernel's logits.", 0, 100,
                        1.0),
        ParamSpec::real("beta_offset", "Logit offset",
                        "Subtracted from the balancing kernel's logits (their `beta`).", -100, 100,
                        0.0),
        ParamSpec::real("den_const", "Denominator constant", "Added to <v'_i, v'_j> (their 0.025).",
                        0, 1000, 0.025),
        ParamSpec::integer("rounds", "Rounds T", "Halving rounds; 2^-T of the middle is kept.", 0,
                           30, 2),
        ParamSpec::integer("sinks", "Sink tokens", "Leading tokens never compressed.", 0, 1e7, 32),
        ParamSpec::integer("window", "Recent tokens",
                           "Last tokens before compress_at never compressed.", 0, 1e7, 32),
    };
    // No compression happens before the buffer fills, so the sketch is exact.
    info.exact_params = [](Index n) { return nlohmann::json{{"compress_at", n + 1}}; };
    // Every token after compress_at is kept exactly, so the state grows with the stream: the
    // WeightedCache's key and value floats, position, two weights and tag per kept token.
    info.state_bytes_at = [](const SketchContext& c, Index tokens) {
        const auto at = static_cast<double>(c.params.integer("compress_at"));
        double kept = static_cast<double>(tokens);
        if (at > 0 && kept >= at) {
            const double ends = std::min(
                at, static_cast<double>(c.params.integer("sinks") + c.params.integer("window")));
            kept = ends +
                   (at - ends) / std::ldexp(1.0, static_cast<int>(c.params.integer("rounds"))) +
                   (kept - at);
        }
        return kept * (4.0 * (c.dim + c.value_dim) + 8 + 16 + 4);
    };
    info.make = [](const SketchContext& c) {
        return std::make_unique<BalanceKvReferenceSketch>(c);
    };
    return info;
}

}  // namespace kvscope
