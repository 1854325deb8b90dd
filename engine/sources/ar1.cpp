#include "sources/ar1.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace kvscope {

namespace {

class Ar1Source final : public SyntheticSource {
  public:
    explicit Ar1Source(const SourceContext& c)
        : SyntheticSource(c, static_cast<int>(c.params.integer("dim")),
                          static_cast<int>(c.params.integer("dim"))),
          rho_(c.params.number("rho")),
          key_sigma_(c.params.number("radius") /
                     std::sqrt(static_cast<double>(c.params.integer("dim")))),
          query_sigma_(c.params.number("query_radius") /
                       std::sqrt(static_cast<double>(c.params.integer("dim")))),
          value_sigma_(c.params.number("value_scale")) {
        initialise();
    }

  protected:
    void on_reset(Rng&) override {
        key_.assign(dim(), 0.0);
        value_.assign(value_dim(), 0.0);
        started_ = false;
    }

    void draw_token(Index, Rng& rng, float* q, float* k, float* v) override {
        gaussian_point(rng, dim(), query_sigma_, q);
        // The first token is drawn from the stationary law; later ones mix in fresh noise.
        const double keep = started_ ? rho_ : 0.0;
        const double fresh = std::sqrt(std::max(0.0, 1.0 - keep * keep));
        step(rng, key_, keep, fresh * key_sigma_, k);
        step(rng, value_, keep, fresh * value_sigma_, v);
        started_ = true;
    }

    void draw_probe(int, Rng& rng, float* q) const override {
        gaussian_point(rng, dim(), query_sigma_, q);
    }

  private:
    static void step(Rng& rng, std::vector<double>& state, double keep, double sigma, float* out) {
        for (std::size_t i = 0; i < state.size(); ++i) {
            state[i] = keep * state[i] + sigma * rng.normal();
            out[i] = static_cast<float>(state[i]);
        }
    }

    double rho_;
    double key_sigma_;
    double query_sigma_;
    double value_sigma_;
    std::vector<double> key_;
    std::vector<double> value_;
    bool started_ = false;
};

}  // namespace

SourceInfo ar1_source_info() {
    SourceInfo info;
    info.id = "ar1";
    info.name = "AR(1)-correlated tokens";
    info.summary =
        "Keys and values follow an AR(1) process along the sequence (correlation rho between "
        "neighbours), queries are i.i.d.: discrepancy halving cancels correlated neighbours, "
        "independent sampling cannot.";
    info.params = {
        ParamSpec::integer("dim", "Dimension d", "Key, query and value dimension.", 1, 1024, 16),
        ParamSpec::real("rho", "Correlation rho",
                        "Correlation of each key and value coordinate with the previous "
                        "token's; 0 gives i.i.d. Gaussian tokens.",
                        0, 0.9999, 0.95),
        ParamSpec::real("radius", "Key norm r",
                        "Typical key norm (per-coordinate std r/sqrt(d), stationary).", 0, 1000,
                        2.0),
        ParamSpec::real("query_radius", "Query norm",
                        "Typical query norm (per-coordinate std r_q/sqrt(d)); B ~ beta r r_q.", 0,
                        1000, 2.0),
        ParamSpec::real("value_scale", "Value scale",
                        "Stationary standard deviation of each value coordinate.", 0, 1e6, 1.0),
    };
    info.make = [](const SourceContext& c) { return std::make_unique<Ar1Source>(c); };
    return info;
}

}  // namespace kvscope
