// The status line at the bottom: playing or paused, tokens, sketches, and the run's error or
// else the last message a panel or the frame loop left in the sink, then the sketches' warnings.
#include <imgui.h>

#include <algorithm>
#include <string>

#include "ui/panel.hpp"

namespace kvscope::ui {

namespace {

struct StatusLineState {};

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

void draw_status_line(StatusLineState&, PanelContext& ctx) {
    const Snapshot& snap = ctx.snap;
    ImGui::Text("%s  %lld tokens  %zu sketches", snap.playing ? "playing" : "paused",
                static_cast<long long>(snap.tokens_seen), snap.sketches.size());
    if (!snap.error.empty()) {
        ImGui::SameLine(0, 24);
        ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.35f, 1.0f), "error: %s", snap.error.c_str());
    } else if (!ctx.sink.status.empty()) {
        ImGui::SameLine(0, 24);
        ImGui::TextUnformatted(ctx.sink.status.c_str());
    }
    draw_sketch_warnings(snap);
    // Where the lessons are, on every screen without one open.
    if (!ctx.settings.lesson_open) {
        const char* hint = "New here? Press L for the lessons  |  F1 help";
        const float w = ImGui::CalcTextSize(hint).x;
        ImGui::SameLine();
        ImGui::SetCursorPosX(
            std::max(ImGui::GetCursorPosX() + 24, ImGui::GetWindowContentRegionMax().x - w));
        ImGui::TextColored(ImVec4(0.98f, 0.78f, 0.30f, 1.0f), "%s", hint);
    }
}

}  // namespace

PanelInfo status_line() {
    return panel_info<StatusLineState>("status", "Status", "Tokens, sketches, the last message",
                                       Place::StatusLine, draw_status_line);
}

}  // namespace kvscope::ui
