// Family colours (app/figure/colour.hpp): one hue per family, lightness ordered by rank, and
// contrast with the ground.
#include "figure/colour.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace kvscope::figure {
namespace {

double hue_distance(double a, double b) {
    double d = std::fmod(std::abs(a - b), 2 * std::numbers::pi);
    return std::min(d, 2 * std::numbers::pi - d);
}

TEST(Colour, RampKeepsTheHueAndOrdersLightnessAwayFromTheGround) {
    const Rgba white = rgba(255, 255, 255), black = rgba(0, 0, 0);
    for (int hue = 0; hue < kHueCount; ++hue) {
        if (to_lch(category_colour(hue)).C < 0.03) continue;  // the grey hue has no angle
        for (Rgba ground : {white, black}) {
            const int n = 7;
            double prev_l = to_lch(ground).L > 0.5 ? 2.0 : -1.0;
            const double base_h = to_lch(category_colour(hue)).h;
            for (int r = 0; r < n; ++r) {
                const Lch c = to_lch(ramp_colour(hue, r, n, ground));
                EXPECT_LT(hue_distance(c.h, base_h), 0.35) << "hue " << hue << " rank " << r;
                if (to_lch(ground).L > 0.5)
                    EXPECT_LT(c.L, prev_l) << "on white, larger ranks are darker";
                else
                    EXPECT_GT(c.L, prev_l) << "on black, larger ranks are lighter";
                prev_l = c.L;
            }
        }
    }
}

TEST(Colour, RampMembersStayVisibleOnTheGround) {
    for (Rgba ground : {rgba(255, 255, 255), rgba(30, 30, 34)})
        for (int hue = 0; hue < kHueCount; ++hue)
            for (int r = 0; r < 5; ++r)
                EXPECT_GE(contrast_ratio(ramp_colour(hue, r, 5, ground), ground), 1.5)
                    << "hue " << hue << " rank " << r;
}

TEST(Colour, FamilyOfOneKeepsContrast) {
    const Rgba white = rgba(255, 255, 255);
    // Okabe-Ito yellow is too light on white by itself.
    for (int hue = 0; hue < kHueCount; ++hue)
        EXPECT_GE(contrast_ratio(ramp_colour(hue, 0, 1, white), white), 2.45) << hue;
}

TEST(Colour, PackingAndBlending) {
    const Rgba c = rgba(10, 20, 30, 40);
    EXPECT_EQ(red(c), 10);
    EXPECT_EQ(green(c), 20);
    EXPECT_EQ(blue(c), 30);
    EXPECT_EQ(alpha(c), 40);
    EXPECT_EQ(blend(rgba(255, 0, 0, 255), rgba(0, 0, 255)), rgba(255, 0, 0));
    EXPECT_NEAR(contrast_ratio(rgba(0, 0, 0), rgba(255, 255, 255)), 21.0, 1e-9);
}

}  // namespace
}  // namespace kvscope::figure
