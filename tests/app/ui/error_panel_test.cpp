// The Attention error panel drawn headless: no evaluations, NaN metrics, every metric with and
// without the theory overlay, wide (side by side) and tall (stacked) layouts, its session view.
#include "ui/error_panel.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "app/app_test_support.hpp"
#include "ui/plot.hpp"

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

// Regression (taylor_refusal.json screenshot): with no evaluation (a refused config leaves an
// empty scene) the memory plot drew the theory bounds alone, on a memory axis of 1..5 floats.
// No measurement, no bound: the plot is empty and the panel says why.
TEST_F(ErrorPanel, NoTheoryCurvesWithoutMeasurements) {
    ui::ErrorPanelState state;
    state.show_theory = true;
    for (const Snapshot& snap : {Snapshot{}, test::synthetic_snapshot(2)}) {
        ASSERT_TRUE(snap.history.empty());
        draw(snap, state, ImVec2(900, 400));
        EXPECT_EQ(ui::last_plot_layout().legend_shown, 0);  // the memory plot, drawn last
    }
}

// Two sweeps (uniform over budget, balance_kv over batch) with long parameter lists, plus exact.
Snapshot sweep_snapshot() {
    std::vector<MetricRow> rows;
    int id = 0;
    const auto add = [&](const std::string& sketch, const std::string& params, double mem) {
        for (Index t : {Index(1024), Index(2048)}) {
            MetricRow r;
            r.instance = id;
            r.sketch = sketch;
            r.label = sketch;
            r.params = params;
            r.tokens_seen = t;
            r.retained_tokens = static_cast<Index>(mem / 32);
            r.memory_floats = mem;
            r.errors.rel_err_mean = sketch == "exact" ? 1e-15 : 1.0 / std::sqrt(mem);
            r.errors.eps_fro = r.errors.rel_err_mean / 10;
            rows.push_back(r);
        }
        ++id;
    };
    add("exact", "", 65536);
    for (int b : {64, 128, 256, 512})
        add("uniform", "budget=" + std::to_string(b) + ";seed_offset=0;long_parameter_name=1",
            32.0 * b);
    for (int b : {16, 32, 64, 128})
        add("balance_kv", "batch=" + std::to_string(b) + ";gamma=0;mode=practical", 90.0 * b);
    Snapshot snap;
    snap.history = MetricRows(rows);
    snap.tokens_seen = 2048;
    return snap;
}

TEST_F(ErrorPanel, LegendListsFamiliesAndStaysInsideTheFrame) {
    // Regression (issue 12): one legend entry per instance, in unrelated colours, and long
    // entries drawn past the widget's left edge.
    const Snapshot snap = sweep_snapshot();
    ui::ErrorPanelState state;
    state.show_theory = false;
    for (ImVec2 size : {ImVec2(1200, 420), ImVec2(420, 800)}) {
        EXPECT_GT(draw(snap, state, size), 1000);
        const ui::PlotLayout L = ui::last_plot_layout();  // the memory plot, drawn last
        // Two families and the two reference slopes; not eight instances.
        EXPECT_LE(L.legend_shown, 4) << size.x;
        EXPECT_GE(L.legend_min.x, L.frame_min.x - 0.5f) << size.x;
        EXPECT_LE(L.legend_max.x, L.frame_max.x + 0.5f) << size.x;
    }
}

// Regression (lesson 7): the grey -1/2 and -1 error-decay slopes were drawn over memory_floats
// against memory; they belong to error metrics only.
TEST_F(ErrorPanel, ReferenceSlopesOnlyForErrorMetrics) {
    const Snapshot snap = sweep_snapshot();
    ui::ErrorPanelState state;
    state.show_theory = false;
    state.metric = 2;  // eps_fro
    draw(snap, state, ImVec2(1200, 420));
    EXPECT_EQ(ui::last_plot_layout().legend_shown, 4);  // two families, two slopes
    state.metric = 7;                                   // memory_floats
    draw(snap, state, ImVec2(1200, 420));
    EXPECT_EQ(ui::last_plot_layout().legend_shown, 3);  // the families and exact, no slope
}

// Regression (issue 12): the exact phase before a budget fills (errors at rounding level) set
// the time plot's y range, so every line was a vertical cliff over ten decades.
TEST_F(ErrorPanel, TimeAxisFitsFromTheBudgetFill) {
    std::vector<MetricRow> rows;
    for (int inst = 0; inst < 2; ++inst) {
        for (Index t : {Index(256), Index(512), Index(1024), Index(2048)}) {
            MetricRow r;
            r.instance = inst;
            r.sketch = "uniform";
            r.label = "uniform";
            r.params = "budget=" + std::to_string(512 * (inst + 1));
            r.tokens_seen = t;
            r.retained_tokens = std::min<Index>(t, 512 * (inst + 1));
            r.memory_floats = 32.0 * static_cast<double>(r.retained_tokens);
            r.errors.eps_fro = r.retained_tokens < t ? 0.01 * (inst + 1) : 1e-15;
            rows.push_back(r);
        }
    }
    Snapshot snap;
    snap.history = MetricRows(rows);
    snap.tokens_seen = 2048;
    ui::ErrorPanelState state;
    state.metric = 2;
    draw(snap, state, ImVec2(1200, 420));
    EXPECT_GT(state.time.y_min, 1e-3) << "the exact phase stretched the axis";
    EXPECT_LT(state.time.y_max, 0.1);
    EXPECT_LT(state.time.x_min, 300.0) << "the x axis still shows the whole run";
}

TEST(ErrorPanelView, FieldsRoundTripAndBadValuesWarn) {
    ui::ErrorPanelState state;
    state.metric = 3;
    state.show_theory = false;
    state.memory.hidden = {"uniform budget=16"};
    nlohmann::json view = nlohmann::json::object();
    ui::save_error_view(state, view);
    EXPECT_EQ(view["error_metric"], ui::error_metrics()[3].key) << "saved by CSV key, not index";
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

// Regression (issue 12, final screenshots): discrepancy_vs_uniform at 3,840 tokens, where
// balance_kv batch=4096 has kept every token so far. Its error at rounding level (1e-15) still
// stretched the time plot's y axis to 1e-9 (it had never dropped, so it fitted in full) and bent
// its family's slope on the memory plot (-21 +- 60).
TEST_F(ErrorPanel, AnInstanceStillExactNeitherStretchesTheAxisNorJoinsTheSlope) {
    std::vector<MetricRow> rows;
    for (int inst = 0; inst < 3; ++inst) {
        const Index budget = Index(256) << (2 * inst);  // 256, 1024, 4096: the last never drops
        for (Index t = 512; t <= 3584; t += 512) {
            MetricRow r;
            r.instance = inst;
            r.sketch = "uniform";
            r.label = "uniform";
            r.params = "budget=" + std::to_string(budget);
            r.tokens_seen = t;
            r.retained_tokens = std::min(t, budget);
            r.memory_floats = 32.0 * static_cast<double>(r.retained_tokens);
            r.errors.eps_fro = r.retained_tokens < t ? 0.5 / std::sqrt(double(budget)) : 1e-15;
            rows.push_back(r);
        }
    }
    Snapshot snap;
    snap.history = MetricRows(rows);
    snap.tokens_seen = 3584;
    ui::ErrorPanelState state;
    state.metric = 2;
    state.show_theory = false;
    draw(snap, state, ImVec2(1200, 420));
    EXPECT_GT(state.time.y_min, 1e-3) << "the still-exact line stretched the axis";
    // Memory plot: the two that dropped tokens, one family, slope -1/2 exactly on these points.
    EXPECT_GT(state.memory.y_min, 1e-3);
    std::string legend;
    for (const std::string& entry : ui::last_plot_layout().legend_text)
        legend += entry + " | ";
    EXPECT_NE(legend.find("slope −0.5"), std::string::npos) << legend;
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
