// The Attention error panel drawn headless: no evaluations, NaN metrics, every metric with and
// without the theory overlay, wide (side by side) and tall (stacked) layouts, its session view.
#include "ui/error_panel.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "app/app_test_support.hpp"

namespace kvscope {
namespace {

class ErrorPanel : public test::ImGuiTest {
  protected:
    int draw(const Snapshot& snap, ui::ErrorPanelState& state, ImVec2 size, int frames = 3) {
        ui::PanelContext ctx = ui_.context(snap);
        return test::draw_frames([&] { ui::draw_error_panel(state, ctx); }, frames,
                                 ImVec2(300, 200), ImVec2(20, 10), size);
    }
    test::PanelHarness ui_;
};

TEST_F(ErrorPanel, EmptyNaNAndEveryMetricInBothLayouts) {
    Snapshot empty;
    ui::ErrorPanelState state;
    EXPECT_GT(draw(empty, state, ImVec2(900, 400)), 0);
    Snapshot snap = test::runner_snapshot(test::algorithms_config(2000), 2000);
    for (int metric = 0; metric < static_cast<int>(ui::error_metrics().size()); ++metric) {
        state.metric = metric;
        for (bool theory : {false, true}) {
            state.show_theory = theory;
            EXPECT_GT(draw(snap, state, ImVec2(900, 400), 2), 1000) << metric;
            EXPECT_GT(draw(snap, state, ImVec2(500, 880), 2), 1000) << metric;
        }
    }
    std::vector<MetricRow> rows(snap.history.begin(), snap.history.end());
    for (auto& row : rows)
        row.errors.rel_err_mean = std::numeric_limits<double>::quiet_NaN();
    snap.history = MetricRows(rows);
    state.metric = 0;
    EXPECT_GT(draw(snap, state, ImVec2(900, 400)), 0);
    state.metric = 99;  // clamped
    draw(snap, state, ImVec2(900, 400), 1);
    EXPECT_EQ(state.metric, static_cast<int>(ui::error_metrics().size()) - 1);
    EXPECT_TRUE(ui_.sink.commands.empty());
}

TEST(ErrorPanelView, FieldsRoundTripAndBadValuesWarn) {
    ui::ErrorPanelState state;
    state.metric = 3;
    state.show_theory = false;
    state.memory.hidden = {"uniform budget=16"};
    nlohmann::json view = nlohmann::json::object();
    ui::save_error_view(state, view);
    EXPECT_EQ(view["error_metric"], 3);
    EXPECT_EQ(view["show_theory"], false);
    ui::ErrorPanelState back;
    std::string warnings;
    const ui::ViewWarn warn = [&warnings](const std::string& w) { warnings += w; };
    ui::load_error_view(view, back, warn);
    EXPECT_EQ(back.metric, 3);
    EXPECT_FALSE(back.show_theory);
    EXPECT_EQ(back.memory.hidden, state.memory.hidden);
    EXPECT_EQ(warnings, "");
    ui::load_error_view(nlohmann::json{{"error_metric", "worst"}}, back, warn);
    EXPECT_EQ(back.metric, 3);
    EXPECT_NE(warnings.find("view.error_metric"), std::string::npos);
}

// Regression: the note that rel_err reads large because ||a|| is tiny measured rel_err / eps_fro
// = ||p|| ||V||_F / ||a||, which is also large when attention is sharp (||p|| near 1) and so
// fired on the incompressible stream, where the lower-bound lesson calls rel_err the honest
// metric. It now compares ||a|| with the largest value (rel_err / num_err).
TEST(OutputSmallness, LargeForCancellingValuesNotForSharpAttention) {
    auto row = [](Index at, const char* sketch, double rel, double eps_fro, double num) {
        MetricRow r;
        r.sketch = sketch;
        r.tokens_seen = at;
        r.errors.rel_err_mean = rel;
        r.errors.eps_fro = eps_fro;
        r.errors.num_err = num;
        return r;
    };
    Snapshot snap;
    EXPECT_TRUE(std::isnan(ui::output_smallness(snap)));
    // Zero-mean values, broad attention (the default scene, measured): rel 7.8, num_err 0.029.
    snap.history = MetricRows(std::vector<MetricRow>{
        row(1024, "uniform", 0.5, 0.02, 0.02), row(16384, "exact", 1e-15, 1e-17, 0),
        row(16384, "uniform", 7.8, 0.048, 0.029), row(16384, "balance_kv", 4.1, 0.025, 0.015)});
    EXPECT_GT(ui::output_smallness(snap), 100);
    // Queries that copy one key (the incompressible preset at 16,384 tokens, measured): a is
    // about that key's value; rel_err / eps_fro was 131 for every sketch, rel_err / num_err is
    // 3 to 9.
    snap.history = MetricRows(std::vector<MetricRow>{
        row(16384, "uniform", 2.09, 0.0158, 0.72), row(16384, "sliding_window", 2.15, 0.0163, 0.25),
        row(16384, "h2o", 2.09, 0.0159, 0.244)});
    EXPECT_LT(ui::output_smallness(snap), 20);
}

}  // namespace
}  // namespace kvscope
