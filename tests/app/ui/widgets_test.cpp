// Pieces the panels share (ui/widgets.hpp): short names and the selected sketch.
#include "ui/widgets.hpp"

#include <gtest/gtest.h>

#include "app/app_test_support.hpp"

namespace kvscope {
namespace {

using test::ImGuiTest;

TEST(Widgets, ShortNameListsTheParametersThatDifferFromTheDefaults) {
    const RunConfig c = test::small_config(100);
    const auto specs = expand_sketches(c);
    EXPECT_EQ(ui::short_name(specs[0]), "exact");
    EXPECT_EQ(ui::short_name(specs[1]), "uniform budget=64");
    SketchInstanceSpec unknown;
    unknown.id = "not_registered";
    unknown.label = "mine";
    EXPECT_EQ(ui::short_name(unknown), "mine");
    SketchInstanceSpec longer = specs[1];
    longer.label = std::string(60, 'x');
    EXPECT_EQ(ui::short_name(longer).size(), 48u);
}

// Issue 12 item 2 in the Sketches panel: discrepancy_vs_uniform listed its default-budget
// uniform as "uniform" beside "uniform budget=512"; the panels now name sketches as the legends do.
TEST(Widgets, SceneNamesShowEveryDifferingParameterDefaultsIncluded) {
    const RunConfig config = parse_run_config(
        nlohmann::json{{"schema_version", 1},
                       {"tokens", 64},
                       {"eval_every", 64},
                       {"probe_queries", 4},
                       {"source", {{"id", "isotropic_ball"}, {"params", {{"dim", 4}}}}},
                       {"sketches",
                        {{{"id", "exact"}},
                         {{"id", "uniform"}},
                         {{"id", "uniform"}, {"params", {{"budget", 512}}}},
                         {{"id", "h2o"}}}}},
        "");
    const Snapshot snap = test::runner_snapshot(config, 64);
    const std::vector<std::string> names = ui::scene_names(snap);
    ASSERT_EQ(names.size(), 4u);
    EXPECT_EQ(names[0], "exact");
    EXPECT_EQ(names[1], "uniform budget=256");  // the default, named because the other differs
    EXPECT_EQ(names[2], "uniform budget=512");
    EXPECT_EQ(names[3].substr(0, 3), "h2o");
    EXPECT_EQ(ui::short_name(snap.sketches[1].spec), "uniform");  // what the panel showed
    EXPECT_EQ(ui::scene_name(snap, snap.sketches[1]), names[1]);
    const SketchSnapshot elsewhere = snap.sketches[2];  // not one of snap's: its own short name
    EXPECT_EQ(ui::scene_name(snap, elsewhere), "uniform budget=512");
}

TEST_F(ImGuiTest, SelectedSketchIsClampedToTheRunningOnes) {
    Snapshot snap = test::synthetic_snapshot(2);
    ui::Selection selection;
    selection.sketch = 7;
    const SketchSnapshot* s = nullptr;
    test::draw_frames([&] { s = ui::selected_sketch(snap, selection); }, 1);
    EXPECT_EQ(selection.sketch, 1);
    EXPECT_EQ(s, &snap.sketches[1]);
    Snapshot empty;
    test::draw_frames([&] { s = ui::selected_sketch(empty, selection); }, 1);
    EXPECT_EQ(s, nullptr);
}

}  // namespace
}  // namespace kvscope
