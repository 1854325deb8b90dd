#include "sources/value_norm_spread.hpp"

#include <algorithm>
#include <cmath>

namespace kvscope {

namespace {

class ValueNormSpreadSource final : public SyntheticSource {
  public:
    explicit ValueNormSpreadSource(const SourceContext& c)
        : SyntheticSource(c, static_cast<int>(c.params.integer("dim")),
                          static_cast<int>(c.params.integer("dim"))),
          radius_(c.params.number("radius")),
          sigma_(c.params.number("sigma")),
          median_norm_(c.params.number("median_norm")) {
        initialise();
    }

  protected:
    void draw_token(Index, Rng& rng, float* q, float* k, float* v) override {
        sphere_point(rng, dim(), radius_, q);
        sphere_point(rng, dim(), radius_, k);
        // The exponent is clamped so extreme draws stay finite in float.
        const double log_norm = std::clamp(sigma_ * rng.normal(), -60.0, 60.0);
        sphere_point(rng, value_dim(), median_norm_ * std::exp(log_norm), v);
    }
    void draw_probe(int, Rng& rng, float* q) const override {
        sphere_point(rng, dim(), radius_, q);
    }

  private:
    double radius_;
    double sigma_;
    double median_norm_;
};

}  // namespace

SourceInfo value_norm_spread_source_info() {
    SourceInfo info;
    info.id = "value_norm_spread";
    info.name = "Value-norm spread";
    info.summary =
        "Isotropic keys and queries; value norms log-normal with parameter sigma, so a few "
        "values dominate the numerator. Motivates value-norm bucketing.";
    info.params = {
        ParamSpec::integer("dim", "Dimension d", "Key, query and value dimension.", 1, 1024, 16),
        ParamSpec::real("radius", "Radius r",
                        "Norm of every key and query; the logit bound is B = beta r^2.", 0, 1000,
                        2.0),
        ParamSpec::real("sigma", "Log-norm sigma",
                        "Standard deviation of log ||v||; 0 gives equal value norms.", 0, 10, 1.5),
        ParamSpec::real("median_norm", "Median value norm",
                        "Median of ||v|| (values are random directions times a log-normal norm).",
                        0, 1e6, 4.0),
    };
    info.make = [](const SourceContext& c) { return std::make_unique<ValueNormSpreadSource>(c); };
    return info;
}

}  // namespace kvscope
