#include "sources/query_shift.hpp"

#include "sources/source_geometry.hpp"

namespace kvscope {

namespace {

class QueryShiftSource final : public SyntheticSource {
  public:
    explicit QueryShiftSource(const SourceContext& c)
        : SyntheticSource(c, static_cast<int>(c.params.integer("dim")),
                          static_cast<int>(c.params.integer("dim"))),
          shift_at_(c.params.integer("shift_at")),
          radius_(c.params.number("radius")),
          spread_(c.params.number("spread")),
          value_scale_(c.params.number("value_scale")) {
        initialise();
    }

  protected:
    void on_reset(Rng& setup) override {
        region_a_ = random_unit(setup, dim());
        region_b_ = random_orthogonal_unit(setup, region_a_);
    }

    void draw_token(Index position, Rng& rng, float* q, float* k, float* v) override {
        noisy_direction(rng, position < shift_at_ ? region_a_ : region_b_, spread_, radius_, q);
        noisy_direction(rng, rng.coin() ? region_a_ : region_b_, spread_, radius_, k);
        gaussian_point(rng, value_dim(), value_scale_, v);
    }
    void draw_probe(int, Rng& rng, float* q) const override {
        noisy_direction(rng, region_b_, spread_, radius_, q);
    }

  private:
    Index shift_at_;
    double radius_;
    double spread_;
    double value_scale_;
    Eigen::VectorXd region_a_;
    Eigen::VectorXd region_b_;
};

}  // namespace

SourceInfo query_shift_source_info() {
    SourceInfo info;
    info.id = "query_shift";
    info.name = "Query distribution shift";
    info.summary =
        "Keys in two regions; queries target region A until shift_at, then region B. "
        "Irreversible eviction (H2O, SnapKV) fails; query-agnostic sketches do not.";
    info.params = {
        ParamSpec::integer("dim", "Dimension d", "Key, query and value dimension.", 1, 1024, 16),
        ParamSpec::integer("shift_at", "Shift at",
                           "Token index at which queries switch from region A to region B.", 0, 1e9,
                           2048),
        ParamSpec::real("radius", "Radius r",
                        "Norm of every key and query; B = beta r^2 (4 at the defaults, d = 16).", 0,
                        1000, 4.0),
        ParamSpec::real("spread", "Spread",
                        "Keys and queries are r normalize(region + spread w), w a random unit "
                        "vector; larger blurs the two regions.",
                        0, 100, 0.5),
        ParamSpec::real("value_scale", "Value scale",
                        "Standard deviation of each value coordinate.", 0, 1e6, 1.0),
    };
    info.make = [](const SourceContext& c) { return std::make_unique<QueryShiftSource>(c); };
    return info;
}

}  // namespace kvscope
