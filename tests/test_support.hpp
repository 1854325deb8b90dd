// Small helpers shared by the engine tests: seeded token batches, sketches built from the
// registry, and exact attention by a plain double loop (independent of the engine's GEMM path).
#pragma once

#include <cmath>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/random.hpp"
#include "core/registry.hpp"

namespace kvscope::test {

/// A batch of n tokens with Gaussian queries, keys (scaled by key_scale) and values.
inline TokenBatch random_batch(Index n, int d, int dv, std::uint64_t seed, double key_scale = 1.0,
                               Index first_position = 0) {
    Rng rng(seed);
    TokenBatch b;
    b.first_position = first_position;
    b.queries.resize(n, d);
    b.keys.resize(n, d);
    b.values.resize(n, dv);
    for (Index i = 0; i < n; ++i) {
        for (int j = 0; j < d; ++j)
            b.queries(i, j) = static_cast<float>(rng.normal());
        for (int j = 0; j < d; ++j)
            b.keys(i, j) = static_cast<float>(key_scale * rng.normal());
        for (int j = 0; j < dv; ++j)
            b.values(i, j) = static_cast<float>(rng.normal());
    }
    return b;
}

inline std::unique_ptr<Sketch> make_sketch(const std::string& id, const nlohmann::json& params,
                                           int d, int dv, double beta, std::uint64_t seed) {
    const SketchInfo& info = builtin_sketches().at(id, "sketch");
    SketchContext ctx;
    ctx.dim = d;
    ctx.value_dim = dv;
    ctx.beta = beta;
    ctx.seed = seed;
    ctx.params = ParamSet::from_json(info.params, params, id);
    return info.make(ctx);
}

/// Exact attention output for one query, by a double loop with max-subtraction.
inline Eigen::VectorXd exact_attention(const Matrix& keys, const Matrix& values,
                                       const Eigen::VectorXf& q, double beta) {
    double m = -INFINITY;
    for (Index i = 0; i < keys.rows(); ++i) {
        m = std::max(m, beta * keys.row(i).cast<double>().dot(q.cast<double>()));
    }
    Eigen::VectorXd num = Eigen::VectorXd::Zero(values.cols());
    double den = 0;
    for (Index i = 0; i < keys.rows(); ++i) {
        const double w = std::exp(beta * keys.row(i).cast<double>().dot(q.cast<double>()) - m);
        num += w * values.row(i).cast<double>().transpose();
        den += w;
    }
    return num / den;
}

/// Mean relative error ||z - a|| / ||a|| of a sketch over the rows of `queries`.
inline double mean_relative_error(const Sketch& sketch, const Matrix& keys, const Matrix& values,
                                  const Matrix& queries) {
    const EstimateBatch est = sketch.estimate_many(queries);
    const Eigen::MatrixXd z = est.output();
    double sum = 0;
    for (Index p = 0; p < queries.rows(); ++p) {
        const Eigen::VectorXd a =
            exact_attention(keys, values, queries.row(p).transpose(), sketch.beta());
        sum += (z.row(p).transpose() - a).norm() / a.norm();
    }
    return sum / static_cast<double>(queries.rows());
}

}  // namespace kvscope::test
