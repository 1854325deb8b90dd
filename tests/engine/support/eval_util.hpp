// Test helpers: build sketches and sources from ids, and measure a sketch's error over a probe
// batch against exact attention computed here in double (no dependency on the Session).
#pragma once

#include <cmath>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/registry.hpp"
#include "sources/source_registry.hpp"

namespace kvscope::test {

inline std::unique_ptr<Sketch> make_sketch(const std::string& id, const nlohmann::json& params,
                                           int dim, int value_dim, double beta,
                                           std::uint64_t seed) {
    const SketchInfo& info = builtin_sketches().at(id, "sketch");
    SketchContext ctx;
    ctx.dim = dim;
    ctx.value_dim = value_dim;
    ctx.beta = beta;
    ctx.seed = seed;
    ctx.params = ParamSet::from_json(info.params, params, "sketch '" + id + "'");
    return info.make(ctx);
}

/// `tokens` tokens of an isotropic_ball stream (dim d, radius r).
inline TokenBatch ball_stream(int dim, double radius, Index tokens, std::uint64_t seed) {
    auto src = make_source("isotropic_ball", {{"dim", dim}, {"radius", radius}}, seed);
    return src->next(tokens);
}

/// One head of the shipped real-attention example (assets/real/ppocr_v4_line: 1,024 tokens,
/// d = 15), keys, values and queries as the `file` source streams them.
inline TokenBatch real_head(int layer, int head) {
    const std::string dir = std::string(KVSCOPE_SOURCE_DIR) + "/assets/real/ppocr_v4_line/";
    auto src = make_source("file",
                           {{"keys", dir + "keys.npy"},
                            {"values", dir + "values.npy"},
                            {"queries", dir + "queries.npy"},
                            {"layer", layer},
                            {"head", head}},
                           7);
    return src->next(1024);
}

inline Matrix ball_probes(int dim, double radius, int count, std::uint64_t seed) {
    auto src = make_source("isotropic_ball", {{"dim", dim}, {"radius", radius}}, seed);
    return src->probe_queries(count, seed);
}

struct EvalResult {
    double rel_err_mean = 0;  ///< mean over probes of |z - a| / |a|
    double eps_fro_mean = 0;  ///< mean over probes of |z - a| / (|softmax|_2 |V|_F)
    Index retained = 0;
};

/// Exact attention of the first `n` tokens of `stream` for `probes`: outputs [P x d_v] and
/// |softmax|_2 per probe.
struct ExactAttention {
    Eigen::MatrixXd out;
    Eigen::VectorXd softmax_norm;
    double v_fro = 0;
};

inline ExactAttention exact_attention(const TokenBatch& stream, Index n, const Matrix& probes,
                                      double beta) {
    const MatrixD K = stream.keys.topRows(n).cast<double>();
    const MatrixD V = stream.values.topRows(n).cast<double>();
    MatrixD logits = (beta * probes.cast<double>()) * K.transpose();
    const Eigen::VectorXd m = logits.rowwise().maxCoeff();
    logits.colwise() -= m;
    logits = logits.array().exp().matrix();
    const Eigen::VectorXd z = logits.rowwise().sum();
    for (Index p = 0; p < logits.rows(); ++p)
        logits.row(p) /= z[p];
    ExactAttention e;
    e.out = logits * V;
    e.softmax_norm = logits.rowwise().norm();
    e.v_fro = V.norm();
    return e;
}

inline EvalResult evaluate(const Sketch& sketch, const ExactAttention& exact,
                           const Matrix& probes) {
    const Eigen::MatrixXd z = sketch.estimate_many(probes).output();
    EvalResult r;
    const Index P = probes.rows();
    for (Index p = 0; p < P; ++p) {
        const double err = (z.row(p) - exact.out.row(p)).norm();
        r.rel_err_mean += err / exact.out.row(p).norm();
        r.eps_fro_mean += err / (exact.softmax_norm[p] * exact.v_fro);
    }
    r.rel_err_mean /= static_cast<double>(P);
    r.eps_fro_mean /= static_cast<double>(P);
    r.retained = sketch.stats().retained;
    return r;
}

/// Feeds the first `n` tokens of `stream` in blocks of `block`.
inline void feed(Sketch& sketch, const TokenBatch& stream, Index n, Index block = 4096) {
    for (Index b = 0; b < n; b += block) {
        const Index m = std::min(block, n - b);
        sketch.append(TokenBlock(stream.queries.middleRows(b, m), stream.keys.middleRows(b, m),
                                 stream.values.middleRows(b, m), stream.first_position + b));
    }
}

/// Least-squares slope of log(y) against log(x).
inline double loglog_slope(const std::vector<double>& x, const std::vector<double>& y) {
    double mx = 0, my = 0;
    const double n = static_cast<double>(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        mx += std::log(x[i]) / n;
        my += std::log(y[i]) / n;
    }
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (std::log(x[i]) - mx) * (std::log(y[i]) - my);
        sxx += (std::log(x[i]) - mx) * (std::log(x[i]) - mx);
    }
    return sxy / sxx;
}

/// True when building `id` with `params` throws std::invalid_argument (ParamSet::from_json).
inline bool rejects(const std::string& id, const nlohmann::json& params) {
    try {
        make_sketch(id, params, 4, 4, 0.5, 1);
    } catch (const std::invalid_argument&) {
        return true;
    }
    return false;
}

/// Sums of the numerator and denominator weights a view lists.
inline std::pair<double, double> weight_sums(const SketchView& view) {
    double num = 0, den = 0;
    for (const auto& t : view.retained) {
        num += t.weight_num;
        den += t.weight_den;
    }
    return {num, den};
}

/// Max relative difference between two estimates' outputs.
inline double output_gap(const EstimateBatch& a, const EstimateBatch& b) {
    const Eigen::MatrixXd za = a.output(), zb = b.output();
    double gap = 0;
    for (Index r = 0; r < za.rows(); ++r)
        gap = std::max(gap, (za.row(r) - zb.row(r)).norm() / zb.row(r).norm());
    return gap;
}

}  // namespace kvscope::test
