#include "sources/needle.hpp"

#include "sources/source_geometry.hpp"

namespace kvscope {

namespace {

class NeedleSource final : public SyntheticSource {
  public:
    explicit NeedleSource(const SourceContext& c)
        : SyntheticSource(c, static_cast<int>(c.params.integer("dim")),
                          static_cast<int>(c.params.integer("dim"))),
          needle_position_(c.params.integer("needle_position")),
          needle_norm_(c.params.number("needle_norm")),
          needle_value_(c.params.number("needle_value")),
          radius_(c.params.number("radius")),
          recall_every_(c.params.integer("recall_every")),
          value_scale_(c.params.number("value_scale")) {
        initialise();
    }

  protected:
    void on_reset(Rng& setup) override {
        needle_dir_ = random_unit(setup, dim());
        needle_value_dir_ = random_unit(setup, value_dim());
    }

    void draw_token(Index position, Rng& rng, float* q, float* k, float* v) override {
        const bool recall = recall_every_ > 0 && position > needle_position_ &&
                            (position - needle_position_) % recall_every_ == 0;
        if (recall) {
            aimed_query(rng, q);
        } else {
            sphere_point(rng, dim(), radius_, q);
        }
        if (position == needle_position_) {
            for (int i = 0; i < dim(); ++i)
                k[i] = static_cast<float>(needle_norm_ * needle_dir_[i]);
            for (int i = 0; i < value_dim(); ++i)
                v[i] = static_cast<float>(needle_value_ * needle_value_dir_[i]);
        } else {
            sphere_point(rng, dim(), radius_, k);
            gaussian_point(rng, value_dim(), value_scale_, v);
        }
    }
    /// Even probes are aimed at the needle, odd probes are haystack queries.
    void draw_probe(int index, Rng& rng, float* q) const override {
        if (index % 2 == 0) {
            aimed_query(rng, q);
        } else {
            sphere_point(rng, dim(), radius_, q);
        }
    }

  private:
    /// Angular jitter of needle-aimed queries: r * normalize(nu + 0.2 w).
    static constexpr double kAimJitter = 0.2;

    void aimed_query(Rng& rng, float* q) const {
        noisy_direction(rng, needle_dir_, kAimJitter, radius_, q);
    }

    Index needle_position_;
    double needle_norm_;
    double needle_value_;
    double radius_;
    Index recall_every_;
    double value_scale_;
    Eigen::VectorXd needle_dir_;
    Eigen::VectorXd needle_value_dir_;
};

}  // namespace

SourceInfo needle_source_info() {
    SourceInfo info;
    info.id = "needle";
    info.name = "Needle in a haystack";
    info.summary =
        "One mid-stream token with a key along the probe query direction and a distinctive "
        "value in a random haystack. Half the probes look for it.";
    info.params = {
        ParamSpec::integer("dim", "Dimension d", "Key, query and value dimension.", 1, 1024, 16),
        ParamSpec::integer("needle_position", "Needle position",
                           "Stream position of the needle token.", 0, 1e9, 1024),
        ParamSpec::real("needle_norm", "Needle key norm",
                        "Norm of the needle key; an aimed query gives it a logit of about beta r "
                        "needle_norm.",
                        0, 1e4, 12.0),
        ParamSpec::real("needle_value", "Needle value norm",
                        "Norm of the needle's value (a fixed random direction).", 0, 1e6, 10.0),
        ParamSpec::real("radius", "Radius r",
                        "Norm of the haystack keys and of every query; B = beta r^2 in the "
                        "haystack.",
                        0, 1000, 4.0),
        ParamSpec::integer("recall_every", "Recall every",
                           "Every recall_every-th stream query after the needle is aimed at it; 0 "
                           "means stream queries never look at it (H2O then evicts it).",
                           0, 1e9, 0),
        ParamSpec::real("value_scale", "Value scale",
                        "Standard deviation of each haystack value coordinate.", 0, 1e6, 1.0),
    };
    info.make = [](const SourceContext& c) { return std::make_unique<NeedleSource>(c); };
    return info;
}

}  // namespace kvscope
