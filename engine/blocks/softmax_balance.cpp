#include "blocks/softmax_balance.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace kvscope {

namespace {

using MapF = Eigen::Map<const Matrix>;

void apply_weights(const ItemSpan& items, Eigen::MatrixXf& gram) {
    if (!items.weights) return;
    const Index n = items.n;
    Eigen::VectorXf w(n);
    for (Index i = 0; i < n; ++i)
        w[i] = static_cast<float>(items.weights[i]);
    for (Index j = 0; j < n; ++j) {
        gram.col(j).tail(n - j).array() *= w.tail(n - j).array() * w[j];
    }
}

// Lower triangle of X X^T (col-major result; the walk reads only i >= j), by a symmetric rank
// update: about half the flops of a full GEMM.
template <class M>
void lower_outer(const M& x, Eigen::MatrixXf& out) {
    out.setZero(x.rows(), x.rows());
    out.template selfadjointView<Eigen::Lower>().rankUpdate(x);
}

}  // namespace

void softmax_gram(const ItemSpan& items, const BalanceOptions& options, Eigen::MatrixXf& gram) {
    const Index n = items.n;
    const MapF K(items.keys, n, items.dim);
    const MapF V(items.values, n, items.value_dim);
    const bool practical = options.mode == WalkMode::Practical;
    // Per-thread scratch: fresh n x n allocations are mmapped and page-faulted on every halving,
    // which cost more than the GEMMs themselves.
    thread_local Matrix kc;
    thread_local Eigen::MatrixXf logits, vv;
    kc = K;
    if (practical && options.recenter && n > 0) {
        const Eigen::RowVectorXf mu = K.colwise().mean();
        kc.rowwise() -= mu;
    }
    lower_outer(kc, logits);
    lower_outer(V, vv);
    float scale = static_cast<float>(practical ? options.beta * options.temp : options.beta);
    if (practical && options.relative_temp && n > 0) {
        // The block's mean |k - mu|^2 maps to logit `temp`: the kernel's sharpness no longer
        // depends on the key scale or on beta (docs/discrepancy.md: smoother kernels balance
        // better than the query kernel itself).
        const double mean_sq = logits.diagonal().cast<double>().mean();
        scale = mean_sq > 0 ? static_cast<float>(options.temp / mean_sq) : 0.0f;
    }
    float den = 0.0f;
    if (practical && options.den_weight > 0 && n > 0) {
        den = static_cast<float>(options.den_weight * vv.diagonal().cast<double>().mean());
    }
    gram.resize(n, n);
    for (Index j = 0; j < n; ++j) {
        const Index m = n - j;
        gram.col(j).tail(m) =
            (logits.col(j).tail(m).array() * scale).exp() * (vv.col(j).tail(m).array() + den);
    }
    apply_weights(items, gram);
}

GramCallback scalar_kernel_gram(double beta, std::function<double(double)> f) {
    return [beta, f = std::move(f)](const ItemSpan& items, Eigen::MatrixXf& gram) {
        const Index n = items.n;
        const MapF K(items.keys, n, items.dim);
        const MapF V(items.values, n, items.value_dim);
        thread_local Eigen::MatrixXf logits, vv;
        lower_outer(K, logits);
        lower_outer(V, vv);
        gram.resize(n, n);
        for (Index j = 0; j < n; ++j) {
            for (Index i = j; i < n; ++i) {
                gram(i, j) = static_cast<float>(f(beta * logits(i, j)) * vv(i, j));
            }
        }
        apply_weights(items, gram);
    };
}

WalkResult balance_walk(const Eigen::MatrixXf& gram, double radius_sq,
                        const BalanceOptions& options, Rng& rng) {
    const Index n = gram.rows();
    WalkResult out;
    out.signs.assign(static_cast<std::size_t>(n), 1);
    if (options.record_trace) out.trace.reserve(static_cast<std::size_t>(n));
    if (n == 0) return out;

    const bool theory = options.mode == WalkMode::Theory;
    double threshold = 0;  // c R^2 in theory mode
    double gain = 0;       // p = 1/2 - gain * s
    if (theory) {
        const double n_eff = options.theory_n > 0 ? std::max(options.theory_n, double(n)) : n;
        const double c = 30.0 * std::log(std::max(n_eff, 2.0) / options.delta);
        threshold = c * radius_sq;
        gain = threshold > 0 ? 1.0 / (2.0 * threshold) : 0.0;
        out.scale = threshold;
    } else {
        double scale = 1.0;
        if (options.normalize) {
            scale = gram.diagonal().cast<double>().mean();
            if (!(scale > 0) || !std::isfinite(scale)) scale = 1.0;
        }
        gain = options.gamma / scale;
        out.scale = scale;
    }

    // s holds sum_{i<j} eta_i G_ij for every later j, updated by one axpy per step along the
    // (contiguous) lower column.
    Eigen::VectorXf s = Eigen::VectorXf::Zero(n);
    const bool half = options.keep == KeepRule::Half;
    const Index cap = (n + 1) / 2;
    Index plus = 0, minus = 0;
    for (Index j = 0; j < n; ++j) {
        const double sj = s[j];
        if (theory && std::abs(sj) > threshold) ++out.fail_events;
        const double p = std::clamp(0.5 - gain * sj, 0.0, 1.0);
        std::int8_t eta;
        if (half && plus == cap) {
            eta = -1;
        } else if (half && minus == cap) {
            eta = 1;
        } else if (j == 0 && options.first_plus) {
            eta = 1;
        } else if (p >= 1.0) {
            eta = 1;
        } else if (p <= 0.0) {
            eta = -1;
        } else {
            eta = rng.uniform() < p ? 1 : -1;
        }
        out.signs[static_cast<std::size_t>(j)] = eta;
        (eta > 0 ? plus : minus) += 1;
        if (options.record_trace) out.trace.push_back({sj, p, eta});
        const Index m = n - j - 1;
        if (m > 0) s.tail(m) += static_cast<float>(eta) * gram.col(j).tail(m);
    }
    return out;
}

Halving select_half(std::vector<std::int8_t> signs, const ItemSpan& items,
                    const BalanceOptions& options, Rng& rng) {
    const Index n = static_cast<Index>(signs.size());
    Halving h;
    Index plus = 0;
    for (auto e : signs)
        plus += e > 0;
    const Index minus = n - plus;
    // One colour only: the smaller colour is empty, so fall back to the prefix rule.
    const bool smaller = options.keep == KeepRule::Smaller && plus > 0 && minus > 0;
    if (options.keep == KeepRule::Half) {
        // The walk forced the colours to ceil(n/2) and floor(n/2) members: keep the larger, or
        // a fair coin's colour when they are equal; every kept weight times n / m, so equal
        // weights stay equal and their sum is conserved.
        const std::int8_t colour = plus > minus ? 1 : (minus > plus ? -1 : (rng.coin() ? 1 : -1));
        const double factor =
            static_cast<double>(n) / static_cast<double>(colour > 0 ? plus : minus);
        for (Index i = 0; i < n; ++i) {
            if (signs[static_cast<std::size_t>(i)] == colour) {
                h.kept.push_back(i);
                h.factor.push_back(factor);
            }
        }
    } else if (smaller) {
        std::int8_t colour = plus < minus ? 1 : (minus < plus ? -1 : (rng.coin() ? 1 : -1));
        for (Index i = 0; i < n; ++i) {
            if (signs[static_cast<std::size_t>(i)] == colour) {
                h.kept.push_back(i);
                h.factor.push_back(2.0);
            }
        }
    } else {
        // Shortest prefix in which one colour reaches floor(n/2) members; there the other colour
        // is kept doubled, after it everything is kept as is: ceil(n/2) items in all.
        const Index target = n / 2;
        Index p = 0, m = 0, c = 0;
        while (c < n && p < target && m < target) {
            (signs[static_cast<std::size_t>(c)] > 0 ? p : m) += 1;
            ++c;
        }
        const std::int8_t colour = p >= target ? -1 : 1;
        for (Index i = 0; i < n; ++i) {
            if (i >= c) {
                h.kept.push_back(i);
                h.factor.push_back(1.0);
            } else if (signs[static_cast<std::size_t>(i)] == colour) {
                h.kept.push_back(i);
                h.factor.push_back(2.0);
            }
        }
    }
    if (options.preserve_mass && !h.kept.empty()) {
        double total = 0, kept = 0;
        for (Index i = 0; i < n; ++i)
            total += items.weight(i);
        for (std::size_t a = 0; a < h.kept.size(); ++a)
            kept += items.weight(h.kept[a]) * h.factor[a];
        if (kept > 0) {
            const double r = total / kept;
            for (double& f : h.factor)
                f *= r;
        }
    }
    h.walk.signs = std::move(signs);
    return h;
}

Halving softmax_balance_halve(const ItemSpan& items, const BalanceOptions& options, Rng& rng,
                              const GramCallback& gram_fn) {
    if (items.n <= 1) {
        Halving h;
        for (Index i = 0; i < items.n; ++i) {
            h.kept.push_back(i);
            h.factor.push_back(1.0);
        }
        h.walk.signs.assign(static_cast<std::size_t>(items.n), 1);
        return h;
    }
    thread_local Eigen::MatrixXf gram;  // reused across halvings (see softmax_gram)
    double radius_sq = 0;
    if (gram_fn) {
        gram_fn(items, gram);
        radius_sq = gram.diagonal().cast<double>().maxCoeff();
    } else {
        softmax_gram(items, options, gram);
        if (options.mode == WalkMode::Theory) {
            // R = e^{beta r_k^2 / 2} r_v max w from the batch's observed radii.
            const MapF K(items.keys, items.n, items.dim);
            const MapF V(items.values, items.n, items.value_dim);
            const double rk2 = K.rowwise().squaredNorm().maxCoeff();
            const double rv2 = V.rowwise().squaredNorm().maxCoeff();
            double wmax = 0;
            for (Index i = 0; i < items.n; ++i)
                wmax = std::max(wmax, std::abs(items.weight(i)));
            radius_sq = std::exp(options.beta * rk2) * rv2 * wmax * wmax;
        }
    }
    WalkResult walk = balance_walk(gram, radius_sq, options, rng);
    Halving h = select_half(std::move(walk.signs), items, options, rng);
    h.walk.trace = std::move(walk.trace);
    h.walk.fail_events = walk.fail_events;
    h.walk.scale = walk.scale;
    return h;
}

Halving uniform_halve(const ItemSpan& items, const BalanceOptions& options, Rng& rng) {
    std::vector<std::int8_t> signs(static_cast<std::size_t>(items.n));
    const Index cap = (items.n + 1) / 2;
    Index plus = 0, minus = 0;
    for (auto& e : signs) {
        e = rng.coin() ? 1 : -1;
        // The exact-half rule forces the tail once one colour is full, as the walk does.
        if (options.keep == KeepRule::Half && (plus == cap || minus == cap))
            e = plus == cap ? -1 : 1;
        (e > 0 ? plus : minus) += 1;
    }
    if (items.n <= 1) std::fill(signs.begin(), signs.end(), 1);
    BalanceOptions o = options;
    if (items.n <= 1) o.keep = KeepRule::Prefix;  // a lone item is kept as is
    return select_half(std::move(signs), items, o, rng);
}

Halving pair_sample_halve(const ItemSpan& items, Rng& rng) {
    const Index n = items.n;
    Halving h;
    h.walk.signs.assign(static_cast<std::size_t>(n), -1);
    if (n == 0) return h;
    const Eigen::VectorXf g = rng.normal_vector(items.dim);
    const MapF K(items.keys, n, items.dim);
    const Eigen::VectorXf proj = K * g;
    std::vector<Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Index{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](Index a, Index b) { return proj[a] < proj[b]; });
    std::vector<std::pair<Index, double>> kept;
    for (Index a = 0; a + 1 < n; a += 2) {
        const Index i = order[static_cast<std::size_t>(a)];
        const Index j = order[static_cast<std::size_t>(a + 1)];
        const double wi = items.weight(i), wj = items.weight(j);
        const double total = wi + wj;
        const bool pick_i = total > 0 ? rng.uniform() * total < wi : rng.coin();
        const Index k = pick_i ? i : j;
        const double wk = pick_i ? wi : wj;
        kept.push_back({k, wk != 0 ? total / wk : 1.0});
    }
    if (n % 2 == 1) kept.push_back({order.back(), 1.0});
    std::sort(kept.begin(), kept.end());
    for (const auto& [k, f] : kept) {
        h.kept.push_back(k);
        h.factor.push_back(f);
        h.walk.signs[static_cast<std::size_t>(k)] = 1;
    }
    return h;
}

std::vector<double> signed_discrepancy(const ItemSpan& items, const std::vector<std::int8_t>& signs,
                                       ConstMatrixRef probes, double beta) {
    const Index n = items.n;
    std::vector<double> out(static_cast<std::size_t>(probes.rows()), 0.0);
    if (n == 0 || probes.rows() == 0) return out;
    if (static_cast<Index>(signs.size()) != n || probes.cols() != items.dim) {
        throw std::invalid_argument("signed_discrepancy: shape mismatch");
    }
    const MapF K(items.keys, n, items.dim);
    const MapF V(items.values, n, items.value_dim);
    MatrixD e = (beta * probes.cast<double>()) * K.cast<double>().transpose();
    e = e.array().exp().matrix();
    Eigen::VectorXd c(n);
    for (Index i = 0; i < n; ++i)
        c[i] = signs[static_cast<std::size_t>(i)] * items.weight(i);
    const MatrixD sums = (e * c.asDiagonal()) * V.cast<double>();
    for (Index p = 0; p < probes.rows(); ++p)
        out[static_cast<std::size_t>(p)] = sums.row(p).norm();
    return out;
}

WalkTrace make_walk_trace(const ItemSpan& items, const WalkResult& walk, ConstMatrixRef probes,
                          double beta, std::uint64_t seed) {
    WalkTrace t;
    t.steps = walk.trace;
    t.fail_events = walk.fail_events;
    if (items.n == 0 || static_cast<Index>(walk.signs.size()) != items.n) return t;
    t.walk_discrepancy = signed_discrepancy(items, walk.signs, probes, beta);
    Rng rng(seed);
    std::vector<std::int8_t> random(walk.signs.size());
    for (auto& e : random)
        e = rng.coin() ? 1 : -1;
    t.random_discrepancy = signed_discrepancy(items, random, probes, beta);
    return t;
}

KeepRule keep_rule_from_string(const std::string& name) {
    if (name == "half") return KeepRule::Half;
    if (name == "smaller") return KeepRule::Smaller;
    if (name == "prefix") return KeepRule::Prefix;
    throw std::invalid_argument("unknown keep rule '" + name + "' (known: half, smaller, prefix)");
}

std::vector<ParamSpec> balance_param_specs() {
    return {
        ParamSpec::choice("mode", "Walk constants",
                          "practical: the authors' sign rule with walk strength gamma; theory: "
                          "Algorithm 2's constants c = 30 log(n/delta), R from the observed "
                          "radii, FAIL events counted.",
                          {"practical", "theory"}, "practical"),
        ParamSpec::real("gamma", "Walk strength gamma",
                        "P(+1) = 1/2 - gamma s_j / mean Gram diagonal. 0 gives uniform random "
                        "halving; the default saturates the probability (near-greedy herding).",
                        0, 1e6, 4.0),
        ParamSpec::real("temp", "Kernel temperature",
                        "Sharpness of the balancing kernel (practical mode): with temp_scale "
                        "relative, the logit a block's mean |k - mu|^2 maps to; with absolute, "
                        "a factor on beta (the authors' temp).",
                        0, 100, 0.5),
        ParamSpec::choice("temp_scale", "Temperature scale",
                          "relative: kernel exp(temp <k_i - mu, k_j - mu> / mean |k - mu|^2), "
                          "free of the key scale [R]; absolute: exp(temp beta <k_i - mu, "
                          "k_j - mu>) as in the authors' code.",
                          {"relative", "absolute"}, "relative"),
        ParamSpec::boolean("recenter", "Recentre keys",
                           "Subtract the batch's mean key before balancing (practical mode; exact "
                           "by softmax shift invariance).",
                           true),
        ParamSpec::real("den_weight", "Denominator coordinate",
                        "Weight of the joint denominator coordinate, relative to the batch's "
                        "mean |v|^2 (practical mode). 0 balances the numerator only.",
                        0, 1000, 0.025),
        ParamSpec::real("delta", "Failure probability delta", "Theory mode: c = 30 log(n / delta).",
                        1e-12, 1, 0.01, true),
        ParamSpec::choice("keep", "Kept colour",
                          "half: exactly ceil(n/2) kept, the walk forcing its tail, weights x n/m "
                          "[R]; smaller: the smaller colour, doubled (the paper); prefix: the "
                          "authors' exact-half prefix rule (tail kept at x1).",
                          {"half", "smaller", "prefix"}, "half"),
        ParamSpec::boolean("preserve_mass", "Preserve total weight",
                           "Rescale kept weights so that their sum equals the halved batch's "
                           "(exact weight conservation; a ratio estimator).",
                           true),
    };
}

BalanceOptions balance_options_from(const ParamSet& params, double beta) {
    BalanceOptions o;
    o.beta = beta;
    o.mode = params.text("mode") == "theory" ? WalkMode::Theory : WalkMode::Practical;
    o.gamma = params.number("gamma");
    o.temp = params.number("temp");
    o.relative_temp = params.text("temp_scale") == "relative";
    o.recenter = params.flag("recenter");
    o.den_weight = params.number("den_weight");
    o.delta = params.number("delta");
    o.keep = keep_rule_from_string(params.text("keep"));
    o.preserve_mass = params.flag("preserve_mass");
    return o;
}

}  // namespace kvscope
