// The palette (scene/palette.hpp) is plain code; it must give exactly the colours ImGui's own
// conversions gave, since panels and the GL renderer both use them.
#include "scene/palette.hpp"

#include <gtest/gtest.h>
#include <imgui.h>

#include <cmath>

namespace kvscope {
namespace {

TEST(Palette, PackingMatchesImGui) {
    EXPECT_EQ(scene::rgba(1, 2, 3, 4), IM_COL32(1, 2, 3, 4));
    EXPECT_EQ(scene::rgba(255, 0, 128), IM_COL32(255, 0, 128, 255));
    for (float a : {-0.5f, 0.0f, 0.1f, 0.333f, 0.5f, 0.9999f, 1.0f, 2.0f}) {
        for (float b : {0.0f, 0.0039f, 0.002f, 0.7f, 1.0f}) {
            EXPECT_EQ(scene::rgba_from_unit(a, b, 1 - b, a),
                      ImGui::ColorConvertFloat4ToU32(ImVec4(a, b, 1 - b, a)))
                << a << " " << b;
        }
    }
}

// ImGui's conversions, as the palette used them before it became plain code.
ImU32 imgui_bucket_colour(int id, float alpha) {
    if (id < 0) return IM_COL32(110, 110, 110, static_cast<int>(alpha * 255));
    ImVec4 c = ImGui::ColorConvertU32ToFloat4(scene::category_colour(id % 8, alpha));
    const int shade = (id / 8) % 3;
    for (float* v : {&c.x, &c.y, &c.z}) {
        if (shade == 1) *v = *v + (1.0f - *v) * 0.45f;
        if (shade == 2) *v = *v * 0.55f;
    }
    return ImGui::ColorConvertFloat4ToU32(c);
}

TEST(Palette, CategoryBucketAndViridisColours) {
    EXPECT_EQ(scene::category_colour(0), IM_COL32(230, 159, 0, 255));
    EXPECT_EQ(scene::category_colour(8), scene::category_colour(0));
    EXPECT_EQ(scene::category_colour(-1), scene::category_colour(7));
    EXPECT_EQ(scene::category_colour(1, 0.5f), IM_COL32(86, 180, 233, 127));
    for (int id = -2; id < 60; ++id) {
        for (float alpha : {1.0f, 0.55f}) {
            EXPECT_EQ(scene::bucket_colour(id, alpha), imgui_bucket_colour(id, alpha)) << id;
        }
    }
    EXPECT_NE(scene::bucket_colour(1), scene::bucket_colour(9));   // lighter
    EXPECT_NE(scene::bucket_colour(9), scene::bucket_colour(17));  // darker
    EXPECT_EQ(scene::bucket_colour(1), scene::bucket_colour(25));  // cycles every 24
    EXPECT_EQ(scene::viridis(0.0f),
              ImGui::ColorConvertFloat4ToU32(ImVec4(0.267f, 0.005f, 0.329f, 1)));
    EXPECT_EQ(scene::viridis(1.0f),
              ImGui::ColorConvertFloat4ToU32(ImVec4(0.993f, 0.906f, 0.144f, 1)));
    EXPECT_EQ(scene::viridis(-3.0f), scene::viridis(0.0f));
    EXPECT_EQ(scene::viridis(std::nanf("")), scene::viridis(0.0f));
    EXPECT_EQ(scene::viridis(0.5f, 0.8f) >> 24, 204u);
}

}  // namespace
}  // namespace kvscope
