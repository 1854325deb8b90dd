#include "sources/incompressible.hpp"

#include "sources/source_geometry.hpp"

namespace kvscope {

namespace {

class IncompressibleSource final : public SyntheticSource {
  public:
    explicit IncompressibleSource(const SourceContext& c)
        : SyntheticSource(c, static_cast<int>(c.params.integer("dim")),
                          static_cast<int>(c.params.integer("dim"))),
          radius_(c.params.number("radius")),
          query_scale_(c.params.number("query_scale")),
          probe_span_(c.params.integer("probe_span")),
          value_scale_(c.params.number("value_scale")),
          key_seed_(derive_seed(c.seed, "incompressible_keys")) {
        initialise();
    }

  protected:
    void draw_token(Index position, Rng& rng, float* q, float* k, float* v) override {
        key_at(position, k);
        key_copy(rng.below(position + 1), q);
        gaussian_point(rng, value_dim(), value_scale_, v);
    }
    /// Three probes in four copy the key of a random position in [0, probe_span); every fourth
    /// is a random direction of the same norm.
    void draw_probe(int index, Rng& rng, float* q) const override {
        if (index % 4 == 3) {
            sphere_point(rng, dim(), query_scale_ * radius_, q);
        } else {
            key_copy(rng.below(probe_span_), q);
        }
    }

  private:
    void key_at(Index position, float* k) const {
        hashed_sphere_point(key_seed_, position, dim(), radius_, k);
    }
    void key_copy(Index position, float* q) const {
        hashed_sphere_point(key_seed_, position, dim(), query_scale_ * radius_, q);
    }

    double radius_;
    double query_scale_;
    Index probe_span_;
    double value_scale_;
    std::uint64_t key_seed_;
};

}  // namespace

SourceInfo incompressible_source_info() {
    SourceInfo info;
    info.id = "incompressible";
    info.name = "Incompressible (INDEX)";
    info.summary =
        "Near-orthogonal keys of large norm, random values, each query a scaled copy of a random "
        "past key: every sublinear sketch must fail (Theta(n d) lower bound).";
    info.params = {
        ParamSpec::integer("dim", "Dimension d",
                           "Key, query and value dimension; keys are more orthogonal as d grows "
                           "(cosines about 1/sqrt(d)).",
                           1, 1024, 16),
        ParamSpec::real("radius", "Radius r",
                        "Norm of every key; B = beta query_scale r^2 (16 at r = 8, d = 16).", 0,
                        1000, 8.0),
        ParamSpec::real("query_scale", "Query scale",
                        "Queries are query_scale times a random past key (norm query_scale r).", 0,
                        100, 1.0),
        ParamSpec::integer("probe_span", "Probe span",
                           "Probe queries copy keys of random positions in [0, probe_span).", 1,
                           1e9, 4096, true),
        ParamSpec::real("value_scale", "Value scale",
                        "Standard deviation of each value coordinate.", 0, 1e6, 1.0),
    };
    info.make = [](const SourceContext& c) { return std::make_unique<IncompressibleSource>(c); };
    return info;
}

}  // namespace kvscope
