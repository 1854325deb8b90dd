#include <imgui.h>

#include <algorithm>
#include <string>

#include "core/registry.hpp"
#include "scene/palette.hpp"
#include "ui/panel_csv.hpp"
#include "ui/panels.hpp"
#include "ui/param_widgets.hpp"

namespace kvscope::ui {

std::string short_name(const SketchInstanceSpec& spec) {
    std::string name = spec.label;
    const SketchInfo* info = builtin_sketches().find(spec.id);
    if (!info) return name;
    const ParamSet defaults = ParamSet::defaults(info->params);
    const nlohmann::json now = spec.params.to_json(info->params);
    const nlohmann::json def = defaults.to_json(info->params);
    for (const auto& p : info->params) {
        if (now[p.key] == def[p.key]) continue;
        const nlohmann::json& v = now[p.key];
        name += " " + p.key + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    if (name.size() > 48) name = name.substr(0, 45) + "...";
    return name;
}

const SketchSnapshot* selected_sketch(const Snapshot& snap, UiState& ui) {
    if (snap.sketches.empty()) {
        ImGui::TextDisabled("No sketch running. Add one in the Sketches panel.");
        return nullptr;
    }
    ui.selected_sketch =
        std::clamp(ui.selected_sketch, 0, static_cast<int>(snap.sketches.size()) - 1);
    return &snap.sketches[static_cast<std::size_t>(ui.selected_sketch)];
}

void sketch_swatch(int index) {
    const float h = ImGui::GetTextLineHeight();
    ImGui::ColorButton("##swatch", ImGui::ColorConvertU32ToFloat4(category_colour(index)),
                       ImGuiColorEditFlags_NoTooltip, ImVec2(h, h));
    ImGui::SameLine();
}

void csv_button(UiState& ui, const char* panel, const std::function<std::string()>& text,
                const char* tip) {
    if (ImGui::SmallButton("CSV")) {
        try {
            ui.status = "wrote " + write_panel_csv(panel, text());
        } catch (const std::exception& e) {
            ui.status = e.what();
        }
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tip);
}

void draw_sketch_picker(const Snapshot& snap, UiState& ui, bool (*has)(const SketchView&),
                        const char* what) {
    bool any = false;
    for (std::size_t i = 0; i < snap.sketches.size(); ++i) {
        if (!has(*snap.sketches[i].view)) continue;
        any = true;
        ImGui::PushID(static_cast<int>(i));
        const std::string name = short_name(snap.sketches[i].spec);
        if (ImGui::SmallButton("select")) ui.selected_sketch = static_cast<int>(i);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show %s of %s", what, name.c_str());
        ImGui::SameLine();
        sketch_swatch(static_cast<int>(i));
        ImGui::TextUnformatted(name.c_str());
        ImGui::PopID();
    }
    if (!any) ImGui::TextDisabled("None of the running sketches has %s.", what);
}

void draw_sketches_panel(const Snapshot& snap, UiState& ui) {
    for (std::size_t i = 0; i < snap.sketches.size(); ++i) {
        const SketchSnapshot& s = snap.sketches[i];
        const SketchInfo* info = builtin_sketches().find(s.spec.id);
        ImGui::PushID(static_cast<int>(i));
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const float h = ImGui::GetTextLineHeight();
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + 2),
                                                  ImVec2(p.x + h, p.y + h + 2),
                                                  category_colour(static_cast<int>(i)));
        ImGui::Dummy(ImVec2(h, h));
        ImGui::SameLine();
        const std::string title = short_name(s.spec) + "###sketch";
        const bool selected = ui.selected_sketch == static_cast<int>(i);
        if (ImGui::Selectable(title.c_str(), selected, 0, ImVec2(0, 0))) {
            ui.selected_sketch = static_cast<int>(i);
        }
        if (ImGui::IsItemHovered() && info) {
            ImGui::SetTooltip("%s\n%s%s\n%s", info->name.c_str(), info->summary.c_str(),
                              info->paper.empty() ? "" : ("\n" + info->paper).c_str(),
                              s.spec.params_text.c_str());
        }
        ImGui::Indent(h + 8);
        ImGui::Text("kept %lld of %lld   %.1f KiB", static_cast<long long>(s.stats.retained),
                    static_cast<long long>(s.stats.seen), s.stats.memory_bytes() / 1024.0);
        if (!s.error.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.3f, 1), "%s", s.error.c_str());
        if (info && !info->params.empty() && ImGui::TreeNode("parameters")) {
            nlohmann::json values = s.spec.params.to_json(info->params);
            if (edit_params(info->params, values)) {
                ui.commands.push_back(command::SetSketchParams{i, values});
            }
            ImGui::TreePop();
        }
        if (ImGui::SmallButton("remove")) ui.commands.push_back(command::RemoveSketch{i});
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("Remove this sketch from the comparison");
        if (i > 0) {
            ImGui::SameLine();
            if (ImGui::SmallButton("up")) {
                ui.commands.push_back(command::MoveSketch{i, i - 1});
                if (ui.selected_sketch == static_cast<int>(i)) --ui.selected_sketch;
            }
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("Move this sketch up (order, colour)");
        }
        if (i + 1 < snap.sketches.size()) {
            ImGui::SameLine();
            if (ImGui::SmallButton("down")) {
                ui.commands.push_back(command::MoveSketch{i, i + 1});
                if (ui.selected_sketch == static_cast<int>(i)) ++ui.selected_sketch;
            }
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("Move this sketch down (order, colour)");
        }
        ImGui::Unindent(h + 8);
        ImGui::PopID();
    }
    ImGui::Separator();
    const auto& all = builtin_sketches().all();
    ui.add_choice = std::clamp(ui.add_choice, 0, static_cast<int>(all.size()) - 1);
    if (ImGui::BeginCombo("##add", all[static_cast<std::size_t>(ui.add_choice)].id.c_str())) {
        for (std::size_t i = 0; i < all.size(); ++i) {
            if (ImGui::Selectable(all[i].id.c_str(), static_cast<int>(i) == ui.add_choice)) {
                ui.add_choice = static_cast<int>(i);
            }
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", all[i].summary.c_str());
        }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    if (ImGui::Button("Add sketch")) {
        SketchEntry e;
        e.id = all[static_cast<std::size_t>(ui.add_choice)].id;
        ui.commands.push_back(command::AddSketch{e});
    }
    if (ImGui::IsItemHovered()) {
        ImGui::SetTooltip("Add with default parameters; it replays the stream so far");
    }
}

}  // namespace kvscope::ui
