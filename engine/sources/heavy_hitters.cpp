#include "sources/heavy_hitters.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "sources/source_geometry.hpp"

namespace kvscope {

namespace {

class HeavyHittersSource final : public SyntheticSource {
  public:
    explicit HeavyHittersSource(const SourceContext& c)
        : SyntheticSource(c, static_cast<int>(c.params.integer("dim")),
                          static_cast<int>(c.params.integer("dim"))),
          hitters_(c.params.integer("hitters")),
          span_(c.params.integer("span")),
          alignment_(c.params.number("alignment")),
          radius_(c.params.number("radius")),
          query_spread_(c.params.number("query_spread")),
          value_scale_(c.params.number("value_scale")) {
        initialise();
    }

  protected:
    void on_reset(Rng& setup) override {
        mean_query_ = random_unit(setup, dim());
        // Distinct positions, uniformly in [0, span), sorted.
        const Index count = std::min(hitters_, span_);
        positions_.clear();
        if (2 * count >= span_) {
            // Dense: a partial Fisher-Yates shuffle of [0, span) (span <= 2 count here).
            std::vector<Index> all(span_);
            std::iota(all.begin(), all.end(), Index{0});
            for (Index i = 0; i < count; ++i)
                std::swap(all[i], all[i + setup.below(span_ - i)]);
            positions_.assign(all.begin(), all.begin() + count);
        } else {
            // Sparse: draw, sort, drop duplicates, top up (few rounds: duplicates are rare).
            while (static_cast<Index>(positions_.size()) < count) {
                const Index missing = count - static_cast<Index>(positions_.size());
                for (Index i = 0; i < missing; ++i)
                    positions_.push_back(setup.below(span_));
                std::sort(positions_.begin(), positions_.end());
                positions_.erase(std::unique(positions_.begin(), positions_.end()),
                                 positions_.end());
            }
        }
        std::sort(positions_.begin(), positions_.end());
    }

    void draw_token(Index position, Rng& rng, float* q, float* k, float* v) override {
        draw_query(rng, q);
        if (std::binary_search(positions_.begin(), positions_.end(), position)) {
            const Eigen::VectorXd side = random_orthogonal_unit(rng, mean_query_);
            const double a = dim() > 1 ? alignment_ : 1.0;
            const double b = dim() > 1 ? std::sqrt(std::max(0.0, 1.0 - a * a)) : 0.0;
            for (int i = 0; i < dim(); ++i)
                k[i] = static_cast<float>(radius_ * (a * mean_query_[i] + b * side[i]));
        } else {
            sphere_point(rng, dim(), radius_, k);
        }
        gaussian_point(rng, value_dim(), value_scale_, v);
    }
    void draw_probe(int, Rng& rng, float* q) const override { draw_query(rng, q); }

  private:
    void draw_query(Rng& rng, float* q) const {
        noisy_direction(rng, mean_query_, query_spread_, radius_, q);
    }

    Index hitters_;
    Index span_;
    double alignment_;
    double radius_;
    double query_spread_;
    double value_scale_;
    Eigen::VectorXd mean_query_;
    std::vector<Index> positions_;
};

}  // namespace

SourceInfo heavy_hitters_source_info() {
    SourceInfo info;
    info.id = "heavy_hitters";
    info.name = "Heavy hitters";
    info.summary =
        "A few tokens whose keys align with the mean query direction take much of the "
        "attention. H2O excels; uniform sampling misses them.";
    info.params = {
        ParamSpec::integer("dim", "Dimension d", "Key, query and value dimension.", 1, 1024, 16),
        ParamSpec::integer("hitters", "Heavy hitters", "Number of heavy-hitter tokens.", 0, 1e5, 8),
        ParamSpec::integer("span", "Hitter span",
                           "Hitter positions are distinct, uniformly random in [0, span).", 1, 1e9,
                           4096, true),
        ParamSpec::real("alignment", "Alignment",
                        "Cosine between a hitter's key and the mean query direction.", 0, 1, 0.95),
        ParamSpec::real("radius", "Radius r",
                        "Norm of every key and query; B = beta r^2 (9 at the defaults, d = 16).", 0,
                        1000, 6.0),
        ParamSpec::real("query_spread", "Query spread",
                        "Queries are r normalize(mu + spread w), w a random unit vector; 0 makes "
                        "every query equal to r mu.",
                        0, 100, 0.5),
        ParamSpec::real("value_scale", "Value scale",
                        "Standard deviation of each value coordinate.", 0, 1e6, 1.0),
    };
    info.make = [](const SourceContext& c) { return std::make_unique<HeavyHittersSource>(c); };
    return info;
}

}  // namespace kvscope
