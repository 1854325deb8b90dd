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

// Draws a plot `size` (times `scale`) with the UI font at `scale` (a 2x screenshot's frame):
// the error-vs-tokens shape of the shipped configs (x 0..4000, log y 1e-4..1e-2) and `labels`
// as legend entries of lines crossing the whole area (no corner is free).
ui::PlotLayout draw_scaled_plot(float scale, ImVec2 size, const std::vector<std::string>& labels) {
    ImGui::GetIO().FontGlobalScale = scale;
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(1600, 900));
    ImGui::Begin("plot");
    ui::PlotState state;
    state.log_y = true;
    if (ui::begin_plot("p", state, ImVec2(size.x * scale, size.y * scale), "tokens seen",
                       "eps_fro")) {
        const double x[4] = {0, 1000, 3000, 4000};
        for (std::size_t k = 0; k < labels.size(); ++k) {
            const double f = static_cast<double>(k) / static_cast<double>(labels.size());
            const double y[4] = {1e-2, 1e-4 + f * 1e-3, 1e-2 * (1 - f) + 1e-4, 1e-4};
            ui::plot_line(labels[k].c_str(), x, y, 4, IM_COL32(0, 200, 0, 255));
        }
        ui::end_plot();
    }
    ImGui::End();
    ImGui::Render();
    ImGui::GetIO().FontGlobalScale = 1;
    return ui::last_plot_layout();
}

bool overlap(const ImVec4& a, const ImVec4& b) {
    return a.x < b.z && b.x < a.z && a.y < b.w && b.y < a.w;
}

// Regression (screenshots of every shipped config, issue 12 item 3): the last x tick label
// ("4000") was cut by the frame's right edge because the margins were fixed, not measured; at
// 2x the legend band squeezed the data area to a strip with one y label. Tick labels now stay
// inside the frame, never overlap, and each axis keeps at least two, at 1x and at 2x.
TEST_F(ImGuiTest, PlotTickLabelsStayInsideTheFrameAndApartAtOneAndTwoTimesScale) {
    for (const float scale : {1.0f, 2.0f}) {
        SCOPED_TRACE(scale);
        const auto L = draw_scaled_plot(scale, ImVec2(260, 170), {"uniform", "h2o"});
        int x_labels = 0, y_labels = 0;
        for (std::size_t i = 0; i < L.tick_labels.size(); ++i) {
            const ImVec4& r = L.tick_labels[i];
            EXPECT_GE(r.x, L.frame_min.x);
            EXPECT_LE(r.z, L.frame_max.x);
            EXPECT_GE(r.y, L.frame_min.y);
            EXPECT_LE(r.w, L.frame_max.y);
            (r.y >= L.area_max.y ? x_labels : y_labels) += 1;
            for (std::size_t j = 0; j < i; ++j)
                EXPECT_FALSE(overlap(r, L.tick_labels[j])) << i << " and " << j;
        }
        EXPECT_GE(x_labels, 3);
        EXPECT_GE(y_labels, 2);
        // The data area keeps its proportion of the frame at 2x (fixed pixel margins and the
        // 80 px floor did not scale).
        EXPECT_GT(L.area_max.y - L.area_min.y, 0.4f * (L.frame_max.y - L.frame_min.y));
    }
}

// Regression (hybrid_vs_balance_kv.json at 1x): legend entries wider than the data area were
// cut only to the frame's width, so the corner column spilled over the y tick labels. When it
// has to sit in a corner, the column now stays inside the data area, at 1x and 2x; an entry is
// cut in its name, so the fitted slope after two spaces stays readable (it was cut to "slope -…").
TEST_F(ImGuiTest, PlotCornerLegendStaysInsideTheDataAreaWhenEntriesAreLong) {
    const std::vector<std::string> labels = {
        "balance_kv batch=16...128 algorithm=paper temperature=1  slope -0.52 [-0.60, -0.44]",
        "hybrid budget=54...561 batch=64 bits=2 recenter=mean  slope -0.91 [-1.02, -0.80]",
        "uniform budget=64...512 keep=random seed=3 mode=paper  slope -0.48 [-0.55, -0.41]"};
    for (const float scale : {1.0f, 2.0f}) {
        SCOPED_TRACE(scale);
        const auto L = draw_scaled_plot(scale, ImVec2(360, 150), labels);
        ASSERT_FALSE(L.legend_below);
        ASSERT_FALSE(L.legend_header);
        EXPECT_GE(L.legend_min.x, L.area_min.x);
        EXPECT_LE(L.legend_max.x, L.area_max.x);
        ASSERT_GE(L.legend_text.size(), 1u);
        for (const std::string& text : L.legend_text) {
            EXPECT_NE(text.find("…  slope -"), std::string::npos) << text;
            EXPECT_EQ(text.back(), ']') << text;
        }
        for (const ImVec4& r : L.tick_labels)
            EXPECT_FALSE(
                overlap(r, ImVec4(L.legend_min.x, L.legend_min.y, L.legend_max.x, L.legend_max.y)));
    }
}

// Regression (default.json and most configs at 1x): twelve entries needed four rows under the
// x label, which would leave the data area under 80 px, so the legend fell back to a corner
// column over the lines. It now takes the rows that fit and folds the rest into "+k more".
TEST_F(ImGuiTest, PlotLegendBelowTakesFewerRowsRatherThanCoverTheData) {
    std::vector<std::string> labels;
    for (int k = 0; k < 12; ++k)
        labels.push_back("sketch number " + std::to_string(k));
    for (const float scale : {1.0f, 2.0f}) {
        SCOPED_TRACE(scale);
        const auto L = draw_scaled_plot(scale, ImVec2(360, 200), labels);
        EXPECT_TRUE(L.legend_below);
        EXPECT_GE(L.legend_min.y, L.area_max.y);
        EXPECT_LE(L.legend_max.y, L.frame_max.y);
        EXPECT_GE(L.legend_shown, 2);
        EXPECT_LT(L.legend_shown, 12);
        EXPECT_GE(L.area_max.y - L.area_min.y, 80 * scale);
    }
}

}  // namespace
}  // namespace kvscope
