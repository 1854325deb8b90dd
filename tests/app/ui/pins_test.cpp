// Pin and compare: pins copy the rows at pin time, the readout compares the pin with the live
// curve at the latest evaluation point both have, and says better or worse by the metric's
// direction; the error panel draws the ghosts.
#include "ui/pins.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "app/app_test_support.hpp"
#include "ui/error_panel.hpp"
#include "ui/panel_csv.hpp"
#include "ui/plot.hpp"

namespace kvscope {
namespace {

const ui::MetricDef& metric(const char* key) {
    for (const auto& m : ui::error_metrics())
        if (std::strcmp(m.key, key) == 0) return m;
    throw std::logic_error(key);
}

// Instance 0 is exact, 1 and 2 uniform; eps_fro = scale / tokens at every evaluation point.
std::vector<MetricRow> rows_upto(Index last, double scale) {
    std::vector<MetricRow> rows;
    for (Index t = 500; t <= last; t += 500) {
        for (int inst = 0; inst < 3; ++inst) {
            MetricRow r;
            r.instance = inst;
            r.sketch = inst == 0 ? "exact" : "uniform";
            r.label = r.sketch;
            r.params = inst == 0 ? "" : "budget=" + std::to_string(100 * inst);
            r.tokens_seen = t;
            r.retained_tokens = inst == 0 ? t : 100 * inst;
            r.memory_floats = 32.0 * static_cast<double>(r.retained_tokens);
            r.errors.eps_fro = scale * (inst + 1) / static_cast<double>(t);
            r.mass_recall = 0.5;
            rows.push_back(r);
        }
    }
    return rows;
}

TEST(Pins, APinCopiesItsRowsAndTheReadoutComparesAtTheLatestCommonPoint) {
    const MetricRows before(rows_upto(2000, 100.0));
    const auto pin = ui::pin_instance(before, 1);
    ASSERT_TRUE(pin);
    EXPECT_EQ(pin->rows.size(), 4u);
    EXPECT_EQ(pin->label, "uniform budget=100");
    EXPECT_FALSE(ui::pin_instance(before, 7)) << "an instance with no rows gives no pin";

    // An edit halves the error; the live run has only reached 1500 tokens again.
    const MetricRows after(rows_upto(1500, 50.0));
    const auto d = ui::compare_pin(*pin, after, metric("eps_fro"));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->tokens, 1500);
    EXPECT_DOUBLE_EQ(d->pinned, 200.0 / 1500);
    EXPECT_DOUBLE_EQ(d->live, 100.0 / 1500);
    EXPECT_DOUBLE_EQ(d->relative(), -0.5);
    EXPECT_NE(ui::pin_delta_text(*d, metric("eps_fro")).find("(-50%, better)"), std::string::npos)
        << ui::pin_delta_text(*d, metric("eps_fro"));

    // The live run further on than the pin: compared at the pin's end.
    const MetricRows longer(rows_upto(3000, 400.0));
    const auto d2 = ui::compare_pin(*pin, longer, metric("eps_fro"));
    ASSERT_TRUE(d2);
    EXPECT_EQ(d2->tokens, 2000);
    EXPECT_NE(ui::pin_delta_text(*d2, metric("eps_fro")).find("(+300%, worse)"), std::string::npos);
    EXPECT_FALSE(ui::compare_pin(*pin, MetricRows(), metric("eps_fro")));
}

TEST(Pins, DirectionFollowsTheMetric) {
    const ui::PinDelta up{1000, 0.5, 0.75};
    EXPECT_NE(ui::pin_delta_text(up, metric("mass_recall")).find("better"), std::string::npos);
    EXPECT_NE(ui::pin_delta_text(up, metric("eps_fro")).find("worse"), std::string::npos);
    const std::string size = ui::pin_delta_text(up, metric("memory_floats"));
    EXPECT_EQ(size.find("better"), std::string::npos);
    EXPECT_EQ(size.find("worse"), std::string::npos);
    EXPECT_NE(size.find("+50%"), std::string::npos);
    EXPECT_NE(ui::pin_delta_text({1000, 0.5, 0.5}, metric("eps_fro")).find("unchanged"),
              std::string::npos);
}

TEST(Pins, AScenePinLeavesTheReferenceOut) {
    const auto pins = ui::pin_scene(MetricRows(rows_upto(1000, 1.0)), "scene pin 1");
    ASSERT_EQ(pins.size(), 2u);
    EXPECT_EQ(pins[0].instance, 1);
    EXPECT_EQ(pins[1].instance, 2);
    EXPECT_EQ(pins[1].scene, "scene pin 1");
}

class PinnedErrorPanel : public test::ImGuiTest {
  protected:
    void draw(const Snapshot& snap, ui::ErrorPanelState& state) {
        ui::PanelContext ctx = ui_.context(snap);
        test::draw_frames([&] { ui::draw_error_panel(state, ctx); }, 3, ImVec2(300, 200),
                          ImVec2(20, 10), ImVec2(1200, 460));
    }
    test::PanelHarness ui_;
};

TEST_F(PinnedErrorPanel, PinsAddOneGhostEntryEachAndAScenePinOne) {
    Snapshot snap;
    snap.history = MetricRows(rows_upto(2000, 100.0));
    snap.tokens_seen = 2000;
    ui::ErrorPanelState state;
    state.metric = 2;
    state.show_theory = false;
    draw(snap, state);
    const int plain = ui::last_plot_layout().legend_shown;
    state.pins.push_back(*ui::pin_instance(snap.history, 1));
    draw(snap, state);
    EXPECT_EQ(ui::last_plot_layout().legend_shown, plain + 1) << "the ghost has its legend entry";
    for (auto& p : ui::pin_scene(snap.history, "scene pin 1"))
        state.pins.push_back(std::move(p));
    draw(snap, state);
    EXPECT_EQ(ui::last_plot_layout().legend_shown, plain + 2) << "a scene pin is one entry";
}

}  // namespace
}  // namespace kvscope
