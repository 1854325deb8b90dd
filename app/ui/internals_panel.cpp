// The right column of the explorer: one window, "Sketch internals", with a tab per kind of
// sketch state (Coreset, Buckets, Polynomial). The tab follows the selected sketch: when the
// selection changes, the tab that fits its view is selected; the user may switch afterwards.
#include <imgui.h>

#include <algorithm>
#include <string>

#include "ui/panels.hpp"

namespace kvscope::ui {

namespace {

constexpr const char* kTabNames[] = {"Coreset", "Buckets", "Polynomial"};
constexpr const char* kTabKeys[] = {"coreset", "buckets", "polynomial"};
constexpr const char* kTabHelp[] = {
    "Retained tokens on the stream timeline, their weights, merge tree and walk",
    "Hash buckets or clusters: occupancy, radii, memory, shares of Z per query, collision rate",
    "Taylor moments: truncation error and bound over the logit range, logits with +-B, error "
    "against degree, monomials against memory"};

}  // namespace

int preferred_internals_tab(const SketchView& view) {
    if (view.buckets && !view.merge_tree) return 1;
    if (view.taylor) return 2;
    return 0;
}

int internals_tab_index(const std::string& name) {
    for (int i = 0; i < 3; ++i) {
        if (name == kTabKeys[i] || name == kTabNames[i]) return i;
    }
    return -1;
}

void apply_view_state(const nlohmann::json& view, UiState& ui) {
    if (!view.is_object()) return;
    if (view.contains("tab") && view["tab"].is_string()) {
        const int tab = internals_tab_index(view["tab"].get<std::string>());
        if (tab >= 0) {
            ui.requested_tab = tab;
            ui.internals_tab = tab;
            ui.tab_pinned = true;
        }
    }
    if (view.contains("selected_sketch") && view["selected_sketch"].is_number_integer()) {
        ui.selected_sketch = std::max(0, view["selected_sketch"].get<int>());
    }
}

void store_view_state(const UiState& ui, nlohmann::json& view) {
    if (!view.is_object()) view = nlohmann::json::object();
    view["tab"] = kTabKeys[std::clamp(ui.internals_tab, 0, 2)];
    view["selected_sketch"] = ui.selected_sketch;
}

void draw_internals_panel(const Snapshot& snap, UiState& ui) {
    if (!snap.sketches.empty()) {
        ui.selected_sketch =
            std::clamp(ui.selected_sketch, 0, static_cast<int>(snap.sketches.size()) - 1);
        const SketchSnapshot& s = snap.sketches[static_cast<std::size_t>(ui.selected_sketch)];
        const bool first = ui.internals_selected < 0;
        if (first || ui.internals_selected != ui.selected_sketch ||
            ui.internals_selected_id != s.spec.id) {
            if (!(first && ui.tab_pinned)) ui.requested_tab = preferred_internals_tab(*s.view);
            ui.internals_selected = ui.selected_sketch;
            ui.internals_selected_id = s.spec.id;
        }
    }
    if (!ImGui::BeginTabBar("internals")) return;
    for (int i = 0; i < 3; ++i) {
        const ImGuiTabItemFlags flags = ui.requested_tab == i ? ImGuiTabItemFlags_SetSelected : 0;
        const bool open = ImGui::BeginTabItem(kTabNames[i], nullptr, flags);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", kTabHelp[i]);
        if (!open) continue;
        ui.internals_tab = i;
        switch (i) {
            case 0:
                draw_coreset_panel(snap, ui);
                break;
            case 1:
                draw_bucket_panel(snap, ui);
                break;
            default:
                draw_polynomial_panel(snap, ui);
                break;
        }
        ImGui::EndTabItem();
    }
    // SetSelected takes effect when the tab bar lays out; keep the request until it has.
    if (ui.requested_tab == ui.internals_tab) ui.requested_tab = -1;
    ImGui::EndTabBar();
}

}  // namespace kvscope::ui
