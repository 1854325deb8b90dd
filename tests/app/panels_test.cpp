// Headless ImGui tests (no GL, no window): every panel drawn for several frames from synthetic
// and real snapshots: empty, one token, 100,000 tokens, an error state, and views with a merge
// tree and a walk trace. ImGui's own assertions (unbalanced Begin/End, ID stack) abort on misuse.
#include <gtest/gtest.h>
#include <imgui.h>

#include <cmath>
#include <limits>

#include "session/runner.hpp"
#include "ui/panels.hpp"
#include "ui/plot.hpp"

namespace kvscope {
namespace {

class Panels : public ::testing::Test {
  protected:
    void SetUp() override {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(1600, 900);
        io.DeltaTime = 1.0f / 60.0f;
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    }
    void TearDown() override { ImGui::DestroyContext(); }

    // Draws every panel for `frames` frames; returns the vertices ImGui produced last frame.
    int draw_all(const Snapshot& snap, ui::UiState& ui, int frames = 3) {
        int vertices = 0;
        for (int f = 0; f < frames; ++f) {
            ImGui::GetIO().MousePos = ImVec2(700.0f + 10 * f, 200.0f);  // hover the plots
            ImGui::NewFrame();
            for (auto [name, fn] : {std::pair{"Controls", &ui::draw_controls_panel},
                                    std::pair{"Sketches", &ui::draw_sketches_panel},
                                    std::pair{"Error", &ui::draw_error_panel},
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
    for (auto& row : snap.history)
        row.errors.rel_err_mean = std::numeric_limits<double>::quiet_NaN();
    ui::UiState ui;
    EXPECT_GT(draw_all(snap, ui), 0);
}

TEST_F(Panels, MergeTreeAndWalkViews) {
    Snapshot snap = snapshot_after(300);
    SketchView& v = snap.sketches[1].view;
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

TEST(Plot, DecimationKeepsLongSeriesBounded) {
    EXPECT_EQ(ui::decimated_size(100, 500.0f), 100);
    EXPECT_EQ(ui::decimated_size(1'000'000, 500.0f), 1000);
}

}  // namespace
}  // namespace kvscope
