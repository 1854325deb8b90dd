// The status line (ui/status_line.cpp): the run's error wins over the sink's message, which is
// shown otherwise; the help overlay draws only when asked.
#include <gtest/gtest.h>
#include <imgui.h>

#include <algorithm>

#include "app/app_test_support.hpp"

namespace kvscope {
namespace {

using test::ImGuiTest;

std::unique_ptr<ui::Panel> make(const std::string& key) {
    const auto& all = ui::builtin_panels();
    const auto it = std::find_if(all.begin(), all.end(),
                                 [&key](const ui::PanelInfo& p) { return p.key == key; });
    return it == all.end() ? nullptr : it->make();
}

// Characters drawn by the status line (each glyph is one quad of 4 vertices).
int status_vertices(const Snapshot& snap, test::PanelHarness& ui) {
    auto panel = make("status");
    ui::PanelContext ctx = ui.context(snap);
    return test::draw_frames([&] { panel->draw(ctx); }, 1);
}

TEST_F(ImGuiTest, StatusLineShowsTheErrorElseTheMessage) {
    test::PanelHarness ui;
    ui.settings.lesson_open = true;  // no lessons hint: only the message and error count
    Snapshot snap;
    const int plain = status_vertices(snap, ui);
    ui.sink.say("saved session to kvscope_session.json");
    const int message = status_vertices(snap, ui);
    EXPECT_GT(message, plain + 4 * 20);
    snap.error = "x";
    const int error = status_vertices(snap, ui);
    EXPECT_LT(error, message);  // "error: x" replaces the longer message
    EXPECT_GT(error, plain);
}

TEST_F(ImGuiTest, StatusLineSaysWhereTheLessonsAreUntilOneIsOpen) {
    test::PanelHarness ui;
    Snapshot snap;
    auto panel = make("status");
    ui::PanelContext ctx = ui.context(snap);
    // As wide as the window's status line (the hint sits at its right end); a new window is
    // hidden on its first frame, so three.
    auto draw = [&] {
        return test::draw_frames([&] { panel->draw(ctx); }, 3, {}, {}, {1600, 120});
    };
    const int with_hint = draw();
    ui.settings.lesson_open = true;
    const int without = draw();
    EXPECT_GT(with_hint, without + 4 * 30);  // "New here? Press L for the lessons  |  F1 help"
}

TEST_F(ImGuiTest, HelpOverlayDrawsOnlyWhenAsked) {
    test::PanelHarness ui;
    Snapshot snap;
    auto help = make("help");
    ASSERT_TRUE(help);
    ui::PanelContext ctx = ui.context(snap);
    const int hidden = test::draw_frames([&] { help->draw(ctx); }, 1);
    ui.settings.show_help = true;
    EXPECT_GT(test::draw_frames([&] { help->draw(ctx); }, 2), hidden + 400);
}

}  // namespace
}  // namespace kvscope
