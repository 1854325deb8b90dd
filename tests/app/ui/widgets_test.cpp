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
