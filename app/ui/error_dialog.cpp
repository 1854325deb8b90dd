// The error dialog: a modal with the one-line message of a refusal (a config, session, data
// file or lesson that could not be opened, a command the run refused), shown once per failure
// and closed with OK. The scene that ran before stays (the Runner builds a new session before
// replacing the old one); the status line keeps the message after the dialog is closed.
#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <cstdint>
#include <string>

#include "ui/panel.hpp"

namespace kvscope::ui {

namespace {

constexpr const char* kPopup = "Error###error_dialog";

struct ErrorDialogState {
    std::uint64_t seen_serial = 0;  ///< the Runner's last failure already shown
    std::string seen_error;         ///< and its message (sketch errors have no serial)
    std::string message;            ///< what the dialog shows
    bool open_next = false;
};

// A new message from the sink, or a run error not shown yet.
void take_new_error(ErrorDialogState& s, PanelContext& ctx) {
    const Snapshot& snap = ctx.snap;
    if (!ctx.sink.alert.empty()) {
        s.message = std::move(ctx.sink.alert);
        ctx.sink.alert.clear();
        s.open_next = true;
    } else if (!snap.error.empty() &&
               (snap.error_serial != s.seen_serial || snap.error != s.seen_error)) {
        s.message = snap.error;
        s.open_next = true;
    }
    s.seen_serial = snap.error_serial;
    s.seen_error = snap.error;
}

void draw_error_dialog(ErrorDialogState& s, PanelContext& ctx) {
    take_new_error(s, ctx);
    if (s.open_next) {
        ImGui::OpenPopup(kPopup);
        s.open_next = false;
    }
    // Placed and sized from this frame's font every frame (not auto-resized, which lags a
    // frame): a 2x screenshot lays out one frame at twice the size, and the dialog kept its 1x
    // size there, cutting the message and hiding OK.
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const ImGuiStyle& style = ImGui::GetStyle();
    const float font = ImGui::GetFontSize();
    const float max_w = std::max(display.x * 0.6f, 22 * font);
    const ImVec2 text =
        ImGui::CalcTextSize(s.message.c_str(), nullptr, false, max_w - 2 * style.WindowPadding.x);
    // Without a session (the start config was refused) there is no earlier scene to keep.
    const bool kept = ctx.snap.dim > 0;
    const float w = std::clamp(text.x + 2 * style.WindowPadding.x, 21 * font, max_w);
    const float h = ImGui::GetFrameHeight() + 2 * style.WindowPadding.y + text.y +
                    style.ItemSpacing.y + (kept ? ImGui::GetTextLineHeightWithSpacing() : 0.0f) +
                    ImGui::GetFrameHeight();
    ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.4f), ImGuiCond_Always,
                            ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(w, h), ImGuiCond_Always);
    if (!ImGui::BeginPopupModal(kPopup, nullptr,
                                ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoScrollbar))
        return;
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(s.message.c_str());
    ImGui::PopTextWrapPos();
    if (kept) ImGui::TextDisabled("The scene that ran before is still there.");
    if (ImGui::Button("OK", ImVec2(8 * font, 0)) ||
        ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
        ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) {
        ImGui::CloseCurrentPopup();
    }
    ImGui::SetItemDefaultFocus();
    ImGui::EndPopup();
}

}  // namespace

PanelInfo error_dialog() {
    return panel_info<ErrorDialogState>("error_dialog", "Error",
                                        "A refused config, file or lesson, until OK",
                                        Place::Overlay, draw_error_dialog);
}

}  // namespace kvscope::ui
