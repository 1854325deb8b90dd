// Test helpers for the polynomial-method sketches: build a sketch from the registry, draw a
// stream, and compute relative errors rel_err = ||z - a|| / ||a|| against exact attention (double,
// max-subtracted).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/registry.hpp"
#include "core/types.hpp"
#include "sources/source_registry.hpp"

namespace kvscope::polytest {

struct Stream {
    Matrix keys;    ///< [n x d]
    Matrix values;  ///< [n x d_v]
};

/// Draws n tokens from a registered source.
inline Stream draw_stream(const std::string& source, const nlohmann::json& params, Index n,
                          std::uint64_t seed) {
    auto src = make_source(source, params, seed);
    TokenBatch b = src->next(n);
    return {b.keys, b.values};
}

/// Probe queries of a registered source.
inline Matrix draw_probes(const std::string& source, const nlohmann::json& params, int count,
                          std::uint64_t seed) {
    auto src = make_source(source, params, seed);
    return src->probe_queries(count, seed + 1);
}

/// A registered sketch with validated params.
inline std::unique_ptr<Sketch> make_sketch(const std::string& id, int d, int dv, double beta,
                                           const nlohmann::json& params, std::uint64_t seed = 7) {
    const SketchInfo& info = builtin_sketches().at(id, "sketch");
    SketchContext c;
    c.dim = d;
    c.value_dim = dv;
    c.beta = beta;
    c.seed = seed;
    c.params = ParamSet::from_json(info.params, params, id);
    return info.make(c);
}

/// Appends a stream in blocks of `block` tokens.
inline void feed(Sketch& s, const Stream& st, Index block = 512) {
    const Matrix none(0, st.keys.cols());
    for (Index b = 0; b < st.keys.rows(); b += block) {
        const Index m = std::min(block, st.keys.rows() - b);
        s.append(TokenBlock(none, st.keys.middleRows(b, m), st.values.middleRows(b, m), b));
    }
}

/// Exact attention outputs [P x d_v] by a double loop in double with max-subtraction.
inline MatrixD exact_attention(const Stream& st, ConstMatrixRef queries, double beta) {
    const Index n = st.keys.rows();
    const MatrixD K = st.keys.cast<double>();
    const MatrixD V = st.values.cast<double>();
    MatrixD out(queries.rows(), V.cols());
    for (Index r = 0; r < queries.rows(); ++r) {
        const Eigen::VectorXd q = queries.row(r).transpose().cast<double>();
        Eigen::VectorXd x = beta * (K * q);
        const double m = x.maxCoeff();
        Eigen::VectorXd w = (x.array() - m).exp().matrix();
        (void)n;
        out.row(r) = (V.transpose() * w).transpose() / w.sum();
    }
    return out;
}

/// Per-query relative errors ||z - a|| / ||a||.
inline std::vector<double> rel_errors(const Sketch& s, const MatrixD& exact,
                                      ConstMatrixRef queries) {
    const Eigen::MatrixXd z = s.estimate_many(queries).output();
    std::vector<double> e(queries.rows());
    for (Index r = 0; r < queries.rows(); ++r) {
        e[r] = (z.row(r) - exact.row(r)).norm() / exact.row(r).norm();
    }
    return e;
}

inline double mean_of(const std::vector<double>& v) {
    double s = 0;
    for (double x : v)
        s += x;
    return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

inline double rel_err_mean(const Sketch& s, const Stream& st, ConstMatrixRef queries, double beta) {
    return mean_of(rel_errors(s, exact_attention(st, queries, beta), queries));
}

}  // namespace kvscope::polytest
