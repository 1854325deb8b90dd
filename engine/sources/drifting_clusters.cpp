#include "sources/drifting_clusters.hpp"

#include <vector>

#include "sources/source_geometry.hpp"

namespace kvscope {

namespace {

class DriftingClustersSource final : public SyntheticSource {
  public:
    explicit DriftingClustersSource(const SourceContext& c)
        : SyntheticSource(c, static_cast<int>(c.params.integer("dim")),
                          static_cast<int>(c.params.integer("dim"))),
          clusters_(static_cast<int>(c.params.integer("clusters"))),
          offset_norm_(c.params.number("offset")),
          radius_(c.params.number("radius")),
          noise_(c.params.number("noise")),
          drift_(c.params.number("drift")),
          query_radius_(c.params.number("query_radius")),
          query_spread_(c.params.number("query_spread")),
          horizon_(c.params.integer("horizon")),
          value_scale_(c.params.number("value_scale")) {
        initialise();
    }

  protected:
    void on_reset(Rng& setup) override {
        offset_ = offset_norm_ * random_unit(setup, dim());
        noise_radius_ = clusters_ > 1 ? noise_ * radius_ : radius_;
        deviations_ = zero_mean_deviations(setup, clusters_, dim(), radius_ - noise_radius_);
        velocities_.clear();
        Eigen::VectorXd mean = Eigen::VectorXd::Zero(dim());
        for (int j = 0; j < clusters_; ++j) {
            velocities_.push_back(drift_ * random_unit(setup, dim()));
            mean += velocities_.back();
        }
        mean /= clusters_;
        relative_velocities_.clear();
        for (const auto& u : velocities_)
            relative_velocities_.push_back(u - mean);
    }

    void draw_token(Index position, Rng& rng, float* q, float* k, float* v) override {
        draw_query(position, rng, q);
        const int j = static_cast<int>(rng.below(clusters_));
        const double t = static_cast<double>(position);
        ball_point(rng, dim(), noise_radius_, k);
        for (int i = 0; i < dim(); ++i)
            k[i] += static_cast<float>(offset_[i] + deviations_[j][i] + t * velocities_[j][i]);
        gaussian_point(rng, value_dim(), value_scale_, v);
    }
    /// Probes are queries at a uniformly random position in [0, horizon).
    void draw_probe(int, Rng& rng, float* q) const override {
        draw_query(rng.below(horizon_), rng, q);
    }

  private:
    void draw_query(Index position, Rng& rng, float* q) const {
        const int j = static_cast<int>(rng.below(clusters_));
        // Deviation of centre j from the mean centre at this position.
        Eigen::VectorXd dir =
            deviations_[j] + static_cast<double>(position) * relative_velocities_[j];
        const double n = dir.norm();
        if (n > 0) {
            dir /= n;
            noisy_direction(rng, dir, query_spread_, query_radius_, q);
        } else {
            noisy_direction(rng, dir, 1.0, query_radius_, q);
        }
    }

    int clusters_;
    double offset_norm_;
    double radius_;
    double noise_;
    double drift_;
    double query_radius_;
    double query_spread_;
    Index horizon_;
    double value_scale_;
    double noise_radius_ = 0;
    Eigen::VectorXd offset_;
    std::vector<Eigen::VectorXd> deviations_;
    std::vector<Eigen::VectorXd> velocities_;
    std::vector<Eigen::VectorXd> relative_velocities_;
};

}  // namespace

SourceInfo drifting_clusters_source_info() {
    SourceInfo info;
    info.id = "drifting_clusters";
    info.name = "Drifting clusters";
    info.summary =
        "Clusters around a common offset whose centres move `drift` per token: old and new "
        "tokens separate, fixed recentering goes stale.";
    info.params = {
        ParamSpec::integer("dim", "Dimension d", "Key, query and value dimension.", 1, 1024, 16),
        ParamSpec::integer("clusters", "Clusters m", "Number of key clusters.", 1, 1024, 4),
        ParamSpec::real("offset", "Offset norm",
                        "Norm of the common offset vector added to every key at position 0.", 0,
                        1e4, 10.0),
        ParamSpec::real("radius", "Spread radius",
                        "Spread of the key cloud around its mean at position 0 (max ||k - mean|| "
                        "about radius); drift then widens it.",
                        0, 1e3, 1.0),
        ParamSpec::real("noise", "Noise fraction",
                        "Cluster noise radius as a fraction of radius; cluster centres start "
                        "within (1 - noise) radius of the offset.",
                        0, 1, 0.3),
        ParamSpec::real("drift", "Drift per token",
                        "Distance each cluster centre moves per token, in a fixed random "
                        "direction per cluster (0.002 moves one radius 1 per 500 tokens).",
                        0, 10, 0.002),
        ParamSpec::real("query_radius", "Query norm",
                        "Norm of every query; the recentered logit range is beta query_radius "
                        "times the current key spread.",
                        0, 1e3, 4.0),
        ParamSpec::real("query_spread", "Query spread",
                        "Queries are query_radius normalize(u_j(t) + spread w), u_j(t) a random "
                        "cluster's current direction from the mean centre, w a random unit.",
                        0, 100, 1.0),
        ParamSpec::integer("horizon", "Probe horizon",
                           "Probe queries are drawn at uniformly random positions in [0, horizon).",
                           1, 1e9, 4096, true),
        ParamSpec::real("value_scale", "Value scale",
                        "Standard deviation of each value coordinate.", 0, 1e6, 1.0),
    };
    info.make = [](const SourceContext& c) { return std::make_unique<DriftingClustersSource>(c); };
    return info;
}

}  // namespace kvscope
