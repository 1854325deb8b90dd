#include "sources/outlier_channels.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace kvscope {

namespace {

class OutlierChannelsSource final : public SyntheticSource {
  public:
    explicit OutlierChannelsSource(const SourceContext& c)
        : SyntheticSource(c, static_cast<int>(c.params.integer("dim")),
                          static_cast<int>(c.params.integer("dim"))),
          outlier_count_(static_cast<int>(
              std::min<long long>(c.params.integer("outlier_count"), c.params.integer("dim")))),
          outlier_scale_(c.params.number("outlier_scale")),
          bias_(c.params.number("bias")),
          radius_(c.params.number("radius")),
          value_scale_(c.params.number("value_scale")) {
        initialise();
    }

  protected:
    void on_reset(Rng& setup) override {
        // A random subset of channels, each with a fixed sign for its constant part.
        std::vector<int> channels(dim());
        for (int i = 0; i < dim(); ++i)
            channels[i] = i;
        for (int i = 0; i < outlier_count_; ++i)
            std::swap(channels[i], channels[i + setup.below(dim() - i)]);
        scale_.assign(dim(), 1.0);
        sign_.assign(dim(), 0.0);
        for (int i = 0; i < outlier_count_; ++i) {
            scale_[channels[i]] = outlier_scale_;
            sign_[channels[i]] = setup.coin() ? 1.0 : -1.0;
        }
    }

    void draw_token(Index, Rng& rng, float* q, float* k, float* v) override {
        const double sigma = radius_ / std::sqrt(static_cast<double>(dim()));
        gaussian_point(rng, dim(), sigma, q);
        const double varying = std::sqrt(std::max(0.0, 1.0 - bias_ * bias_));
        for (int i = 0; i < dim(); ++i) {
            const double g = rng.normal();
            const double x = sign_[i] != 0.0 ? bias_ * sign_[i] + varying * g : g;
            k[i] = static_cast<float>(sigma * scale_[i] * x);
        }
        gaussian_point(rng, value_dim(), value_scale_, v);
    }
    void draw_probe(int, Rng& rng, float* q) const override {
        gaussian_point(rng, dim(), radius_ / std::sqrt(static_cast<double>(dim())), q);
    }

  private:
    int outlier_count_;
    double outlier_scale_;
    double bias_;
    double radius_;
    double value_scale_;
    std::vector<double> scale_;
    std::vector<double> sign_;
};

}  // namespace

SourceInfo outlier_channels_source_info() {
    SourceInfo info;
    info.id = "outlier_channels";
    info.name = "Outlier channels";
    info.summary =
        "A few key channels, the same for every token, are an order of magnitude larger: "
        "per-channel quantization wins, and ||k|| (so B) inflates unless recentered.";
    info.params = {
        ParamSpec::integer("dim", "Dimension d", "Key, query and value dimension.", 1, 1024, 16),
        ParamSpec::integer("outlier_count", "Outlier channels",
                           "Number of outlier key channels (at most dim), chosen at random.", 0,
                           1024, 2),
        ParamSpec::real("outlier_scale", "Outlier scale",
                        "RMS of an outlier channel relative to an ordinary channel.", 1, 1e4, 10.0,
                        true),
        ParamSpec::real("bias", "Constant share",
                        "Share of an outlier channel that is a constant offset of fixed sign "
                        "(cancels under recentering); the rest varies per token.",
                        0, 1, 0.9),
        ParamSpec::real("radius", "Radius r",
                        "Typical norm of queries and of keys without outliers (per-coordinate "
                        "std r/sqrt(d)).",
                        0, 1000, 4.0),
        ParamSpec::real("value_scale", "Value scale",
                        "Standard deviation of each value coordinate.", 0, 1e6, 1.0),
    };
    info.make = [](const SourceContext& c) { return std::make_unique<OutlierChannelsSource>(c); };
    return info;
}

}  // namespace kvscope
