// The status line at the bottom: playing or paused, tokens, sketches, and the run's error or
// else the last message a panel or the frame loop left in the sink.
#include <imgui.h>

#include <algorithm>

#include "ui/panel.hpp"

namespace kvscope::ui {

namespace {

struct StatusLineState {};

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
