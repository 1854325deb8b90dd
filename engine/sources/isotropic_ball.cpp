#include "sources/isotropic_ball.hpp"

namespace kvscope {

namespace {

class IsotropicBallSource final : public SyntheticSource {
  public:
    explicit IsotropicBallSource(const SourceContext& c)
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

SourceInfo sphere_source_info(std::string id, std::string name, std::string summary,
                              double default_radius, std::string radius_help) {
    SourceInfo info;
    info.id = std::move(id);
    info.name = std::move(name);
    info.summary = std::move(summary);
    info.params = {
        ParamSpec::integer("dim", "Dimension d", "Key, query and value dimension.", 1, 1024, 16),
        ParamSpec::real("radius", "Radius r", std::move(radius_help), 0, 1000, default_radius),
        ParamSpec::real("value_scale", "Value scale",
                        "Standard deviation of each value coordinate.", 0, 1e6, 1.0),
    };
    info.make = [](const SourceContext& c) { return std::make_unique<IsotropicBallSource>(c); };
    return info;
}

SourceInfo isotropic_ball_source_info() {
    return sphere_source_info(
        "isotropic_ball", "Isotropic small ball",
        "Keys and queries uniform on a sphere of radius r; B = beta r^2. High temperature when "
        "B <= 1.",
        2.0, "Norm of every key and query; the logit bound is B = beta r^2.");
}

}  // namespace kvscope
