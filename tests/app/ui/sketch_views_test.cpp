// The per-sketch views of the Coreset tab (issue 12 item 7), from real runs at fixed seeds: the
// data each plot is drawn from (h2o's threshold and recent window, snapkv's observation window
// and pooled scores, kivi's per-channel ranges and errors, qjl's logits) and the tab drawn
// headless with each.
#include "ui/sketch_views.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "app/app_test_support.hpp"
#include "ui/coreset_panel.hpp"

namespace kvscope {
namespace {

// exact plus `sketch` on isotropic_ball (d = 8), `tokens` tokens.
RunConfig one_sketch(const nlohmann::json& sketch, Index tokens) {
    return parse_run_config(
        nlohmann::json{{"schema_version", 1},
                       {"tokens", tokens},
                       {"eval_every", tokens / 4},
                       {"probe_queries", 8},
                       {"seed", 7},
                       {"source", {{"id", "isotropic_ball"}, {"params", {{"dim", 8}}}}},
                       {"sketches", {{{"id", "exact"}}, sketch}}},
        "");
}

class SketchViews : public test::ImGuiTest {
  protected:
    // Draws the Coreset tab for sketch 1 of `snap`; returns the vertices of the last frame.
    int draw(const Snapshot& snap, ui::CoresetPanelState& state) {
        ui_.selection.sketch = 1;
        ui::PanelContext ctx = ui_.context(snap);
        return test::draw_frames([&] { ui::draw_coreset_panel(state, ctx); }, 3, ImVec2(150, 120),
                                 ImVec2(40, 30), ImVec2(500, 2400));
    }
    test::PanelHarness ui_;
};

TEST_F(SketchViews, H2oThresholdIsTheLowestKeptScoreOutsideTheRecentWindow) {
    const Snapshot snap = test::runner_snapshot(
        one_sketch({{"id", "h2o"}, {"params", {{"budget", 64}, {"recent_fraction", 0.25}}}}, 2048),
        2048);
    const SketchView& view = *snap.sketches[1].view;
    ASSERT_TRUE(view.score_rank);
    const ScoreRankView& r = *view.score_rank;
    EXPECT_EQ(r.window_last - r.window_first + 1, 16);  // round(0.25 * 64)
    EXPECT_EQ(r.window_last, 2047);
    double lowest = INFINITY;
    int in_window = 0, kept = 0, evicted = 0;
    for (std::size_t i = 0; i < r.positions.size(); ++i) {
        if (!r.kept[i]) {
            ++evicted;
            EXPECT_GT(r.left_at[i], r.positions[i]);
            continue;
        }
        ++kept;
        if (r.positions[i] >= r.window_first)
            ++in_window;
        else
            lowest = std::min(lowest, r.scores[i]);
    }
    EXPECT_EQ(kept, 64);
    EXPECT_EQ(in_window, 16);
    EXPECT_GT(evicted, 0);
    EXPECT_EQ(r.threshold, lowest);
    const std::string why = ui::eviction_sentence(r, r.positions.size() - 1);
    EXPECT_NE(why.find("left at token"), std::string::npos) << why;
    EXPECT_NE(why.find("accumulated attention"), std::string::npos) << why;
    ui::CoresetPanelState state;
    EXPECT_GT(draw(snap, state), 1000);
    // The plot's y range holds every score and the threshold it is drawn against.
    EXPECT_LE(state.scores.y_min, r.threshold);
    EXPECT_LE(state.scores.x_min, static_cast<double>(r.window_first));
}

TEST_F(SketchViews, SnapKvObservationWindowAndPooledScoresOfTheLastSelection) {
    const Snapshot snap = test::runner_snapshot(
        one_sketch({{"id", "snapkv"}, {"params", {{"budget", 64}, {"window", 16}}}}, 1024), 1024);
    const SketchView& view = *snap.sketches[1].view;
    ASSERT_TRUE(view.score_rank);
    const ScoreRankView& r = *view.score_rank;
    EXPECT_EQ(r.window_last - r.window_first + 1, 16);      // the window parameter
    EXPECT_EQ(static_cast<Index>(r.positions.size()), 64);  // a selection runs on a full cache
    ASSERT_TRUE(std::isfinite(r.threshold));
    int dropped = 0;
    for (std::size_t i = 0; i < r.positions.size(); ++i) {
        const bool window = r.positions[i] >= r.window_first;
        if (window) {
            EXPECT_TRUE(r.kept[i]) << "the observation window's tokens stay";
        } else if (r.kept[i]) {
            EXPECT_GE(r.scores[i], r.threshold);
        }
        if (!r.kept[i]) {
            EXPECT_LE(r.scores[i], r.threshold);
            ++dropped;
        }
    }
    EXPECT_GT(dropped, 0);
    ui::CoresetPanelState state;
    EXPECT_GT(draw(snap, state), 1000);
}

TEST_F(SketchViews, KiviChannelRangesAndErrorsPerChannel) {
    auto run = [](int bits, const char* mode) {
        const Snapshot snap = test::runner_snapshot(
            one_sketch(
                {{"id", "kivi"}, {"params", {{"bits", bits}, {"group", 4}, {"key_mode", mode}}}},
                1024),
            1024);
        return *snap.sketches[1].view->quant;
    };
    const QuantView two = run(2, "per_channel"), eight = run(8, "per_channel");
    ASSERT_EQ(two.channel_error.size(), 8u);
    ASSERT_EQ(two.channel_range_per_channel.size(), 8u);
    ASSERT_EQ(two.channel_range_per_token.size(), 8u);
    EXPECT_EQ(two.key_mode, "per_channel");
    for (std::size_t c = 0; c < 8; ++c) {
        // Each entry is within scale / 2 = range / (2 (2^b - 1)) of its original: 8 bits make
        // the error a small fraction of the range, and 85 times smaller than 2 bits' at most.
        EXPECT_GT(two.channel_error[c], 0);
        EXPECT_LT(eight.channel_error[c], 0.01 * eight.channel_range_per_channel[c]);
        EXPECT_GT(two.channel_error[c], 20 * eight.channel_error[c]);
        EXPECT_GT(two.channel_range_per_token[c], 0);
    }
    EXPECT_EQ(run(2, "per_token").key_mode, "per_token");
}

TEST_F(SketchViews, QjlEstimatedLogitsFollowTheExactOnes) {
    auto corr = [](int bits) {
        const Snapshot snap = test::runner_snapshot(
            one_sketch({{"id", "qjl"}, {"params", {{"bits", bits}}}}, 2048), 2048);
        const QuantView& q = *snap.sketches[1].view->quant;
        EXPECT_EQ(q.logit_exact.size(), q.logit_distortion.size());
        EXPECT_GE(q.logit_exact.size(), 2048u);
        std::vector<double> est(q.logit_exact.size());
        for (std::size_t i = 0; i < est.size(); ++i)
            est[i] = q.logit_exact[i] + q.logit_distortion[i];
        return ui::correlation(q.logit_exact, est);
    };
    const double c64 = corr(64), c1024 = corr(1024), c4 = corr(4);
    EXPECT_GT(c64, 0.8);
    EXPECT_GT(c1024, 0.97);
    EXPECT_GT(c1024, c64);
    EXPECT_LT(c4, c64);  // fewer bits, noisier estimate
}

TEST_F(SketchViews, QuantViewsDrawForKiviAndQjl) {
    Snapshot snap = test::runner_snapshot(one_sketch({{"id", "qjl"}}, 512), 512);
    ui::CoresetPanelState state;
    EXPECT_GT(draw(snap, state), 1000);
    EXPECT_LT(state.logits.x_min, state.logits.x_max);
    snap = test::runner_snapshot(one_sketch({{"id", "kivi"}}, 512), 512);
    EXPECT_GT(draw(snap, state), 1000);
    EXPECT_LT(state.channel_error.y_min, state.channel_error.y_max);
    EXPECT_LE(state.channel_ranges.x_max, 8.0);
}

TEST(SketchViewsMath, CorrelationOfKnownSeries) {
    EXPECT_NEAR(ui::correlation({1, 2, 3, 4}, {2, 4, 6, 8}), 1.0, 1e-12);
    EXPECT_NEAR(ui::correlation({1, 2, 3, 4}, {8, 6, 4, 2}), -1.0, 1e-12);
    EXPECT_TRUE(std::isnan(ui::correlation({1, 1, 1}, {1, 2, 3})));
    EXPECT_TRUE(std::isnan(ui::correlation({1}, {1})));
}

}  // namespace
}  // namespace kvscope
