// The plot widget (ui/plot.hpp): legend placement and decimation.
#include "ui/plot.hpp"

#include <gtest/gtest.h>
#include <imgui.h>

#include <string>
#include <utility>
#include <vector>

#include "app/app_test_support.hpp"

namespace kvscope {
namespace {

using test::ImGuiTest;

// Draws one 360 x 260 plot with `points` as a scatter series and `extra` more labelled series,
// and returns its layout.
ui::PlotLayout draw_scatter_plot(const std::vector<std::pair<double, double>>& points, int extra) {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(400, 320));
    ImGui::Begin("plot");
    ui::PlotState state;
    if (ui::begin_plot("p", state, ImVec2(360, 260), "x", "y")) {
        std::vector<double> xs, ys;
        for (const auto& [x, y] : points) {
            xs.push_back(x);
            ys.push_back(y);
        }
        ui::plot_scatter("data", xs.data(), ys.data(), static_cast<int>(xs.size()),
                         IM_COL32(255, 0, 0, 255));
        for (int k = 0; k < extra; ++k) {
            const double x[2] = {0.0, 1.0}, y[2] = {0.5, 0.5};
            ui::plot_line(("series number " + std::to_string(k)).c_str(), x, y, 2,
                          IM_COL32(0, 255, 0, 255), ui::LineStyle{1.0f, true, false});
        }
        ui::end_plot();
    }
    ImGui::End();
    ImGui::Render();
    return ui::last_plot_layout();
}

bool inside(ImVec2 p, ImVec2 lo, ImVec2 hi) {
    return p.x >= lo.x && p.x <= hi.x && p.y >= lo.y && p.y <= hi.y;
}

TEST_F(ImGuiTest, PlotLegendStaysInsideWhereItHidesNoDataAndMovesBelowWhereItWould) {
    // Points in the middle only: the legend goes in a corner of the data area.
    const auto middle = draw_scatter_plot({{0.4, 0.4}, {0.5, 0.5}, {0.6, 0.6}}, 4);
    EXPECT_FALSE(middle.legend_below);
    EXPECT_TRUE(inside(middle.legend_min, middle.area_min, middle.area_max));
    EXPECT_TRUE(inside(middle.legend_max, middle.area_min, middle.area_max));
    EXPECT_EQ(middle.legend_shown, 5);
    // Points in all four corners: no corner is free, so the legend moves under the x label
    // and the data area shrinks above it.
    const auto corners =
        draw_scatter_plot({{0, 0}, {0, 1}, {1, 0}, {1, 1}, {0.02, 0.02}, {0.98, 0.98}}, 4);
    EXPECT_TRUE(corners.legend_below);
    EXPECT_GE(corners.legend_min.y, corners.area_max.y);
    EXPECT_LE(corners.legend_max.y, corners.frame_max.y);
    EXPECT_LT(corners.area_max.y, middle.area_max.y);
    EXPECT_GE(corners.legend_shown, 1);
    EXPECT_FALSE(corners.legend_header);
    // Two short entries fit in the y label's row: the legend goes there, above the data area,
    // and the data area keeps its size.
    const auto header = draw_scatter_plot({{0, 0}, {0, 1}, {1, 0}, {1, 1}}, 1);
    EXPECT_TRUE(header.legend_header);
    EXPECT_FALSE(header.legend_below);
    EXPECT_LE(header.legend_max.y, header.area_min.y);
    EXPECT_GE(header.legend_min.y, header.frame_min.y);
    EXPECT_LE(header.legend_max.x, header.frame_max.x);
    EXPECT_EQ(header.area_max.y, middle.area_max.y);
    EXPECT_EQ(header.legend_shown, 2);
}

TEST(Plot, DecimationKeepsLongSeriesBounded) {
    EXPECT_EQ(ui::decimated_size(100, 500.0f), 100);
    EXPECT_EQ(ui::decimated_size(1'000'000, 500.0f), 1000);
}

// A shaded band (h2o's recent window) widens the x range to hold it, takes no part in the y
// fit, and has its legend entry.
TEST_F(ImGuiTest, PlotBandWidensXOnlyAndIsInTheLegend) {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(400, 320));
    ImGui::Begin("plot");
    ui::PlotState state;
    if (ui::begin_plot("p", state, ImVec2(360, 260), "x", "y")) {
        ui::plot_band("window", 10, 20, IM_COL32(0, 0, 255, 255));
        const double x[2] = {0.0, 5.0}, y[2] = {5.0, 6.0};
        ui::plot_line("data", x, y, 2, IM_COL32(255, 0, 0, 255));
        ui::end_plot();
    }
    ImGui::End();
    ImGui::Render();
    EXPECT_LE(state.x_min, 0.0);
    EXPECT_GE(state.x_max, 20.0);
    EXPECT_GT(state.y_min, 4.9);  // the band's placeholder y (0) does not stretch the y range
    EXPECT_LT(state.y_max, 6.1);
    EXPECT_EQ(ui::last_plot_layout().legend_shown, 2);
}

}  // namespace
}  // namespace kvscope
