#include "sources/clustered_offset.hpp"

#include <vector>

#include "sources/source_geometry.hpp"

namespace kvscope {

namespace {

class ClusteredOffsetSource final : public SyntheticSource {
  public:
    explicit ClusteredOffsetSource(const SourceContext& c)
        : SyntheticSource(c, static_cast<int>(c.params.integer("dim")),
                          static_cast<int>(c.params.integer("dim"))),
          clusters_(static_cast<int>(c.params.integer("clusters"))),
          offset_norm_(c.params.number("offset")),
          radius_(c.params.number("radius")),
          noise_(c.params.number("noise")),
          query_radius_(c.params.number("query_radius")),
          query_spread_(c.params.number("query_spread")),
          value_scale_(c.params.number("value_scale")) {
        initialise();
    }

  protected:
    void on_reset(Rng& setup) override {
        offset_ = offset_norm_ * random_unit(setup, dim());
        // A single cluster has no deviation: the noise alone fills the radius.
        const double noise_radius = clusters_ > 1 ? noise_ * radius_ : radius_;
        noise_radius_ = noise_radius;
        deviations_ = zero_mean_deviations(setup, clusters_, dim(), radius_ - noise_radius);
        directions_.clear();
        for (const auto& d : deviations_) {
            const double n = d.norm();
            directions_.push_back(n > 0 ? Eigen::VectorXd(d / n) : Eigen::VectorXd::Zero(dim()));
        }
    }

    void draw_token(Index, Rng& rng, float* q, float* k, float* v) override {
        draw_query(rng, q);
        const auto& dev = deviations_[rng.below(clusters_)];
        ball_point(rng, dim(), noise_radius_, k);
        for (int i = 0; i < dim(); ++i)
            k[i] += static_cast<float>(offset_[i] + dev[i]);
        gaussian_point(rng, value_dim(), value_scale_, v);
    }
    void draw_probe(int, Rng& rng, float* q) const override { draw_query(rng, q); }

  private:
    void draw_query(Rng& rng, float* q) const {
        const auto& dir = directions_[rng.below(clusters_)];
        // With no cluster direction (one cluster) the query is uniform on the sphere.
        const double spread = dir.squaredNorm() > 0 ? query_spread_ : 1.0;
        noisy_direction(rng, dir, spread, query_radius_, q);
    }

    int clusters_;
    double offset_norm_;
    double radius_;
    double noise_;
    double query_radius_;
    double query_spread_;
    double value_scale_;
    double noise_radius_ = 0;
    Eigen::VectorXd offset_;
    std::vector<Eigen::VectorXd> deviations_;
    std::vector<Eigen::VectorXd> directions_;
};

}  // namespace

SourceInfo clustered_offset_source_info() {
    SourceInfo info;
    info.id = "clustered_offset";
    info.name = "Low-radius clusters with a common offset";
    info.summary =
        "Tight key clusters around a common offset far from the origin. Raw B = beta r_q "
        "(offset + radius) is large; recentering shrinks it to beta r_q radius.";
    info.params = {
        ParamSpec::integer("dim", "Dimension d", "Key, query and value dimension.", 1, 1024, 16),
        ParamSpec::integer("clusters", "Clusters m", "Number of key clusters.", 1, 1024, 8),
        ParamSpec::real("offset", "Offset norm",
                        "Norm of the common offset vector added to every key (the mean key).", 0,
                        1e4, 10.0),
        ParamSpec::real("radius", "Spread radius",
                        "Spread of the key cloud around its mean: max ||k - mean|| is about "
                        "radius. Recentered logit bound B = beta query_radius radius.",
                        0, 1e3, 1.0),
        ParamSpec::real("noise", "Noise fraction",
                        "Cluster noise radius as a fraction of radius; cluster centres lie within "
                        "(1 - noise) radius of the offset.",
                        0, 1, 0.3),
        ParamSpec::real("query_radius", "Query norm",
                        "Norm of every query. Raw B = beta query_radius (offset + radius).", 0, 1e3,
                        4.0),
        ParamSpec::real("query_spread", "Query spread",
                        "Queries are query_radius normalize(u_j + spread w), u_j a random "
                        "cluster's direction, w a random unit vector; larger is less aligned.",
                        0, 100, 1.0),
        ParamSpec::real("value_scale", "Value scale",
                        "Standard deviation of each value coordinate.", 0, 1e6, 1.0),
    };
    info.make = [](const SourceContext& c) { return std::make_unique<ClusteredOffsetSource>(c); };
    return info;
}

}  // namespace kvscope
