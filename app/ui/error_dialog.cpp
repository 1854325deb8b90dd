// The error dialog: a modal with the one-line message of a refusal (a config, session, data
// file or lesson that could not be opened, a command the run refused), shown once per failure
// and closed with OK. The scene that ran before stays (the Runner builds a new session before
// replacing the old one); the status line keeps the message after the dialog is closed.
#include <imgui.h>

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
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(display.x * 0.5f, display.y * 0.4f), ImGuiCond_Appearing,
                            ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSizeConstraints(ImVec2(320, 0), ImVec2(display.x * 0.6f, FLT_MAX));
    if (!ImGui::BeginPopupModal(kPopup, nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
    ImGui::PushTextWrapPos(display.x * 0.6f - 2 * ImGui::GetStyle().WindowPadding.x);
    ImGui::TextUnformatted(s.message.c_str());
    ImGui::PopTextWrapPos();
    // Without a session (the start config was refused) there is no earlier scene to keep.
    if (ctx.snap.dim > 0) ImGui::TextDisabled("The scene that ran before is still there.");
    if (ImGui::Button("OK", ImVec2(120, 0)) ||
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
