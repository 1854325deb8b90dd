#include "ui/frame_recovery.hpp"

#include <imgui.h>
#include <imgui_internal.h>

namespace kvscope::ui {

namespace {

// Unwinds the current window's ID stack from the top, closing each table and tab bar when its
// own ID is reached (so each finds the stack as it left it) and popping anything else (IDs and
// tree nodes a throwing widget pushed).
void unwind_window_ids() {
    ImGuiContext& g = *ImGui::GetCurrentContext();
    for (;;) {
        ImGuiWindow* window = g.CurrentWindow;
        const ImGuiID top = window->IDStack.back();
        ImGuiTable* table = g.CurrentTable;
        if (table && table->InnerWindow == window &&
            top == table->ID + static_cast<ImGuiID>(table->InstanceCurrent)) {
            ImGui::EndTable();
        } else if (g.CurrentTabBar && top == g.CurrentTabBar->ID) {
            ImGui::EndTabBar();
        } else if (window->IDStack.Size > 1) {
            if (window->DC.TreeDepth > 0) {
                ImGui::TreePop();
            } else {
                ImGui::PopID();
            }
        } else {
            return;
        }
    }
}

}  // namespace

void recover_frame_after_exception() {
    ImGuiContext& g = *ImGui::GetCurrentContext();
    while (g.CurrentWindowStack.Size > 0) {
        unwind_window_ids();
        // Tables and tab bars of this window are closed now; one still current belongs to an
        // outer window, and ImGui's recovery would end it here (popping this window's IDs).
        ImGuiTabBar* outer_tab_bar = g.CurrentTabBar;
        g.CurrentTabBar = nullptr;
        ImGui::ErrorCheckEndWindowRecover(nullptr);  // groups, colours, style vars, ...
        g.CurrentTabBar = outer_tab_bar;
        if (g.CurrentWindowStack.Size == 1) break;  // ImGui's implicit fallback window
        if (g.CurrentWindow->Flags & ImGuiWindowFlags_ChildWindow) {
            ImGui::EndChild();
        } else {
            ImGui::End();
        }
    }
}

}  // namespace kvscope::ui
