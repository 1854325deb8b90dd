#include "sources/attention_sinks.hpp"

#include "sources/source_geometry.hpp"

namespace kvscope {

namespace {

class AttentionSinksSource final : public SyntheticSource {
  public:
    explicit AttentionSinksSource(const SourceContext& c)
        : SyntheticSource(c, static_cast<int>(c.params.integer("dim")),
                          static_cast<int>(c.params.integer("dim"))),
          sinks_(c.params.integer("sinks")),
          sink_norm_(c.params.number("sink_norm")),
          sink_value_(c.params.number("sink_value")),
          radius_(c.params.number("radius")),
          query_spread_(c.params.number("query_spread")),
          value_scale_(c.params.number("value_scale")) {
        initialise();
    }

  protected:
    void on_reset(Rng& setup) override { mean_query_ = random_unit(setup, dim()); }

    void draw_token(Index position, Rng& rng, float* q, float* k, float* v) override {
        draw_query(rng, q);
        if (position < sinks_) {
            noisy_direction(rng, mean_query_, kSinkJitter, sink_norm_, k);
            gaussian_point(rng, value_dim(), sink_value_, v);
        } else {
            sphere_point(rng, dim(), radius_, k);
            gaussian_point(rng, value_dim(), value_scale_, v);
        }
    }
    void draw_probe(int, Rng& rng, float* q) const override { draw_query(rng, q); }

  private:
    /// Sink keys are sink_norm * normalize(mu + 0.05 w): nearly identical, not exactly.
    static constexpr double kSinkJitter = 0.05;

    void draw_query(Rng& rng, float* q) const {
        noisy_direction(rng, mean_query_, query_spread_, radius_, q);
    }

    Index sinks_;
    double sink_norm_;
    double sink_value_;
    double radius_;
    double query_spread_;
    double value_scale_;
    Eigen::VectorXd mean_query_;
};

}  // namespace

SourceInfo attention_sinks_source_info() {
    SourceInfo info;
    info.id = "attention_sinks";
    info.name = "Attention sinks";
    info.summary =
        "The first tokens have keys along the mean query direction and near-zero values: a "
        "large share of every query's softmax mass. Window-only caches collapse without them.";
    info.params = {
        ParamSpec::integer("dim", "Dimension d", "Key, query and value dimension.", 1, 1024, 16),
        ParamSpec::integer("sinks", "Sink tokens", "Number of initial sink tokens.", 0, 1e6, 4),
        ParamSpec::real("sink_norm", "Sink key norm",
                        "Norm of the sink keys (along the mean query direction); a sink's logit "
                        "is about beta r sink_norm cos(q, mu).",
                        0, 1e4, 10.0),
        ParamSpec::real("sink_value", "Sink value scale",
                        "Standard deviation of each sink value coordinate (near zero).", 0, 1e6,
                        0.01),
        ParamSpec::real("radius", "Radius r",
                        "Norm of every query and of the non-sink keys; B = beta r^2 among "
                        "non-sink tokens.",
                        0, 1000, 4.0),
        ParamSpec::real("query_spread", "Query spread",
                        "Queries are r normalize(mu + spread w), w a random unit vector.", 0, 100,
                        0.5),
        ParamSpec::real("value_scale", "Value scale",
                        "Standard deviation of each non-sink value coordinate.", 0, 1e6, 1.0),
    };
    info.make = [](const SourceContext& c) { return std::make_unique<AttentionSinksSource>(c); };
    return info;
}

}  // namespace kvscope
