// Headless ImGui tests (no GL, no window): every panel drawn for several frames from synthetic
// and real snapshots: empty, one token, 100,000 tokens, an error state, and views with a merge
// tree and a walk trace. ImGui's own assertions (unbalanced Begin/End, ID stack) abort on misuse.
#include <gtest/gtest.h>
#include <imgui.h>

#include <cmath>
#include <limits>

#include "imgui_test_context.hpp"
#include "session/runner.hpp"
#include "snapshot_edit.hpp"
#include "ui/panels.hpp"
#include "ui/plot.hpp"

namespace kvscope {
namespace {

class Panels : public ImGuiTest {
  protected:
    // Draws every panel for `frames` frames; returns the vertices ImGui produced last frame.
    int draw_all(const Snapshot& snap, ui::UiState& ui, int frames = 3) {
        int vertices = 0;
        for (int f = 0; f < frames; ++f) {
            ImGui::GetIO().MousePos = ImVec2(700.0f + 10 * f, 200.0f);  // hover the plots
            ImGui::NewFrame();
            for (auto [name, fn] : {std::pair{"Controls", &ui::draw_controls_panel},
                                    std::pair{"Sketches", &ui::draw_sketches_panel},
                                    std::pair{"Error", &ui::draw_error_panel},
                                    std::pair{"Embedding", &ui::draw_embedding_panel},
                                    std::pair{"Coreset", &ui::draw_coreset_panel}}) {
                ImGui::SetNextWindowSize(ImVec2(600, 800));
                ImGui::Begin(name);
                fn(snap, ui);
                ImGui::End();
            }
            ImGui::Begin("Status");
            ui::draw_status_line(snap, ui);
            ImGui::End();
            ui.show_help = true;
            ui::draw_help_overlay(ui);
            ImGui::Render();
            vertices = ImGui::GetDrawData()->TotalVtxCount;
        }
        return vertices;
    }
};

RunConfig config(Index tokens) {
    return parse_run_config(
        nlohmann::json{{"schema_version", 1},
                       {"tokens", tokens},
                       {"eval_every", std::max<Index>(1, tokens / 4)},
                       {"probe_queries", 8},
                       {"source", {{"id", "isotropic_ball"}, {"params", {{"dim", 4}}}}},
                       {"sketches",
                        {{{"id", "exact"}},
                         {{"id", "uniform"}, {"params", {{"budget", 64}}}},
                         {{"id", "uniform_halving"}, {"params", {{"budget", 64}}}}}}},
        "");
}

Snapshot snapshot_after(Index tokens) {
    Runner runner(config(std::max<Index>(tokens, 1)));
    if (tokens > 0) {
        runner.send(command::Step{tokens});
        runner.wait_idle();
    }
    return *runner.snapshot();
}

TEST_F(Panels, EmptySnapshot) {
    Snapshot empty;
    ui::UiState ui;
    EXPECT_GT(draw_all(empty, ui), 0);
    EXPECT_TRUE(ui.commands.empty());
}

TEST_F(Panels, OneTokenAndHundredThousandTokens) {
    for (Index n : {Index{1}, Index{100000}}) {
        const Snapshot snap = snapshot_after(n);
        ASSERT_EQ(snap.tokens_seen, n);
        ui::UiState ui;
        ui.selected_sketch = 0;  // exact: 100,000 retained tokens on the timeline
        EXPECT_GT(draw_all(snap, ui), 1000) << n;
        ui.selected_sketch = 2;
        EXPECT_GT(draw_all(snap, ui), 1000) << n;
    }
}

TEST_F(Panels, ErrorStateAndNaNMetricsAreShown) {
    Snapshot snap = snapshot_after(500);
    snap.error = "source 'file': keys.npy: truncated file";
    std::vector<MetricRow> rows(snap.history.begin(), snap.history.end());
    for (auto& row : rows)
        row.errors.rel_err_mean = std::numeric_limits<double>::quiet_NaN();
    snap.history = MetricRows(rows);
    ui::UiState ui;
    EXPECT_GT(draw_all(snap, ui), 0);
}

TEST_F(Panels, MergeTreeAndWalkViews) {
    Snapshot snap = snapshot_after(300);
    SketchView& v = edit_view(snap.sketches[1]);
    MergeTreeView tree;
    tree.buffer_capacity = 64;
    tree.buffer_size = 10;
    tree.levels = {{1, 32, 32, 2.0}, {2, 32, 0, 4.0}, {3, 32, 32, 8.0}};
    tree.recent_carries = {{256, 1, 2}};
    v.merge_tree = tree;
    WalkTrace walk;
    for (int i = 0; i < 64; ++i)
        walk.steps.push_back({std::sin(i * 0.3), 0.5 - 0.1 * std::sin(i * 0.3), i % 2 ? 1 : -1});
    v.walk = walk;
    v.scalars = {{"fail_events", 0}};
    v.tag_meaning = "merge level";
    ui::UiState ui;
    ui.selected_sketch = 1;
    EXPECT_GT(draw_all(snap, ui), 0);
}

// The embedding panel alone, in a fixed window, with the mouse at `mouse`.
void draw_embedding(const Snapshot& snap, ui::UiState& ui, ImVec2 mouse, int frames = 3) {
    for (int f = 0; f < frames; ++f) {
        ImGui::GetIO().MousePos = mouse;
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(ImVec2(800, 600));
        ImGui::Begin("Embedding");
        ui::draw_embedding_panel(snap, ui);
        ImGui::End();
        ImGui::Render();
    }
}

TEST_F(Panels, EmbeddingViewEmptyAndOneToken) {
    ui::UiState ui;
    Snapshot empty;
    draw_embedding(empty, ui, ImVec2(400, 300));
    EXPECT_FALSE(ui.embedding.scene.active);
    empty.embedding.reset();  // a snapshot without embedding data is drawn too
    draw_embedding(empty, ui, ImVec2(400, 300));
    const Snapshot one = snapshot_after(1);
    draw_embedding(one, ui, ImVec2(400, 300));
    EXPECT_TRUE(ui.embedding.scene.active);
    EXPECT_EQ(ui.embedding.scene.count, 1);
}

TEST_F(Panels, EmbeddingViewHundredThousandPointsEveryModeAndHover) {
    const Snapshot snap = snapshot_after(100000);
    ASSERT_EQ(snap.embedding->count, 100000);
    ui::UiState ui;
    for (int sketch : {0, 2}) {
        ui.selected_sketch = sketch;
        for (int mode = 0; mode < static_cast<int>(ui::EmbedColour::Count); ++mode) {
            ui.embedding.colour_by = static_cast<ui::EmbedColour>(mode);
            for (bool three : {false, true}) {
                ui.embedding.three_d = three;
                draw_embedding(snap, ui, ImVec2(400, 330), 2);
                const gfx::EmbeddingScene& sc = ui.embedding.scene;
                ASSERT_TRUE(sc.active);
                EXPECT_EQ(sc.count, 100000);
                EXPECT_EQ(sc.colours.size(), 100000u);
                EXPECT_EQ(sc.styles.size(), 200000u);
                EXPECT_EQ(sc.three_d, three);
                EXPECT_GT(sc.width, 100);
            }
        }
    }
    // 2-D with the field: binned exact entries and the sketch's stored keys.
    ui.embedding.three_d = false;
    ui.embedding.field = true;
    ui.selected_sketch = 1;  // uniform, budget 64
    draw_embedding(snap, ui, ImVec2(400, 330));
    const gfx::EmbeddingScene& sc = ui.embedding.scene;
    EXPECT_TRUE(sc.field);
    EXPECT_GT(sc.field_exact.size(), 4u * 100);
    EXPECT_LE(sc.field_exact.size(), 4u * 32 * 32);
    EXPECT_EQ(sc.field_sketch.size(), 4u * 64);
    // Hovering the middle of the cloud picks a token and publishes it to the other panels.
    EXPECT_GE(ui.hovered_token, 0);
    EXPECT_LT(ui.hovered_token, 100000);
    draw_all(snap, ui);  // the coreset timeline marks it
    // The exact sketch keeps 100,000 tokens: its field entries are binned like the cache's.
    ui.selected_sketch = 0;
    draw_embedding(snap, ui, ImVec2(400, 330));
    EXPECT_TRUE(ui.embedding.field_sketch_binned);
    EXPECT_EQ(ui.embedding.scene.field_sketch, ui.embedding.scene.field_exact);
    // Moving away clears it.
    draw_embedding(snap, ui, ImVec2(-100, -100));
    EXPECT_EQ(ui.hovered_token, -1);
    // The refit button is there; a refit command is only sent when it is clicked.
    EXPECT_TRUE(ui.commands.empty());
}

TEST_F(Panels, EmbeddingViewShowsBucketsAndStoredVectors) {
    Snapshot snap = snapshot_after(2000);
    SketchView& v = edit_view(snap.sketches[1]);
    BucketView b;
    b.ids = {0, 1, 2, 3};
    b.counts = {500, 500, 500, 500};
    for (int i = 0; i < 2000; ++i)
        b.bucket_of_token.push_back(i % 4);
    b.hyperplanes = Matrix::Random(2, 4);
    b.family = "simhash";
    v.buckets = b;
    // Two synthetic stored vectors (position -1).
    v.stored_keys = Matrix::Random(2, 4);
    v.retained.push_back({-1, 3.0, 3.0, 0});
    v.retained.push_back({-1, 1.0, 1.0, 0});
    ui::UiState ui;
    ui.selected_sketch = 1;
    ui.embedding.colour_by = ui::EmbedColour::Bucket;
    draw_embedding(snap, ui, ImVec2(400, 330));
    EXPECT_EQ(ui.embedding.scene.extra_colours.size(), 2u);
    EXPECT_EQ(ui.embedding.scene.extra_xyz.size(), 6u);
    EXPECT_EQ(ui.embedding.scene.field_sketch.size(), 4u * (64 + 2));
}

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

}  // namespace
}  // namespace kvscope
