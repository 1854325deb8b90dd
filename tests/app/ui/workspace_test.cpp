// The workspace: every registered panel laid out headless (no GL) for empty, one-token,
// 100,000-token and failed snapshots, with and without the UI; the Sketch internals tabs follow
// the selected sketch; typed access to a panel's state; the panel registry.
#include "ui/workspace.hpp"

#include <gtest/gtest.h>
#include <imgui.h>

#include <limits>
#include <set>

#include "app/app_test_support.hpp"
#include "ui/bucket_panel.hpp"
#include "ui/embedding_panel.hpp"

namespace kvscope {
namespace {

using test::edit_view;
using test::many_buckets;
using test::synthetic_snapshot;
using test::taylor_view;

class WorkspaceTest : public test::ImGuiTest {
  protected:
    // Draws the whole window for `frames` frames; returns the last frame's vertices.
    int draw(const Snapshot& snap, int frames = 3, bool with_ui = true) {
        int vertices = 0;
        for (int f = 0; f < frames; ++f) {
            ImGui::GetIO().MousePos = ImVec2(700.0f + 10 * f, 200.0f);  // hover the views
            ImGui::NewFrame();
            workspace_.draw(snap, 1600, 900, with_ui);
            ImGui::Render();
            vertices = ImGui::GetDrawData()->TotalVtxCount;
        }
        return vertices;
    }
    ui::Workspace workspace_;
};

TEST(PanelRegistry, KeysAreUniqueAndEveryPlaceOfTheLayoutIsFilled) {
    std::set<std::string> keys;
    std::set<ui::Place> places;
    for (const ui::PanelInfo& p : ui::builtin_panels()) {
        EXPECT_TRUE(keys.insert(p.key).second) << p.key;
        EXPECT_FALSE(p.title.empty()) << p.key;
        EXPECT_FALSE(p.help.empty()) << p.key;
        ASSERT_TRUE(p.make) << p.key;
        EXPECT_TRUE(p.make()) << p.key;
        places.insert(p.place);
    }
    EXPECT_EQ(places.size(), 8u);  // Place::Lesson included
    const ui::Workspace w;
    EXPECT_EQ(w.keys(ui::Place::Internals),
              (std::vector<std::string>{"coreset", "buckets", "polynomial"}));
}

TEST_F(WorkspaceTest, EmptyOneTokenAndHundredThousandTokens) {
    Snapshot empty;
    EXPECT_GT(draw(empty), 0);
    EXPECT_TRUE(workspace_.sink.commands.empty());
    for (Index n : {Index{1}, Index{100000}}) {
        const Snapshot snap = test::runner_snapshot(test::small_config(n), n);
        ASSERT_EQ(snap.tokens_seen, n);
        workspace_.selection.sketch = 0;  // exact: 100,000 retained tokens on the timeline
        EXPECT_GT(draw(snap), 1000) << n;
        workspace_.selection.sketch = 2;
        EXPECT_GT(draw(snap), 1000) << n;
        EXPECT_GT(draw(snap, 2, false), 1000) << n;  // views only
    }
    EXPECT_TRUE(workspace_.sink.commands.empty());
}

TEST_F(WorkspaceTest, ErrorStateAndNaNMetricsAreShown) {
    Snapshot snap = test::runner_snapshot(test::small_config(500), 500);
    snap.error = "source 'file': keys.npy: truncated file";
    std::vector<MetricRow> rows(snap.history.begin(), snap.history.end());
    for (auto& row : rows)
        row.errors.rel_err_mean = std::numeric_limits<double>::quiet_NaN();
    snap.history = MetricRows(rows);
    workspace_.settings.show_help = true;
    workspace_.settings.show_file_browser = true;
    EXPECT_GT(draw(snap), 0);
}

TEST_F(WorkspaceTest, RealTaylorLshHybridSnapshotsInEveryTab) {
    for (Index n : {Index{1}, Index{3000}, Index{100000}}) {
        const Snapshot snap = test::runner_snapshot(test::algorithms_config(n), n);
        ASSERT_TRUE(snap.error.empty()) << snap.error;
        ASSERT_EQ(snap.sketches.size(), 5u);
        EXPECT_EQ(workspace_.preferred_tab(ui::Place::Internals, *snap.sketches[2].view),
                  "buckets");
        EXPECT_EQ(workspace_.preferred_tab(ui::Place::Internals, *snap.sketches[1].view),
                  "polynomial");
        for (int sel = 0; sel < 5; ++sel) {
            workspace_.selection.sketch = sel;
            EXPECT_GT(draw(snap), 1000) << n << " " << sel;
        }
    }
}

TEST_F(WorkspaceTest, TabFollowsTheSelectionButTheUserMaySwitch) {
    Snapshot snap = synthetic_snapshot(3);
    edit_view(snap.sketches[1]).buckets = many_buckets(4);
    edit_view(snap.sketches[2]).taylor = taylor_view(2);
    const ui::Place internals = ui::Place::Internals;
    EXPECT_EQ(workspace_.preferred_tab(internals, *snap.sketches[0].view), "coreset");
    EXPECT_EQ(workspace_.preferred_tab(internals, *snap.sketches[1].view), "buckets");
    EXPECT_EQ(workspace_.preferred_tab(internals, *snap.sketches[2].view), "polynomial");
    for (int sel : {1, 2, 0, 2}) {
        workspace_.selection.sketch = sel;
        draw(snap);
        EXPECT_EQ(workspace_.tab(internals),
                  workspace_.preferred_tab(internals, *snap.sketches[sel].view))
            << sel;
    }
    // A later switch by the user sticks while the selection stays.
    EXPECT_TRUE(workspace_.show_tab("coreset", false));
    draw(snap);
    EXPECT_EQ(workspace_.tab(internals), "coreset");
    EXPECT_FALSE(workspace_.show_tab("nope", false));

    // A session's tab is pinned: it wins on the first frame over the sketch's preferred tab.
    ui::Workspace from_session;
    from_session.selection.sketch = 2;
    from_session.show_tab("buckets", true);
    ImGui::NewFrame();
    from_session.draw(snap, 1600, 900, true);
    ImGui::Render();
    ImGui::NewFrame();
    from_session.draw(snap, 1600, 900, true);
    ImGui::Render();
    EXPECT_EQ(from_session.tab(internals), "buckets");
}

TEST(Workspace, TypedAccessToAPanelsState) {
    ui::Workspace w;
    ASSERT_NE(w.state<ui::EmbeddingPanelState>("embedding"), nullptr);
    w.state<ui::EmbeddingPanelState>("embedding")->camera.zoom = 2.0f;
    EXPECT_EQ(w.state<ui::EmbeddingPanelState>("embedding")->camera.zoom, 2.0f);
    EXPECT_EQ(w.state<ui::BucketPanelState>("embedding"), nullptr);  // another panel's type
    EXPECT_EQ(w.state<ui::BucketPanelState>("nope"), nullptr);
    EXPECT_NE(w.state<ui::BucketPanelState>("buckets"), nullptr);
}

}  // namespace
}  // namespace kvscope
