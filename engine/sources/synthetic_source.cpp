#include "sources/synthetic_source.hpp"

#include <cmath>
#include <vector>

namespace kvscope {

SyntheticSource::SyntheticSource(const SourceContext& context, int dim, int value_dim)
    : params_(context.params),
      seed_(context.seed),
      dim_(dim),
      value_dim_(value_dim),
      stream_rng_(derive_seed(context.seed, "stream")) {}

void SyntheticSource::initialise() {
    reset();
}

void SyntheticSource::reset() {
    position_ = 0;
    stream_rng_ = Rng(derive_seed(seed_, "stream"));
    Rng setup(derive_seed(seed_, "setup"));
    on_reset(setup);
}

TokenBatch SyntheticSource::next(Index max_tokens) {
    TokenBatch b;
    b.first_position = position_;
    b.queries.resize(max_tokens, dim_);
    b.keys.resize(max_tokens, dim_);
    b.values.resize(max_tokens, value_dim_);
    for (Index r = 0; r < max_tokens; ++r) {
        draw_token(position_ + r, stream_rng_, b.queries.row(r).data(), b.keys.row(r).data(),
                   b.values.row(r).data());
    }
    position_ += max_tokens;
    return b;
}

Matrix SyntheticSource::probe_queries(int count, std::uint64_t seed) const {
    Matrix q(count, dim_);
    Rng rng(derive_seed(seed, "probe"));
    for (int i = 0; i < count; ++i)
        draw_probe(i, rng, q.row(i).data());
    return q;
}

void sphere_point(Rng& rng, int n, double radius, float* out) {
    double norm2 = 0;
    std::vector<double> g(n);
    do {
        norm2 = 0;
        for (int i = 0; i < n; ++i) {
            g[i] = rng.normal();
            norm2 += g[i] * g[i];
        }
    } while (norm2 == 0.0);
    const double s = radius / std::sqrt(norm2);
    for (int i = 0; i < n; ++i)
        out[i] = static_cast<float>(g[i] * s);
}

void gaussian_point(Rng& rng, int n, double sigma, float* out) {
    for (int i = 0; i < n; ++i)
        out[i] = static_cast<float>(sigma * rng.normal());
}

}  // namespace kvscope
