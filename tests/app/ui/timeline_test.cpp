// The timeline slider drawn headless: it stops at 0, every evaluation point and the live end,
// a press on it sends one Seek per position reached, and a Runner applying that Seek shows the
// scene there (cursor marker on the time axes, "Live" to go back) with the history whole.
#include "ui/timeline.hpp"

#include <gtest/gtest.h>

#include <variant>

#include "app/app_test_support.hpp"
#include "ui/widgets.hpp"

namespace kvscope {
namespace {

class Timeline : public test::ImGuiTest {
  protected:
    // Draws the widget for `frames` frames with the left button held from the second frame on
    // at `fraction` of the slider's width (the mouse stays off it when `fraction` < 0), or with
    // `release` at the window's left edge on the slider's row pressed then released (a click
    // on what comes first); returns the seeks it sent.
    std::vector<Index> drag(const Snapshot& snap, float fraction, int frames = 3,
                            bool release = false) {
        ui::PanelContext ctx = ui_.context(snap);
        ImVec2 lo(0, 0), hi(0, 0);
        for (int f = 0; f < frames; ++f) {
            ImGuiIO& io = ImGui::GetIO();
            const bool press = f > 0 && hi.x > lo.x && (fraction >= 0 || release);
            const float x = release ? 12.0f : lo.x + fraction * (hi.x - lo.x);
            io.MousePos = press ? ImVec2(x, (lo.y + hi.y) / 2) : ImVec2(-100, -100);
            io.MouseDown[0] = press && !(release && f == frames - 1);
            ImGui::NewFrame();
            ImGui::SetNextWindowPos(ImVec2(0, 0));
            ImGui::SetNextWindowSize(ImVec2(500, 200));
            ImGui::Begin("panel");
            ui::draw_timeline(ctx);
            lo = ImGui::GetItemRectMin();  // the slider is the widget's last item
            hi = ImGui::GetItemRectMax();
            ImGui::End();
            ImGui::Render();
        }
        ImGui::GetIO().MouseDown[0] = false;
        std::vector<Index> out;
        for (const Command& c : ui_.sink.commands) {
            if (const auto* s = std::get_if<command::Seek>(&c)) out.push_back(s->tokens);
        }
        ui_.sink.commands.clear();
        return out;
    }
    test::PanelHarness ui_;
};

TEST_F(Timeline, StopsAtEveryEvaluationPointAndTheLiveEnd) {
    Snapshot snap = test::runner_snapshot(test::small_config(400), 250);  // evals at 100, 200, 250
    EXPECT_EQ(ui::timeline_points(snap), (std::vector<Index>{0, 100, 200, 250}));
    Snapshot none;
    EXPECT_EQ(ui::timeline_points(none), (std::vector<Index>{0}));
    EXPECT_TRUE(drag(none, 0.5f).empty());  // nothing to scrub: the slider sends nothing
}

TEST_F(Timeline, APressSendsASeekAndTheRunnerShowsTheSceneThere) {
    Runner runner(test::small_config(400));
    runner.send(command::Step{400});
    runner.wait_idle();
    const auto live = runner.snapshot();
    ASSERT_EQ(ui::timeline_points(*live), (std::vector<Index>{0, 100, 200, 300, 400}));
    EXPECT_TRUE(drag(*live, -1).empty());  // drawn, not touched: no command

    const std::vector<Index> seeks = drag(*live, 0.02f, 4);  // held at the left end
    ASSERT_EQ(seeks, std::vector<Index>{0}) << "one Seek per position, however long it is held";
    const std::vector<Index> second = drag(*live, 0.45f);
    ASSERT_EQ(second.size(), 1u);
    runner.send(command::Seek{second[0]});
    runner.wait_idle();
    const auto back = runner.snapshot();
    EXPECT_EQ(back->tokens_seen, second[0]);
    EXPECT_EQ(back->tokens_recorded, 400);
    EXPECT_EQ(back->history.size(), live->history.size());
    for (const auto& s : back->sketches)
        EXPECT_LE(s.stats.seen, second[0]);
    // The time axes get the cursor (strong); the live scene has none.
    const auto markers = ui::timeline_markers(*back, ui_.selection);
    ASSERT_FALSE(markers.empty());
    EXPECT_EQ(markers.back().at, second[0]);
    EXPECT_TRUE(markers.back().strong);
    for (const auto& m : ui::timeline_markers(*live, ui_.selection))
        EXPECT_FALSE(m.strong) << m.label;
    // Back at a point, "Live" comes first on the slider's row and returns to the end.
    EXPECT_EQ(drag(*back, -1, 4, true), std::vector<Index>{400});
}

}  // namespace
}  // namespace kvscope
