// The status line (ui/status_line.cpp): the run's error wins over the sink's message, which is
// shown otherwise; the help overlay draws only when asked.
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

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

// Issue 12: a 300-character sketch warning pushed the lesson text and the lessons hint off a
// 1280-pixel status line. Now the warning is cut with "…" and everything stays in the window.
TEST_F(ImGuiTest, LongWarningsAndErrorsAreCutSoTheLineFitsTheWindow) {
    test::PanelHarness ui;
    Snapshot snap = test::synthetic_snapshot(2);
    snap.sketches[1].warnings = {std::string(300, 'w'), "a second warning"};
    ui.sink.say("lesson 06_temperature, step 2: the same ball, hotter");
    auto panel = make("status");
    ui::PanelContext ctx = ui.context(snap);
    for (const bool long_error : {false, true}) {
        snap.error = long_error ? "refused: " + std::string(300, 'e') : "";
        float right = 0, max_x = 0, hint_left = 0, hint_right = 0, line_height = 0;
        const int vertices = test::draw_frames(
            [&] {
                panel->draw(ctx);
                ImGuiWindow* w = ImGui::GetCurrentWindow();
                right = w->Pos.x + w->Size.x;
                max_x = w->DC.CursorMaxPos.x;
                hint_left = ImGui::GetItemRectMin().x;  // the hint is drawn last
                hint_right = ImGui::GetItemRectMax().x;
                line_height = w->DC.CursorMaxPos.y - w->DC.CursorStartPos.y;
            },
            3, {}, {}, {1280, 120});
        EXPECT_LE(max_x, right) << long_error;
        EXPECT_LE(hint_right, right) << long_error;
        EXPECT_GT(hint_left, 1280 - 450) << long_error;  // at the right end, whole
        EXPECT_LT(line_height, 1.5f * ImGui::GetTextLineHeightWithSpacing()) << long_error;
        EXPECT_GT(vertices, 4 * 120) << long_error;  // the parts are drawn, not dropped
    }
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
