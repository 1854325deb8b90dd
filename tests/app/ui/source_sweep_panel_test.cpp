// The Source sweep tab: series per sketch against the swept value (or the instance number), and
// the panel drawn headless before, during and after a background run.
#include "ui/source_sweep_panel.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/app_test_support.hpp"

namespace kvscope {
namespace {

RunConfig radius_sweep() {
    nlohmann::json doc = {
        {"schema_version", 1},
        {"tokens", 800},
        {"eval_every", 400},
        {"probe_queries", 8},
        {"seed", 3},
        {"source",
         {{"id", "isotropic_ball"}, {"params", {{"dim", 8}}}, {"sweep", {{"radius", {0.5, 2.0}}}}}},
        {"sketches", {{{"id", "exact"}}, {{"id", "uniform"}, {"sweep", {{"budget", {32, 128}}}}}}}};
    return parse_run_config(doc, "");
}

MetricRow row(int inst, const std::string& source, double eps) {
    MetricRow r;
    r.instance = inst;
    r.sketch = "uniform";
    r.label = "uniform";
    r.params = "budget=" + std::to_string(inst);
    r.source_params = source;
    r.errors.eps_fro = eps;
    return r;
}

TEST(SourceSweepSeries, OneSeriesPerSketchAgainstTheSweptValueOrTheInstanceNumber) {
    SourceSweepProgress p;
    p.labels = {"radius=0.5", "radius=2"};
    p.total = 2;
    p.final_rows = {row(1, "radius=0.5", 0.1), row(2, "radius=0.5", 0.05), row(1, "radius=2", 0.4),
                    row(2, "radius=2", 0.2)};
    auto s = ui::sweep_series(p, {0.5, 2.0}, 2);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].label, "uniform budget=1");
    EXPECT_EQ(s[0].x, (std::vector<double>{0.5, 2.0}));
    EXPECT_EQ(s[0].y, (std::vector<double>{0.1, 0.4}));
    EXPECT_EQ(s[1].y, (std::vector<double>{0.05, 0.2}));
    s = ui::sweep_series(p, {}, 2);
    EXPECT_EQ(s[1].x, (std::vector<double>{1.0, 2.0})) << "no numeric sweep: instance numbers";
}

class SourceSweepPanel : public test::ImGuiTest {
  protected:
    void draw(const Snapshot& snap, ui::SourceSweepPanelState& state) {
        ui::PanelContext ctx = ui_.context(snap);
        test::draw_frames([&] { ui::draw_source_sweep_panel(state, ctx); }, 2, ImVec2(300, 200),
                          ImVec2(20, 10), ImVec2(1000, 420));
    }
    test::PanelHarness ui_;
};

TEST_F(SourceSweepPanel, RunsEveryInstanceAndPlotsOneLinePerSketch) {
    const RunConfig swept = radius_sweep();
    Snapshot snap;
    ui::SourceSweepPanelState state;
    draw(snap, state);  // no sweep: the explanation only
    EXPECT_FALSE(state.run);

    snap.config = std::make_shared<const RunConfig>(config_for_source(swept, 0));
    ui_.settings.source_sweep = std::make_shared<const RunConfig>(swept);
    state.run = std::make_unique<SourceSweepRun>(swept);
    for (int i = 0; i < 6000 && !state.run->progress().finished(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a hang guard only
    ASSERT_TRUE(state.run->progress().finished());
    EXPECT_EQ(state.run->progress().error, "");
    draw(snap, state);
    // Two uniform instances, each a line and its points under one legend entry; exact left out.
    EXPECT_EQ(ui::last_plot_layout().legend_shown, 2);

    // The scene moved on to a source without a sweep: the run is dropped.
    snap.config = std::make_shared<const RunConfig>();
    draw(snap, state);
    EXPECT_FALSE(state.run);
}

}  // namespace
}  // namespace kvscope
