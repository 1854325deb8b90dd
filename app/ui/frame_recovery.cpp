#include "ui/frame_recovery.hpp"

#include <imgui.h>
#include <imgui_internal.h>

namespace kvscope::ui {

namespace {

// Unwinds the current window's ID stack from the top down to `floor` entries, closing each table
// and tab bar when its own ID is reached (so each finds the stack as it left it) and popping
// anything else (IDs and tree nodes a throwing widget pushed).
void unwind_window_ids(int floor = 1) {
    ImGuiContext& g = *ImGui::GetCurrentContext();
    while (g.CurrentWindow->IDStack.Size > floor) {
        ImGuiWindow* window = g.CurrentWindow;
        const ImGuiID top = window->IDStack.back();
        ImGuiTable* table = g.CurrentTable;
        if (table && table->InnerWindow == window &&
            top == table->ID + static_cast<ImGuiID>(table->InstanceCurrent)) {
            ImGui::EndTable();
        } else if (g.CurrentTabBar && top == g.CurrentTabBar->ID) {
            ImGui::EndTabBar();
        } else if (window->DC.TreeDepth > 0) {
            ImGui::TreePop();
        } else {
            ImGui::PopID();
        }
    }
}

// Ends the current window after a throw, keeping ImGui's recovery off an outer window's tab bar.
void end_window_after_throw() {
    ImGuiContext& g = *ImGui::GetCurrentContext();
    unwind_window_ids();
    // Tables and tab bars of this window are closed now; one still current belongs to an
    // outer window, and ImGui's recovery would end it here (popping this window's IDs).
    ImGuiTabBar* outer_tab_bar = g.CurrentTabBar;
    g.CurrentTabBar = nullptr;
    ImGui::ErrorCheckEndWindowRecover(nullptr);  // groups, colours, style vars, ...
    g.CurrentTabBar = outer_tab_bar;
    if (g.CurrentWindow->Flags & ImGuiWindowFlags_ChildWindow) {
        ImGui::EndChild();
    } else {
        ImGui::End();
    }
}

}  // namespace

DrawMark mark_draw() {
    const ImGuiContext& g = *ImGui::GetCurrentContext();
    const ImGuiWindow* window = g.CurrentWindow;
    DrawMark m;
    m.windows = g.CurrentWindowStack.Size;
    m.ids = window->IDStack.Size;
    m.colors = g.ColorStack.Size;
    m.style_vars = g.StyleVarStack.Size;
    m.fonts = g.FontStack.Size;
    m.groups = g.GroupStack.Size;
    m.focus_scopes = g.FocusScopeStack.Size;
    m.item_flags = g.ItemFlagsStack.Size;
    m.item_widths = window->DC.ItemWidthStack.Size;
    m.text_wraps = window->DC.TextWrapPosStack.Size;
    m.disabled = g.DisabledStackSize;
    return m;
}

void recover_draw(const DrawMark& mark) {
    ImGuiContext& g = *ImGui::GetCurrentContext();
    while (g.CurrentWindowStack.Size > mark.windows)
        end_window_after_throw();
    unwind_window_ids(mark.ids);
    ImGuiWindow* window = g.CurrentWindow;
    while (g.GroupStack.Size > mark.groups)
        ImGui::EndGroup();
    while (g.DisabledStackSize > mark.disabled)
        ImGui::EndDisabled();
    while (g.ColorStack.Size > mark.colors)
        ImGui::PopStyleColor();
    while (g.StyleVarStack.Size > mark.style_vars)
        ImGui::PopStyleVar();
    while (g.FontStack.Size > mark.fonts)
        ImGui::PopFont();
    while (g.FocusScopeStack.Size > mark.focus_scopes)
        ImGui::PopFocusScope();
    while (g.ItemFlagsStack.Size > mark.item_flags)
        ImGui::PopItemFlag();
    while (window->DC.ItemWidthStack.Size > mark.item_widths)
        ImGui::PopItemWidth();
    while (window->DC.TextWrapPosStack.Size > mark.text_wraps)
        ImGui::PopTextWrapPos();
}

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
