// The Buckets tab drawn headless from synthetic views: no buckets (the picker), no bucket yet,
// one, 16 and 5,000 buckets, every bar measure on linear and log scales, NaN and misaligned
// fields.
#include "ui/bucket_panel.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "app/app_test_support.hpp"

namespace kvscope {
namespace {

using test::edit_view;
using test::many_buckets;
using test::synthetic_snapshot;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class BucketPanel : public test::ImGuiTest {
  protected:
    int draw(const Snapshot& snap, ui::BucketPanelState& state, int frames = 3) {
        ui::PanelContext ctx = ui_.context(snap);
        return test::draw_frames([&] { ui::draw_bucket_panel(state, ctx); }, frames);
    }
    test::PanelHarness ui_;
};

TEST_F(BucketPanel, WithoutBucketsItOffersTheSketchesThatHaveThem) {
    Snapshot snap = synthetic_snapshot(3);
    edit_view(snap.sketches[1]).buckets = many_buckets(4);
    ui::BucketPanelState state;
    ui_.selection.sketch = 0;
    EXPECT_GT(draw(snap, state), 0);
    Snapshot empty;
    EXPECT_GT(draw(empty, state), 0);
    EXPECT_TRUE(ui_.sink.commands.empty());
}

TEST_F(BucketPanel, ManyBucketsOneBucketAndNoBucketYetInEveryMeasure) {
    for (int n : {0, 1, 16, 5000}) {
        Snapshot snap = synthetic_snapshot(1);
        edit_view(snap.sketches[0]).buckets = many_buckets(n);
        ui::BucketPanelState state;
        EXPECT_GT(draw(snap, state), 0) << n;
        state.log_scale = true;
        for (int m = 0; m < 4; ++m) {
            state.measure = m;
            EXPECT_GT(draw(snap, state, 2), 0) << n;
        }
    }
}

TEST_F(BucketPanel, NaNFieldsAndVectorsShorterThanTheIds) {
    Snapshot snap = synthetic_snapshot(1);
    BucketView b = many_buckets(10);
    b.radii = {kNaN, 1.0};
    b.counts.resize(5);
    b.query_contribution = {kNaN, 0.5, 0.5};
    b.taylor_degree.clear();
    b.collision_rate = kNaN;
    edit_view(snap.sketches[0]).buckets = b;
    ui::BucketPanelState state;
    for (int m = 0; m < 4; ++m) {
        state.measure = m;
        EXPECT_GT(draw(snap, state, 2), 0);
    }
    state.measure = 17;  // out of range: clamped
    draw(snap, state, 1);
    EXPECT_EQ(state.measure, 3);
}

TEST(BucketPanelFit, BucketsWithoutAMergeTreeAskForThisTab) {
    SketchView v;
    EXPECT_EQ(ui::bucket_panel_fit(v), 0);
    v.buckets = BucketView{};
    EXPECT_GT(ui::bucket_panel_fit(v), 1);
    v.merge_tree = MergeTreeView{};
    EXPECT_EQ(ui::bucket_panel_fit(v), 0);
}

}  // namespace
}  // namespace kvscope
