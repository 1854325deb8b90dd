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

// Issue 12 item 7: balance_kv's Buckets tab was half placeholders ("family -, summary -", empty
// floats and share columns) with its value-norm classes in a "radius" column.
TEST_F(BucketPanel, BalanceKvValueNormClassesGetTheirOwnColumnsAndNoPlaceholders) {
    const RunConfig config = parse_run_config(
        nlohmann::json{
            {"schema_version", 1},
            {"tokens", 2048},
            {"eval_every", 512},
            {"probe_queries", 8},
            {"source", {{"id", "isotropic_ball"}, {"params", {{"dim", 4}}}}},
            {"sketches",
             {{{"id", "balance_kv"}, {"params", {{"batch", 32}, {"algorithm", "paper"}}}}}}},
        "");
    const Snapshot snap = test::runner_snapshot(config, 2048);
    ASSERT_TRUE(snap.sketches[0].view->buckets);
    const BucketView& b = *snap.sketches[0].view->buckets;
    ASSERT_FALSE(b.ids.empty());
    EXPECT_TRUE(b.radii.empty());  // no class bound in a "radius" column
    ASSERT_EQ(b.value_norm_lo.size(), b.ids.size());
    ASSERT_EQ(b.value_norm_hi.size(), b.ids.size());
    for (std::size_t i = 0; i < b.ids.size(); ++i) {
        EXPECT_EQ(b.value_norm_lo[i], std::ldexp(1.0, b.ids[i]));
        EXPECT_EQ(b.value_norm_hi[i], 2 * b.value_norm_lo[i]);
    }
    EXPECT_EQ(ui::bucket_table_columns(b),
              (std::vector<std::string>{"class", "items kept", "‖v‖ from", "‖v‖ below"}));
    // A hash-bucket sketch keeps every column, the radius titled as a radius.
    EXPECT_EQ(
        ui::bucket_table_columns(many_buckets(4)),
        (std::vector<std::string>{"bucket", "tokens", "radius", "floats", "degree", "share Z"}));
    ui::BucketPanelState state;
    state.measure = 3;  // share of Z: not reported by balance_kv, so the bars fall back to count
    EXPECT_GT(draw(snap, state), 0);
    EXPECT_EQ(state.measure, 0);
}

}  // namespace
}  // namespace kvscope
