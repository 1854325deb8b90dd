// The F1 help overlay (every shortcut) and the one-line status bar at the bottom.
#include <imgui.h>

#include <string>

#include "ui/panels.hpp"

namespace kvscope::ui {

void draw_help_overlay(UiState& ui) {
    if (!ui.show_help) return;
    ImGui::SetNextWindowBgAlpha(0.92f);
    if (ImGui::Begin("Help (F1)", &ui.show_help, ImGuiWindowFlags_AlwaysAutoResize)) {
        const char* rows[][2] = {{"Space", "play / pause"},
                                 {"Right", "step one tick"},
                                 {"R", "reset (same seed)"},
                                 {"Shift+R", "new seed"},
                                 {"F12 or S", "screenshot (PNG + JSON sidecar)"},
                                 {"Ctrl+S", "save session (run config + view)"},
                                 {"Ctrl+O", "open a session or data file (or drop it)"},
                                 {"F1", "this help"},
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
    }
    ImGui::End();
}

namespace {

// The first sketch warning (Sketch::warnings) on the status line; every one on hover.
void draw_sketch_warnings(const Snapshot& snap) {
    std::string first, all;
    int count = 0;
    for (const SketchSnapshot& s : snap.sketches) {
        for (const std::string& w : s.warnings) {
            const std::string line = s.spec.label + ": " + w;
            if (count++ == 0) first = line;
            all += line + "\n";
        }
    }
    if (count == 0) return;
    ImGui::SameLine(0, 24);
    if (count > 1) first += " (+" + std::to_string(count - 1) + " more)";
    ImGui::TextColored(ImVec4(1.0f, 0.75f, 0.3f, 1.0f), "warning: %s", first.c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", all.c_str());
}

}  // namespace

void draw_status_line(const Snapshot& snap, const UiState& ui) {
    ImGui::Text("%s  %lld tokens  %zu sketches", snap.playing ? "playing" : "paused",
                static_cast<long long>(snap.tokens_seen), snap.sketches.size());
    if (!snap.error.empty()) {
        ImGui::SameLine(0, 24);
        ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.35f, 1.0f), "error: %s", snap.error.c_str());
    } else if (!ui.status.empty()) {
        ImGui::SameLine(0, 24);
        ImGui::TextUnformatted(ui.status.c_str());
    }
    draw_sketch_warnings(snap);
}

}  // namespace kvscope::ui
