// The error dialog (ui/error_dialog.cpp) and the refused config of issue 12 item 8: a config the
// Runner refuses (taylor_refusal.json) shows its one-line message on the status line and in a
// modal dialog, once per failure, and the scene that ran before keeps its sketches and position.
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include "app/app_test_support.hpp"
#include "ui/workspace.hpp"

namespace kvscope {
namespace {

constexpr const char* kDialog = "Error###error_dialog";

class ErrorDialogTest : public test::ImGuiTest {
  protected:
    // Draws the whole window at 1280 x 720 for `frames` frames.
    void draw(const Snapshot& snap, int frames = 3) {
        for (int f = 0; f < frames; ++f) {
            ImGui::GetIO().DisplaySize = ImVec2(1280, 720);
            ImGui::NewFrame();
            workspace_.draw(snap, 1280, 720, true);
            ImGui::Render();
        }
    }
    // The dialog's window when it was drawn in the last frame, else null.
    static ImGuiWindow* dialog() {
        ImGuiWindow* w = ImGui::FindWindowByName(kDialog);
        return w && w->WasActive ? w : nullptr;
    }
    // Closes the dialog as OK would (a click on the modal's button in a headless frame).
    static void close_dialog() { ImGui::ClosePopupsOverWindow(nullptr, false); }
    ui::Workspace workspace_;
};

RunConfig refused_config() {
    return load_run_config(std::string(KVSCOPE_SOURCE_DIR) + "/assets/configs/taylor_refusal.json");
}

// Regression (issue 12 item 8): a refused config opened an empty scene with no message.
TEST_F(ErrorDialogTest, RefusedConfigShowsItsMessageAndKeepsThePreviousScene) {
    Runner runner(test::small_config(256));
    runner.send(command::Step{64});
    runner.wait_idle();
    const std::shared_ptr<const Snapshot> before = runner.snapshot();
    ASSERT_TRUE(before->error.empty());
    draw(*before);
    EXPECT_EQ(dialog(), nullptr);  // nothing to say

    runner.send(command::Configure{refused_config()});
    runner.send(command::SetSpeed{64});  // what the explorer sends next: must not hide it
    runner.wait_idle();
    const std::shared_ptr<const Snapshot> after = runner.snapshot();
    ASSERT_NE(after->error.find("max_floats"), std::string::npos) << after->error;
    ASSERT_EQ(after->sketches.size(), before->sketches.size());
    for (std::size_t i = 0; i < after->sketches.size(); ++i)
        EXPECT_EQ(after->sketches[i].spec.id, before->sketches[i].spec.id);
    EXPECT_EQ(after->tokens_seen, 64);
    EXPECT_EQ(after->dim, 4);

    draw(*after);
    const ImGuiWindow* w = dialog();
    ASSERT_NE(w, nullptr);
    // Inside the window and wide enough to hold text (each glyph is 4 vertices).
    EXPECT_GE(w->Pos.x, 0);
    EXPECT_LE(w->Pos.x + w->Size.x, 1280);
    EXPECT_LE(w->Pos.y + w->Size.y, 720);
    EXPECT_GT(w->DrawList->VtxBuffer.Size, 4 * 60);

    // Closed, it stays closed for the same failure; the same refusal again opens it again.
    close_dialog();
    draw(*after);
    EXPECT_EQ(dialog(), nullptr);
    runner.send(command::Configure{refused_config()});
    runner.wait_idle();
    draw(*runner.snapshot());
    EXPECT_NE(dialog(), nullptr);
    EXPECT_EQ(runner.snapshot()->sketches.size(), before->sketches.size());
}

TEST_F(ErrorDialogTest, RefusedFileFromTheSinkOpensTheDialogAndTheStatusLine) {
    const Snapshot snap = test::synthetic_snapshot(2);
    workspace_.sink.refuse("cannot open bad.json: line 3: expected a number");
    EXPECT_EQ(workspace_.sink.status, "cannot open bad.json: line 3: expected a number");
    draw(snap);
    EXPECT_NE(dialog(), nullptr);
    EXPECT_TRUE(workspace_.sink.alert.empty());  // taken by the dialog
    EXPECT_FALSE(workspace_.sink.status.empty());
}

// Regression (the 2x screenshot of taylor_refusal.json): the auto-resized dialog kept its 1x
// size in the one frame laid out at twice the size, so the message was cut and OK fell outside.
// Its window now holds all it drew, at 1x and in a frame at 2x (font and style doubled).
TEST_F(ErrorDialogTest, DialogHoldsItsMessageAndButtonAtOneAndTwoTimesScale) {
    const Snapshot snap = test::synthetic_snapshot(2);
    workspace_.sink.refuse(std::string(200, 'x') + " refused: " + std::string(80, 'y'));
    draw(snap);
    auto holds_content = [](const ImGuiWindow* w, ImVec2 display) {
        ASSERT_NE(w, nullptr);
        EXPECT_LE(w->DC.CursorMaxPos.y, w->Pos.y + w->Size.y);  // the OK button is inside
        EXPECT_LE(w->DC.CursorMaxPos.x, w->Pos.x + w->Size.x);
        EXPECT_GE(w->Pos.x, 0);
        EXPECT_GE(w->Pos.y, 0);
        EXPECT_LE(w->Pos.x + w->Size.x, display.x);
        EXPECT_LE(w->Pos.y + w->Size.y, display.y);
    };
    holds_content(dialog(), ImVec2(1280, 720));
    const ImGuiStyle saved = ImGui::GetStyle();
    ImGui::GetStyle().ScaleAllSizes(2);
    ImGui::GetIO().FontGlobalScale = 2;
    ImGui::GetIO().DisplaySize = ImVec2(2560, 1440);
    ImGui::NewFrame();
    workspace_.draw(snap, 2560, 1440, true);
    ImGui::Render();
    holds_content(dialog(), ImVec2(2560, 1440));
    ImGui::GetStyle() = saved;
    ImGui::GetIO().FontGlobalScale = 1;
}

}  // namespace
}  // namespace kvscope
