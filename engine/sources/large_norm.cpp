#include "sources/large_norm.hpp"

namespace kvscope {

namespace {

class LargeNormSource final : public SyntheticSource {
  public:
    explicit LargeNormSource(const SourceContext& c)
        : SyntheticSource(c, static_cast<int>(c.params.integer("dim")),
                          static_cast<int>(c.params.integer("dim"))),
          radius_(c.params.number("radius")),
          value_scale_(c.params.number("value_scale")) {
        initialise();
    }

  protected:
    void draw_token(Index, Rng& rng, float* q, float* k, float* v) override {
        sphere_point(rng, dim(), radius_, q);
        sphere_point(rng, dim(), radius_, k);
        gaussian_point(rng, value_dim(), value_scale_, v);
    }
    void draw_probe(int, Rng& rng, float* q) const override {
        sphere_point(rng, dim(), radius_, q);
    }

  private:
    double radius_;
    double value_scale_;
};

}  // namespace

SourceInfo large_norm_source_info() {
    SourceInfo info;
    info.id = "large_norm";
    info.name = "Large-norm keys";
    info.summary =
        "Keys and queries uniform on a sphere of large radius r; B = beta r^2 (16 at the "
        "defaults). Low temperature: peaky attention, Taylor overflow, e^{2B} blow-ups.";
    info.params = {
        ParamSpec::integer("dim", "Dimension d", "Key, query and value dimension.", 1, 1024, 16),
        ParamSpec::real("radius", "Radius r",
                        "Norm of every key and query; the logit bound is B = beta r^2 (r = 8 at "
                        "d = 16, beta = 1/sqrt(d) gives B = 16). Sweep it to sweep B.",
                        0, 1000, 8.0),
        ParamSpec::real("value_scale", "Value scale",
                        "Standard deviation of each value coordinate.", 0, 1e6, 1.0),
    };
    info.make = [](const SourceContext& c) { return std::make_unique<LargeNormSource>(c); };
    return info;
}

}  // namespace kvscope
