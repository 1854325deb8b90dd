#include "sources/rope_rotation.hpp"

#include <cmath>
#include <numbers>
#include <vector>

#include "sources/source_geometry.hpp"

namespace kvscope {

namespace {

class RopeRotationSource final : public SyntheticSource {
  public:
    explicit RopeRotationSource(const SourceContext& c)
        : SyntheticSource(c, static_cast<int>(c.params.integer("dim")),
                          static_cast<int>(c.params.integer("dim"))),
          clusters_(static_cast<int>(c.params.integer("clusters"))),
          radius_(c.params.number("radius")),
          noise_(c.params.number("noise")),
          base_(c.params.number("base")),
          probe_position_(c.params.integer("probe_position")),
          value_scale_(c.params.number("value_scale")) {
        initialise();
    }

  protected:
    void on_reset(Rng& setup) override {
        centres_.clear();
        for (int j = 0; j < clusters_; ++j)
            centres_.push_back(random_unit(setup, dim()));
        const int pairs = dim() / 2;
        theta_.resize(pairs);
        for (int i = 0; i < pairs; ++i)
            theta_[i] = std::pow(base_, -2.0 * i / dim());
    }

    void draw_token(Index position, Rng& rng, float* q, float* k, float* v) override {
        draw_content(rng, q);
        draw_content(rng, k);
        rotate(position, q);
        rotate(position, k);
        gaussian_point(rng, value_dim(), value_scale_, v);
    }
    void draw_probe(int, Rng& rng, float* q) const override {
        draw_content(rng, q);
        rotate(probe_position_, q);
    }

  private:
    void draw_content(Rng& rng, float* x) const {
        noisy_direction(rng, centres_[rng.below(clusters_)], noise_, radius_, x);
    }

    void rotate(Index position, float* x) const {
        const double t = static_cast<double>(position);
        for (std::size_t i = 0; i < theta_.size(); ++i) {
            // fmod keeps the angle accurate for long streams.
            const double angle = std::fmod(t * theta_[i], 2.0 * std::numbers::pi);
            const double c = std::cos(angle);
            const double s = std::sin(angle);
            const double a = x[2 * i];
            const double b = x[2 * i + 1];
            x[2 * i] = static_cast<float>(c * a - s * b);
            x[2 * i + 1] = static_cast<float>(s * a + c * b);
        }
    }

    int clusters_;
    double radius_;
    double noise_;
    double base_;
    Index probe_position_;
    double value_scale_;
    std::vector<Eigen::VectorXd> centres_;
    std::vector<double> theta_;
};

}  // namespace

SourceInfo rope_rotation_source_info() {
    SourceInfo info;
    info.id = "rope_rotation";
    info.name = "RoPE-like rotation";
    info.summary =
        "Clustered content rotated pairwise by position (theta_i = base^(-2i/d)): same-content "
        "keys spread with position, clusters smear.";
    info.params = {
        ParamSpec::integer("dim", "Dimension d",
                           "Key, query and value dimension; coordinate pairs (2i, 2i+1) rotate.", 1,
                           1024, 16),
        ParamSpec::integer("clusters", "Content clusters",
                           "Number of content directions keys and queries are drawn around.", 1,
                           1024, 8),
        ParamSpec::real("radius", "Radius r",
                        "Norm of every key and query (rotation keeps it); B = beta r^2.", 0, 1000,
                        4.0),
        ParamSpec::real("noise", "Content noise",
                        "Content is r normalize(u_j + noise w), w a random unit vector; 0 makes "
                        "all content of a cluster identical.",
                        0, 100, 0.3),
        ParamSpec::real("base", "RoPE base",
                        "Frequency base: theta_i = base^(-2i/d) (10^4 classic, 5e5 Llama-3).", 1,
                        1e9, 10000, true),
        ParamSpec::integer("probe_position", "Probe position",
                           "Stream position the probe queries are rotated to ('now').", 0, 1e9,
                           4096),
        ParamSpec::real("value_scale", "Value scale",
                        "Standard deviation of each value coordinate.", 0, 1e6, 1.0),
    };
    info.make = [](const SourceContext& c) { return std::make_unique<RopeRotationSource>(c); };
    return info;
}

}  // namespace kvscope
