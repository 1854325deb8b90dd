#include "theory/polynomial.hpp"

#include <cmath>
#include <limits>

#include "math/lagrange.hpp"
#include "math/monomials.hpp"
#include "math/taylor_series.hpp"

namespace kvscope {

namespace {

double hybrid_words(const TheoryInputs& in, int t) {
    const double tail = t < 0 ? std::exp(in.B) : taylor_tail(in.B, t);
    const double m = std::sqrt(in.d_v) * tail * std::exp(in.B) / in.eps;
    double coreset = m * (in.d + in.d_v);
    if (in.log_factors && in.n > m && m > 0) coreset *= std::log(in.n / m);
    const double moments =
        t < 0 ? 0.0 : taylor_moment_floats(static_cast<int>(in.d), static_cast<int>(in.d_v), t);
    return moments + coreset;
}

}  // namespace

TheoryCurve taylor_space_curve() {
    TheoryCurve c;
    c.id = "taylor_space";
    c.label = "Taylor C(d+p,p)(d_v+1), p = min degree with e^{2B}B^{p+1}/(p+1)! <= eps";
    c.source = "reconstruction (Lagrange remainder; docs/algorithms.md 2.10, 3.1)";
    c.upper = true;
    c.reconstruction = true;
    c.words = [](const TheoryInputs& in) {
        const int p = degree_for_relative_error(in.B, in.eps, 200);
        if (p < 0) return std::numeric_limits<double>::infinity();
        return taylor_moment_floats(static_cast<int>(in.d), static_cast<int>(in.d_v), p);
    };
    return c;
}

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
        "2606.07205 (docs/algorithms.md 2.11, 3.1)";
    c.upper = true;
    c.reconstruction = true;
    c.words = [](const TheoryInputs& in) { return hybrid_words(in, hybrid_best_degree(in)); };
    return c;
}

}  // namespace kvscope
