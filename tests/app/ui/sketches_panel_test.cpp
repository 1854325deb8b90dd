// The Sketches panel drawn headless for every registered sketch (its parameter widgets come
// from the ParamSpecs, so a new sketch needs no UI code) and for a sketch that failed.
#include "ui/sketches_panel.hpp"

#include <gtest/gtest.h>

#include "app/app_test_support.hpp"
#include "ui/widgets.hpp"

namespace kvscope {
namespace {

using test::ImGuiTest;

TEST_F(ImGuiTest, SketchesPanelShowsEveryRegisteredSketchAndErrors) {
    Snapshot snap = test::runner_snapshot(test::small_config(200), 200);
    const SketchSnapshot model = snap.sketches[1];
    snap.sketches.clear();
    for (const SketchInfo& info : builtin_sketches().all()) {
        SketchSnapshot s = model;
        s.spec.id = info.id;
        s.spec.label = info.id;
        s.spec.params = ParamSet::defaults(info.params);
        snap.sketches.push_back(s);
    }
    snap.sketches.back().error = "view exploded";
    test::PanelHarness ui;
    ui::SketchesPanelState state;
    state.add_choice = 1000;  // clamped to the registry
    ui::PanelContext ctx = ui.context(snap);
    EXPECT_GT(test::draw_frames([&] { ui::draw_sketches_panel(state, ctx); }, 2), 1000);
    EXPECT_EQ(state.add_choice, static_cast<int>(builtin_sketches().all().size()) - 1);
    EXPECT_TRUE(ui.sink.commands.empty());
}

// Issue 12 item 7: a moment sketch (taylor) read "kept 0 of N" beside the subset sketches.
TEST_F(ImGuiTest, MomentSketchesSayTheyKeepNoTokens) {
    const Snapshot snap = test::runner_snapshot(test::algorithms_config(512), 512);
    ASSERT_EQ(snap.sketches[1].spec.id, "taylor");
    EXPECT_EQ(ui::kept_text(snap.sketches[1]), "keeps no tokens (moments only), 512 seen");
    ASSERT_EQ(snap.sketches[4].spec.id, "uniform");
    EXPECT_EQ(ui::kept_text(snap.sketches[4]), "kept 64 of 512");
    test::PanelHarness ui;
    ui::SketchesPanelState state;
    ui::PanelContext ctx = ui.context(snap);
    EXPECT_GT(test::draw_frames([&] { ui::draw_sketches_panel(state, ctx); }, 2), 1000);
}

}  // namespace
}  // namespace kvscope
