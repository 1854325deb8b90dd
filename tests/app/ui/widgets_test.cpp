// Pieces the panels share (ui/widgets.hpp): short names and the selected sketch.
#include "ui/widgets.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "app/app_test_support.hpp"
#include "figure/colour.hpp"

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

// exact, uniform (budget 256, its default), h2o, uniform budget=512, after 64 tokens.
Snapshot two_uniforms_and_h2o() {
    const nlohmann::json sketches = {{{"id", "exact"}},
                                     {{"id", "uniform"}},
                                     {{"id", "h2o"}},
                                     {{"id", "uniform"}, {"params", {{"budget", 512}}}}};
    const nlohmann::json doc = {{"schema_version", 1},
                                {"tokens", 64},
                                {"eval_every", 64},
                                {"probe_queries", 4},
                                {"source", {{"id", "isotropic_ball"}, {"params", {{"dim", 4}}}}},
                                {"sketches", sketches}};
    return test::runner_snapshot(parse_run_config(doc, ""), 64);
}

// Issue 12 item 2 in the Sketches panel: discrepancy_vs_uniform listed its default-budget
// uniform as "uniform" beside "uniform budget=512"; the panels now name sketches as the legends do.
TEST(Widgets, SceneNamesShowEveryDifferingParameterDefaultsIncluded) {
    const Snapshot snap = two_uniforms_and_h2o();
    const std::vector<std::string> names = ui::scene_names(snap);
    ASSERT_EQ(names.size(), 4u);
    EXPECT_EQ(names[0], "exact");
    EXPECT_EQ(names[1], "uniform budget=256");  // the default, named because the other differs
    EXPECT_EQ(names[2].substr(0, 3), "h2o");
    EXPECT_EQ(names[3], "uniform budget=512");
    EXPECT_EQ(ui::short_name(snap.sketches[1].spec), "uniform");  // what the panel showed
    EXPECT_EQ(ui::scene_name(snap, snap.sketches[1]), names[1]);
    const SketchSnapshot elsewhere = snap.sketches[3];  // not one of snap's: its own short name
    EXPECT_EQ(ui::scene_name(snap, elsewhere), "uniform budget=512");
}

// The Sketches panel's swatches cycled a palette by position while the error plots colour by
// sweep family, so a list swatch and its plot line disagreed (uniform blue in the list, orange
// in the plot). Now both come from the families: one hue per family, a ramp over its members.
TEST_F(ImGuiTest, SketchColoursAreTheirFamilysRampAsInThePlots) {
    const Snapshot snap = two_uniforms_and_h2o();
    std::vector<std::uint32_t> c;
    test::draw_frames(
        [&] {
            c.clear();
            for (int i = 0; i < 4; ++i)
                c.push_back(ui::sketch_colour(snap, i));
            c.push_back(ui::sketch_colour(snap, 3, 0.5f));
        },
        1);
    ASSERT_EQ(c.size(), 5u);
    EXPECT_EQ(c[0], figure::rgba(150, 150, 150));  // the exact reference: grey, no family
    const auto hue_apart = [](double a, double b) {
        return std::abs(std::remainder(a - b, 2 * std::numbers::pi));
    };
    const figure::Lch small = figure::to_lch(c[1]), large = figure::to_lch(c[3]);
    EXPECT_NE(c[1], c[3]);                         // two members of one family, apart
    EXPECT_LT(hue_apart(small.h, large.h), 0.35);  // on one hue
    EXPECT_GT(std::abs(small.L - large.L), 0.05);  // at different lightness
    const figure::Lch h2o = figure::to_lch(c[2]);
    EXPECT_GT(hue_apart(h2o.h, small.h), 0.35);         // another family, another hue
    EXPECT_EQ(c[4] & 0x00FFFFFFu, c[3] & 0x00FFFFFFu);  // alpha only changes alpha
    EXPECT_EQ(c[4] >> 24, 128u);
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
