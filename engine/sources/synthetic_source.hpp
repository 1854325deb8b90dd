// Base of the seeded synthetic token streams (docs/algorithms.md 4.1).
//
// A subclass draws each token from its own Rng in stream order; reset() reseeds, so a replay
// yields identical tokens. Probe queries come from an independent Rng derived from the probe
// seed, so drawing them never disturbs the stream.
#pragma once

#include "core/random.hpp"
#include "sources/token_source.hpp"

namespace kvscope {

class SyntheticSource : public TokenSource {
  public:
    /// `value_dim` defaults to `dim` (the papers use d_v = d).
    SyntheticSource(const SourceContext& context, int dim, int value_dim);

    int dim() const override { return dim_; }
    int value_dim() const override { return value_dim_; }
    std::optional<Index> length() const override { return std::nullopt; }
    TokenBatch next(Index max_tokens) override;
    Matrix probe_queries(int count, std::uint64_t seed) const override;
    void reset() override;

  protected:
    /// Fills row `position` of the stream: query q [d], key k [d], value v [d_v].
    virtual void draw_token(Index position, Rng& rng, float* q, float* k, float* v) = 0;
    /// Draws one probe query [d]. Default: a query from the stream's query distribution at a
    /// random position, which subclasses override where that is not meaningful.
    virtual void draw_probe(int index, Rng& rng, float* q) const = 0;
    /// Called by reset() before the first token is drawn again; rebuild any seeded structure.
    virtual void on_reset(Rng& /*setup_rng*/) {}

    const ParamSet& params() const { return params_; }
    std::uint64_t seed() const { return seed_; }

    /// Call at the end of a subclass constructor (runs on_reset with a fresh setup Rng).
    void initialise();

  private:
    ParamSet params_;
    std::uint64_t seed_;
    int dim_;
    int value_dim_;
    Index position_ = 0;
    Rng stream_rng_;
};

/// Writes a uniformly random point of the sphere of radius `radius` into `out` [n].
void sphere_point(Rng& rng, int n, double radius, float* out);
/// Writes n i.i.d. N(0, sigma^2) draws into `out`.
void gaussian_point(Rng& rng, int n, double sigma, float* out);

}  // namespace kvscope
