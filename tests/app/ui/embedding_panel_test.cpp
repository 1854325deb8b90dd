// The embedding panel drawn headless (the GL side is not involved): the scene it hands to the
// renderer for empty, one-token and 100,000-token snapshots in every colour mode, 2-D and 3-D,
// the kernel field's entries, hover shared with the other panels, stored vectors and buckets,
// and its session view.
#include "ui/embedding_panel.hpp"

#include <gtest/gtest.h>

#include "app/app_test_support.hpp"

namespace kvscope {
namespace {

using scene::EmbedColour;

class EmbeddingPanel : public test::ImGuiTest {
  protected:
    // The panel alone, in an 800 x 600 window, with the mouse at `mouse`.
    void draw(const Snapshot& snap, ImVec2 mouse, int frames = 3) {
        ui::PanelContext ctx = ui_.context(snap);
        test::draw_frames([&] { ui::draw_embedding_panel(state_, ctx); }, frames, mouse,
                          ImVec2(0, 0), ImVec2(800, 600));
    }
    const scene::EmbeddingScene& scene() const { return ui_.scenes.embedding; }
    ui::EmbeddingPanelState state_;
    test::PanelHarness ui_;
};

TEST_F(EmbeddingPanel, EmptyAndOneToken) {
    Snapshot empty;
    draw(empty, ImVec2(400, 300));
    EXPECT_FALSE(scene().active);
    empty.embedding.reset();  // a snapshot without embedding data is drawn too
    draw(empty, ImVec2(400, 300));
    const Snapshot one = test::runner_snapshot(test::small_config(1), 1);
    draw(one, ImVec2(400, 300));
    EXPECT_TRUE(scene().active);
    EXPECT_EQ(scene().count, 1);
}

TEST_F(EmbeddingPanel, HundredThousandPointsEveryModeFieldAndHover) {
    const Snapshot snap = test::runner_snapshot(test::small_config(100000), 100000);
    ASSERT_EQ(snap.embedding->count, 100000);
    for (int sketch : {0, 2}) {
        ui_.selection.sketch = sketch;
        for (int mode = 0; mode < static_cast<int>(EmbedColour::Count); ++mode) {
            state_.points.colour_by = static_cast<EmbedColour>(mode);
            for (bool three : {false, true}) {
                state_.camera.three_d = three;
                draw(snap, ImVec2(400, 330), 2);
                ASSERT_TRUE(scene().active);
                EXPECT_EQ(scene().count, 100000);
                EXPECT_EQ(scene().colours.size(), 100000u);
                EXPECT_EQ(scene().styles.size(), 200000u);
                EXPECT_EQ(scene().three_d, three);
                EXPECT_GT(scene().width, 100);
            }
        }
    }
    // 2-D with the field: binned exact entries and the sketch's stored keys.
    state_.camera.three_d = false;
    state_.field = true;
    ui_.selection.sketch = 1;  // uniform, budget 64
    draw(snap, ImVec2(400, 330));
    EXPECT_TRUE(scene().field);
    EXPECT_GT(scene().field_exact.size(), 4u * 100);
    EXPECT_LE(scene().field_exact.size(), 4u * 32 * 32);
    EXPECT_EQ(scene().field_sketch.size(), 4u * 64);
    // Hovering the middle of the cloud picks a token and publishes it to the other panels.
    EXPECT_GE(ui_.selection.hovered_token, 0);
    EXPECT_LT(ui_.selection.hovered_token, 100000);
    // The exact sketch keeps 100,000 tokens: its field entries are binned like the cache's.
    ui_.selection.sketch = 0;
    draw(snap, ImVec2(400, 330));
    EXPECT_TRUE(state_.field_built.sketch_binned);
    EXPECT_EQ(scene().field_sketch, scene().field_exact);
    // Moving away clears it.
    draw(snap, ImVec2(-100, -100));
    EXPECT_EQ(ui_.selection.hovered_token, -1);
    // The refit button is there; a refit command is only sent when it is clicked.
    EXPECT_TRUE(ui_.sink.commands.empty());
}

TEST_F(EmbeddingPanel, UnchangedContentKeepsThePointAttributes) {
    const Snapshot snap = test::runner_snapshot(test::small_config(2000), 2000);
    draw(snap, ImVec2(-100, -100));
    const std::uint64_t version = scene().attr_version;
    draw(snap, ImVec2(-100, -100));
    EXPECT_EQ(scene().attr_version, version);  // a republished snapshot costs nothing
    state_.points.colour_by = EmbedColour::Age;
    draw(snap, ImVec2(-100, -100), 1);
    EXPECT_EQ(scene().attr_version, version + 1);
}

TEST_F(EmbeddingPanel, ShowsBucketsAndStoredVectors) {
    Snapshot snap = test::runner_snapshot(test::small_config(2000), 2000);
    SketchView& v = test::edit_view(snap.sketches[1]);
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
    ui_.selection.sketch = 1;
    state_.points.colour_by = EmbedColour::Bucket;
    draw(snap, ImVec2(400, 330));
    EXPECT_EQ(scene().extra_colours.size(), 2u);
    EXPECT_EQ(scene().extra_xyz.size(), 6u);
    EXPECT_EQ(scene().field_sketch.size(), 4u * (64 + 2));
}

TEST(EmbeddingPanelView, FieldsRoundTripAndAnUnknownColourWarns) {
    ui::EmbeddingPanelState state;
    state.points.colour_by = EmbedColour::KeyNorm;
    state.camera.three_d = true;
    state.camera.yaw = 1.25f;
    state.camera.centre[1] = 2.0f;
    state.field_mode = 2;
    nlohmann::json view = nlohmann::json::object();
    ui::save_embedding_view(state, view);
    EXPECT_EQ(view["embedding"]["colour_by"], "key_norm");
    ui::EmbeddingPanelState back;
    std::string warnings;
    const ui::ViewWarn warn = [&warnings](const std::string& w) { warnings += w; };
    ui::load_embedding_view(view, back, warn);
    EXPECT_EQ(back.points.colour_by, EmbedColour::KeyNorm);
    EXPECT_TRUE(back.camera.three_d);
    EXPECT_FLOAT_EQ(back.camera.yaw, 1.25f);
    EXPECT_FLOAT_EQ(back.camera.centre[1], 2.0f);
    EXPECT_EQ(back.field_mode, 2);
    EXPECT_EQ(warnings, "");
    ui::load_embedding_view(nlohmann::json{{"embedding", {{"colour_by", "rainbow"}, {"zoom", -1}}}},
                            back, warn);
    EXPECT_EQ(back.points.colour_by, EmbedColour::KeyNorm);
    EXPECT_EQ(back.camera.zoom, 1.0f);
    EXPECT_NE(warnings.find("view.embedding.colour_by"), std::string::npos);
}

}  // namespace
}  // namespace kvscope
