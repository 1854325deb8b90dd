// The F1 help overlay: every shortcut.
#include <imgui.h>

#include "ui/panel.hpp"

namespace kvscope::ui {

namespace {

struct HelpOverlayState {};

void draw_help_overlay(HelpOverlayState&, PanelContext& ctx) {
    if (!ctx.settings.show_help) return;
    ImGui::SetNextWindowBgAlpha(0.92f);
    if (ImGui::Begin("Help (F1)", &ctx.settings.show_help, ImGuiWindowFlags_AlwaysAutoResize)) {
        const char* rows[][2] = {{"Space", "play / pause"},
                                 {"Right", "step one tick"},
                                 {"Left", "timeline: one evaluation back"},
                                 {"R", "reset (same seed)"},
                                 {"Shift+R", "new seed"},
                                 {"F12 or S", "screenshot (PNG + JSON sidecar)"},
                                 {"Ctrl+S", "save session (run config + view)"},
                                 {"Ctrl+O", "open a session or data file (or drop it)"},
                                 {"F1", "this help"},
                                 {"L", "the lessons: step-by-step tours of each method"},
                                 {"Ctrl + / Ctrl -", "UI scale"},
                                 {"plots",
                                  "wheel zoom, drag pan, right-drag box zoom, "
                                  "double-click fit, click legend to toggle"}};
        if (ImGui::BeginTable("keys", 2)) {
            for (const auto& r : rows) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(r[0]);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(r[1]);
            }
            ImGui::EndTable();
        }
        if (ImGui::Button("Open the lessons (L)")) {
            ctx.settings.show_lesson_picker = true;
            ctx.settings.show_help = false;
        }
    }
    ImGui::End();
}

}  // namespace

PanelInfo help_overlay() {
    return panel_info<HelpOverlayState>("help", "Help", "Every shortcut (F1)", Place::Overlay,
                                        draw_help_overlay);
}

}  // namespace kvscope::ui
