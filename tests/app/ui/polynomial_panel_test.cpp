// The Polynomial tab drawn headless: Taylor degree 0 and 8, a fresh view without samples or a
// bound, a sketch without Taylor state, and its session plots.
#include "ui/polynomial_panel.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "app/app_test_support.hpp"

namespace kvscope {
namespace {

using test::edit_view;
using test::synthetic_snapshot;
using test::taylor_view;

class PolynomialPanel : public test::ImGuiTest {
  protected:
    int draw(const Snapshot& snap, ui::PolynomialPanelState& state, int frames = 3) {
        ui::PanelContext ctx = ui_.context(snap);
        return test::draw_frames([&] { ui::draw_polynomial_panel(state, ctx); }, frames);
    }
    test::PanelHarness ui_;
};

TEST_F(PolynomialPanel, DegreeZeroAndEight) {
    for (int p : {0, 8}) {
        Snapshot snap = synthetic_snapshot(2);
        edit_view(snap.sketches[1]).taylor = taylor_view(p);
        ui::PolynomialPanelState state;
        ui_.selection.sketch = 1;
        EXPECT_GT(draw(snap, state), 1000) << p;
    }
}

TEST_F(PolynomialPanel, AFreshViewAndASketchWithoutTaylorState) {
    Snapshot snap = synthetic_snapshot(2);
    TaylorView t;  // nothing seen yet
    t.degree_needed = -1;
    t.recenter = "none";
    t.sample_num_error = {std::numeric_limits<double>::quiet_NaN()};
    edit_view(snap.sketches[1]).taylor = t;
    ui::PolynomialPanelState state;
    ui_.selection.sketch = 1;
    EXPECT_GT(draw(snap, state), 0);
    ui_.selection.sketch = 0;  // lsh_partition: the picker offers sketch 1
    EXPECT_GT(draw(snap, state), 0);
    EXPECT_EQ(ui::polynomial_panel_fit(*snap.sketches[0].view), 0);
    EXPECT_EQ(ui::polynomial_panel_fit(*snap.sketches[1].view), 1);
}

TEST(PolynomialPanelView, PlotsRoundTripThroughTheSessionView) {
    ui::PolynomialPanelState state;
    state.degree_error.log_y = false;
    state.monomials.hidden = {"p = 0..8"};
    nlohmann::json view = nlohmann::json::object();
    ui::save_polynomial_view(state, view);
    ui::PolynomialPanelState back;
    ui::load_polynomial_view(view, back, [](const std::string&) {});
    EXPECT_FALSE(back.degree_error.log_y);
    EXPECT_EQ(back.monomials.hidden, state.monomials.hidden);
    EXPECT_TRUE(view["plots"].contains("trunc_error"));
    EXPECT_TRUE(view["plots"].contains("logit_hist"));
}

}  // namespace
}  // namespace kvscope
