// The Coreset tab drawn headless: the exact cache's 100,000 retained tokens on the timeline, a
// merge tree with carries, a walk trace, scalars, and a marked hovered token.
#include "ui/coreset_panel.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "app/app_test_support.hpp"
#include "ui/widgets.hpp"

namespace kvscope {
namespace {

class CoresetPanel : public test::ImGuiTest {
  protected:
    int draw(const Snapshot& snap, ui::CoresetPanelState& state, int frames = 3) {
        ui::PanelContext ctx = ui_.context(snap);
        return test::draw_frames([&] { ui::draw_coreset_panel(state, ctx); }, frames);
    }
    test::PanelHarness ui_;
};

TEST_F(CoresetPanel, TimelineOfAHundredThousandTokensWithTheHoveredOneMarked) {
    const Snapshot snap = test::runner_snapshot(test::small_config(100000), 100000);
    ui::CoresetPanelState state;
    ui_.selection.sketch = 0;  // exact: every token retained
    ui_.selection.hovered_token = 50000;
    EXPECT_GT(draw(snap, state), 1000);
    ui_.selection.sketch = 2;
    EXPECT_GT(draw(snap, state), 1000);
    EXPECT_TRUE(ui_.sink.commands.empty());
}

TEST_F(CoresetPanel, MergeTreeWalkAndScalars) {
    Snapshot snap = test::runner_snapshot(test::small_config(300), 300);
    SketchView& v = test::edit_view(snap.sketches[1]);
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
    ui::CoresetPanelState state;
    ui_.selection.sketch = 1;
    EXPECT_GT(draw(snap, state), 0);
    Snapshot empty;
    EXPECT_GT(draw(empty, state), 0);
}

// Issue 12 item 7: p(+1) and the bias shared one y axis, so the bias's range (here +-5) left
// p(+1), which moves within 0.48..0.52, a flat line. Each now has its own plot and axis.
TEST_F(CoresetPanel, WalkGivesProbabilityAndBiasTheirOwnAxes) {
    Snapshot snap = test::runner_snapshot(test::small_config(300), 300);
    SketchView& v = test::edit_view(snap.sketches[1]);
    WalkTrace walk;
    for (int i = 0; i < 64; ++i)
        walk.steps.push_back({5 * std::sin(i * 0.3), 0.5 - 0.02 * std::sin(i * 0.3), 1});
    v.walk = walk;
    ui::CoresetPanelState state;
    ui_.selection.sketch = 1;
    EXPECT_GT(draw(snap, state), 0);
    EXPECT_GT(state.walk.y_min, 0.4);  // p(+1)'s axis fits p(+1): its 4 % swing fills it
    EXPECT_LT(state.walk.y_max, 0.6);
    EXPECT_LT(state.walk_bias.y_min, -4.9);  // the bias has an axis of its own
    EXPECT_GT(state.walk_bias.y_max, 4.9);
    EXPECT_EQ(state.walk.x_min, state.walk_bias.x_min);  // stacked on the same steps
    EXPECT_EQ(state.walk.x_max, state.walk_bias.x_max);
}

// Issue 12 item 7: moment sketches said "0 stored" and the embedding greyed every point as
// evicted; both now say what the sketch keeps instead (ui::summary_note).
TEST_F(CoresetPanel, MomentSketchesSayTheyKeepNoTokens) {
    const Snapshot snap = test::runner_snapshot(test::algorithms_config(512), 512);
    ASSERT_EQ(snap.sketches[1].spec.id, "taylor");
    const std::string taylor = ui::summary_note(snap, snap.sketches[1]);
    EXPECT_EQ(taylor.substr(0, 6), "taylor");
    EXPECT_NE(taylor.find("keeps no tokens (moments only)"), std::string::npos) << taylor;
    EXPECT_EQ(ui::summary_note(snap, snap.sketches[4]),
              "");  // uniform: its other tokens are evicted
    EXPECT_EQ(ui::summary_note(snap, snap.sketches[0]), "");  // exact
    ASSERT_EQ(snap.sketches[3].spec.id, "hybrid");
    const std::string hybrid = ui::summary_note(snap, snap.sketches[3]);
    EXPECT_NE(hybrid.find("not evicted"), std::string::npos) << hybrid;
    // The tab draws the note in place of the timeline; a subset sketch draws its timeline.
    ui::CoresetPanelState state;
    ui_.selection.sketch = 1;
    const int moments = draw(snap, state);
    EXPECT_GT(moments, 4 * static_cast<int>(taylor.size()) / 2);
    ui_.selection.sketch = 4;
    EXPECT_GT(draw(snap, state), moments);
}

// Lesson 12 step 4: kivi keeps every token quantized, and the note said "every other token is
// in its summary" while there was no other token.
TEST_F(CoresetPanel, QuantizedSketchesSayTheyStoreEveryToken) {
    const RunConfig config = parse_run_config(
        nlohmann::json{{"schema_version", 1},
                       {"tokens", 512},
                       {"eval_every", 256},
                       {"probe_queries", 8},
                       {"source", {{"id", "isotropic_ball"}, {"params", {{"dim", 8}}}}},
                       {"sketches", {{{"id", "exact"}}, {{"id", "kivi"}}}}},
        "");
    const Snapshot snap = test::runner_snapshot(config, 512);
    const std::string kivi = ui::summary_note(snap, snap.sketches[1]);
    EXPECT_NE(kivi.find("stores all 512 tokens in compressed form"), std::string::npos) << kivi;
}

TEST(CoresetPanelView, PlotsRoundTripThroughTheSessionView) {
    ui::CoresetPanelState state;
    state.walk.auto_fit = false;
    state.walk.x_min = 3;
    nlohmann::json view = nlohmann::json::object();
    ui::save_coreset_view(state, view);
    ui::CoresetPanelState back;
    ui::load_coreset_view(view, back, [](const std::string&) {});
    EXPECT_FALSE(back.walk.auto_fit);
    EXPECT_EQ(back.walk.x_min, 3);
    EXPECT_TRUE(view["plots"].contains("weights"));
}

}  // namespace
}  // namespace kvscope
